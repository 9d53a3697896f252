"""What the agent records of a request: its deadline check and the error
details a user reads in an event."""
from oslo_utils import timeutils

from crashdump_server import exception


def check_deadline(deadline, request_id, host):
    """Raise RequestExpired when ``deadline`` (ISO 8601 UTC) has passed."""
    if deadline is None:
        return
    if timeutils.utcnow() > timeutils.normalize_time(
            timeutils.parse_isotime(deadline)):
        raise exception.RequestExpired(request_id=request_id,
                                       deadline=deadline, host=host)


def details(exc):
    """What the user reads in the event's details: Nova's convention (our
    exceptions' messages, else the exception's class name)."""
    if isinstance(exc, exception.CrashdumpException):
        return exc.message
    return type(exc).__name__
