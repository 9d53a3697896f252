"""What a crash dump through Ironic can end in, as the event reads it.

The compute manager puts an exception's message in the event's details, so
each message names the node and carries Ironic's own words.
"""
from crashdump_server import exception


class NMINotSupported(exception.TriggerCrashDumpNotSupported):
    """Ironic answered 400: the node's management interface cannot."""
    msg_fmt = 'Triggering crash dump is not supported: %(reason)s'


class NodeLocked(exception.CrashdumpException):
    """Ironic kept answering 409 until the retries ran out."""
    msg_fmt = ('Ironic node %(node)s is locked by another operation; gave '
               'up after %(attempts)d attempts over %(seconds).1f s: '
               '%(reason)s')


class NMIFailed(exception.CrashdumpException):
    """Ironic tried and failed (BMC unreachable, ipmitool error, 5xx)."""
    msg_fmt = ('Ironic could not inject an NMI into node %(node)s '
               '(HTTP %(status)s): %(reason)s')


class DeadlineExceeded(exception.CrashdumpException):
    """The whole call outlived [ironic] trigger_timeout."""
    msg_fmt = ('Ironic did not answer the NMI request for node %(node)s '
               'within %(seconds).0f s ([ironic] trigger_timeout); the NMI '
               'may still be delivered. Last answer: %(reason)s')
