"""Exceptions that carry the HTTP status the API answers them with.

Every layer raises these; the API's fault middleware turns any of them into
the Nova error body, so no layer below the handlers knows about HTTP.
"""


class CrashdumpException(Exception):
    """Base: ``msg_fmt`` is formatted with the keyword arguments.

    ``headers`` are (name, value) pairs the error response carries besides
    the Nova error body (``Allow`` on a 405, for instance).
    """

    msg_fmt = 'An unknown exception occurred.'
    code = 500
    headers = ()

    def __init__(self, message=None, code=None, headers=None, **kwargs):
        if code is not None:
            self.code = code
        if headers is not None:
            self.headers = list(headers)
        self.kwargs = kwargs
        if message is None:
            message = self.msg_fmt % kwargs
        self.message = message
        super().__init__(message)


class Invalid(CrashdumpException):
    msg_fmt = 'Unacceptable parameters.'
    code = 400


class ValidationError(Invalid):
    msg_fmt = '%(detail)s'


class MalformedRequestBody(Invalid):
    msg_fmt = 'Malformed request body'


class NoSuchAction(Invalid):
    msg_fmt = 'There is no such action: %(action)s'


class TriggerCrashDumpNotSupported(Invalid):
    msg_fmt = 'Triggering crash dump is not supported'


class NotFound(CrashdumpException):
    msg_fmt = 'The resource could not be found.'
    code = 404


class InstanceNotFound(NotFound):
    msg_fmt = 'Instance %(instance_id)s could not be found.'


class InstanceMappingNotFound(NotFound):
    """Nova's words for an id no server ever had, in server actions."""
    msg_fmt = 'Instance %(uuid)s has no mapping to a cell.'


class InstanceActionNotFound(NotFound):
    msg_fmt = 'Action %(request_id)s not found'


class EventAlreadyRecorded(CrashdumpException):
    msg_fmt = ('Event %(event)s of request %(request_id)s is already '
               'recorded')


class MarkerNotFound(Invalid):
    """A list's marker names nothing in the list: Nova answers 400."""
    msg_fmt = 'Marker %(marker)s could not be found.'


class MethodNotAllowed(CrashdumpException):
    msg_fmt = 'The method %(method)s is not allowed for this resource.'
    code = 405


class InvalidRegularExpression(CrashdumpException):
    """Raised by the database layer for a pattern the database refuses
    (PostgreSQL's regular expressions are not Python's); the API turns it
    into its own 400."""
    msg_fmt = 'Invalid regular expression %(pattern)s: %(reason)s'


class Forbidden(CrashdumpException):
    msg_fmt = 'Forbidden'
    code = 403


class PolicyNotAuthorized(Forbidden):
    msg_fmt = "Policy doesn't allow %(action)s to be performed."


class Unauthorized(CrashdumpException):
    msg_fmt = 'The request you have made requires authentication.'
    code = 401


class Conflict(CrashdumpException):
    msg_fmt = 'Conflict'
    code = 409


class InstanceIsLocked(Conflict):
    msg_fmt = 'Instance %(instance_uuid)s is locked'


class InstanceNotReady(Conflict):
    msg_fmt = 'Instance %(instance_id)s is not ready'


class InstanceInvalidState(Conflict):
    msg_fmt = ("Cannot '%(method)s' instance %(instance_uuid)s while it is "
               "in %(attr)s %(state)s")


class InstanceNotRunning(CrashdumpException):
    """Raised by drivers: the guest is not running, no NMI can reach it."""
    msg_fmt = 'Instance %(instance_id)s is not running.'


class RequestExpired(CrashdumpException):
    """Raised by the agent for a request received after its deadline."""
    msg_fmt = ('Request %(request_id)s expired at %(deadline)s before the '
               'compute agent on %(host)s received it; no NMI was sent.')


class ConsoleNotAvailable(NotFound):
    msg_fmt = 'Guest does not have a console available.'


class ComputeAgentUnreachable(CrashdumpException):
    msg_fmt = ('The compute agent of host %(host)s did not answer; check '
               'that crashdump-compute runs there.')
    code = 503


class FeatureNotSupported(CrashdumpException):
    msg_fmt = 'The requested functionality is not supported.'
    code = 501


class DriverUnavailable(CrashdumpException):
    """Raised by drivers whose backend (libvirtd, Ironic) is unreachable."""
    msg_fmt = '%(driver)s is unavailable: %(reason)s'


class ConfigError(CrashdumpException):
    msg_fmt = '%(reason)s'


# Memory dumps (crashdump's own resource) ------------------------------------

class MemoryDumpNotFound(NotFound):
    msg_fmt = 'Memory dump %(dump_id)s of server %(instance_uuid)s not found.'


class MemoryDumpNotSupported(CrashdumpException):
    """Raised by drivers that cannot dump a guest's memory (or a format)."""
    msg_fmt = 'Memory dumps are not supported: %(reason)s'
    code = 400


class MemoryDumpAborted(CrashdumpException):
    msg_fmt = 'The memory dump was aborted: %(reason)s'


class MemoryDumpFailed(CrashdumpException):
    """Raised by the agent: the dump could not be written (or deleted);
    says why."""
    msg_fmt = '%(reason)s'
    code = 409


class MemoryDumpNotAvailable(Conflict):
    msg_fmt = ('Memory dump %(dump_id)s is %(status)s, not available; '
               'only an available dump can be downloaded.')


class MemoryDumpLimitReached(Conflict):
    msg_fmt = ('Host %(host)s is already creating %(count)d memory dump(s), '
               'its limit ([memory_dump] max_concurrent); try again when '
               'one has finished.')


class MemoryDumpFileUnreachable(CrashdumpException):
    msg_fmt = ('The file of memory dump %(dump_id)s cannot be read by this '
               'API service (%(reason)s). In distributed mode the API '
               'services and the compute agents must share [memory_dump] '
               'directory (NFS, CephFS).')
    code = 503
