"""Timestamps and obfuscated host ids, written the way Nova writes them.

Nova prints two timestamp forms. A server's ``created`` and ``updated`` go
through its ``isotime``: seconds precision and a ``Z``. Every other
datetime (``OS-SRV-USG:launched_at``, an action's ``start_time``, ...) is
serialized by oslo.serialization: microseconds and no zone designator, even
though the value is UTC.
"""
import datetime
import hashlib

_SECONDS_FORMAT = '%Y-%m-%dT%H:%M:%S'
_MICROSECONDS_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'


def _as_naive_utc(value):
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def utcnow():
    """The current UTC time, naive, as the database stores times."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def isotime(value):
    """'2024-05-01T12:00:00Z' for ``value``; the current time for None.

    Falling back to now is Nova's behaviour for a server whose ``updated_at``
    was never set, so crashdump does the same.
    """
    value = utcnow() if value is None else _as_naive_utc(value)
    return value.strftime(_SECONDS_FORMAT) + 'Z'


def strtime(value):
    """'2024-05-01T12:00:00.000000' for ``value``, or None for None."""
    if value is None:
        return None
    return _as_naive_utc(value).strftime(_MICROSECONDS_FORMAT)


def host_id(host, project_id):
    """Nova's ``hostId``: sha224 hex of project id + host, '' without host.

    The project id takes part so that two projects cannot tell that their
    servers share a host.
    """
    if not host:
        return ''
    return hashlib.sha224((project_id + host).encode('utf-8')).hexdigest()
