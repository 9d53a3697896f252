"""The single truth of the compute API microversions crashdump serves.

crashdump advertises Nova 34's whole range, 2.1 to 2.104, so that clients
negotiate with it as they do with Nova. Most versions change resources that
crashdump does not serve; their note says so. Those that change what it
serves are handled where the representation is built (``api/views``), by
comparing the request's version with :func:`at_least` and one of the
names below; code never compares against a version literal (a unit test
fails when it does), and a name can only be made for a version whose note
says what it changes here.

Adding a version: append it here with its note (this list is the version
history), name it, change the view, add a contract case and a release
note.
"""
import re

import microversion_parse

from crashdump_server import exception

SERVICE_TYPE = 'compute'
LEGACY_HEADER = 'X-OpenStack-Nova-API-Version'
STANDARD_HEADER = 'OpenStack-API-Version'
VARY = f'{STANDARD_HEADER}, {LEGACY_HEADER}'

_OTHER = 'changes a resource crashdump does not serve'

# (version, what it changes in the resources crashdump serves)
VERSIONS = (
    ('2.1', 'base: versions, servers, instance actions'),
    ('2.2', _OTHER), ('2.3', 'server: more OS-EXT-SRV-ATTR fields (admin)'),
    ('2.4', _OTHER), ('2.5', 'servers list: ip6 filter for non-admins'),
    ('2.6', _OTHER), ('2.7', _OTHER),
    ('2.8', _OTHER), ('2.9', 'server: locked'),
    ('2.10', _OTHER), ('2.11', _OTHER), ('2.12', _OTHER), ('2.13', _OTHER),
    ('2.14', _OTHER), ('2.15', _OTHER), ('2.16', 'server: host_status'),
    ('2.17', 'servers action: trigger_crash_dump'),
    ('2.18', _OTHER), ('2.19', 'server: description'),
    ('2.20', _OTHER),
    ('2.21', 'instance actions: readable for deleted servers'),
    ('2.22', _OTHER), ('2.23', _OTHER), ('2.24', _OTHER), ('2.25', _OTHER),
    ('2.26', 'server: tags; servers list: tag filters'),
    ('2.27', _OTHER), ('2.28', _OTHER),
    ('2.29', _OTHER), ('2.30', _OTHER), ('2.31', _OTHER), ('2.32', _OTHER),
    ('2.33', _OTHER), ('2.34', _OTHER), ('2.35', _OTHER), ('2.36', _OTHER),
    ('2.37', _OTHER), ('2.38', 'servers list: unknown status filter is 400'),
    ('2.39', _OTHER), ('2.40', _OTHER), ('2.41', _OTHER), ('2.42', _OTHER),
    ('2.43', _OTHER), ('2.44', _OTHER), ('2.45', _OTHER), ('2.46', _OTHER),
    ('2.47', 'server: flavor embedded instead of linked'),
    ('2.48', _OTHER), ('2.49', _OTHER), ('2.50', _OTHER),
    ('2.51', 'instance action: owners see events (without traceback)'),
    ('2.52', _OTHER), ('2.53', _OTHER), ('2.54', _OTHER), ('2.55', _OTHER),
    ('2.56', _OTHER), ('2.57', _OTHER),
    ('2.58', 'instance actions: updated_at, limit, marker, changes-since'),
    ('2.59', _OTHER), ('2.60', _OTHER), ('2.61', _OTHER),
    ('2.62', 'instance action events: hostId, and host for admins'),
    ('2.63', 'server: trusted_image_certificates'),
    ('2.64', _OTHER), ('2.65', _OTHER),
    ('2.66', 'servers list and instance actions: changes-before'),
    ('2.67', _OTHER), ('2.68', _OTHER),
    ('2.69', 'servers: partial records for down cells (never here)'),
    ('2.70', _OTHER), ('2.71', 'server: server_groups'), ('2.72', _OTHER),
    ('2.73', 'server: locked_reason; servers list: locked filter and sort '
     'key'), ('2.74', _OTHER),
    ('2.75', 'servers list: unknown parameters and the sort keys earlier '
     'versions ignored are 400'),
    ('2.76', _OTHER), ('2.77', _OTHER), ('2.78', _OTHER), ('2.79', _OTHER),
    ('2.80', _OTHER), ('2.81', _OTHER), ('2.82', _OTHER),
    ('2.83', 'servers list: more filters for non-admins'),
    ('2.84', 'instance action events: details'),
    ('2.85', _OTHER), ('2.86', _OTHER), ('2.87', _OTHER), ('2.88', _OTHER),
    ('2.89', _OTHER),
    ('2.90', 'server: OS-EXT-SRV-ATTR:hostname for owners; servers list: '
     'hostname filter for non-admins'),
    ('2.91', _OTHER), ('2.92', _OTHER), ('2.93', _OTHER), ('2.94', _OTHER),
    ('2.95', _OTHER), ('2.96', 'server: pinned_availability_zone'),
    ('2.97', _OTHER), ('2.98', 'server: image properties embedded'),
    ('2.99', _OTHER), ('2.100', 'server: scheduler_hints'),
    ('2.101', _OTHER),
    ('2.102', 'server and instance action show: any query parameter is '
     '400'),
    ('2.103', _OTHER), ('2.104', _OTHER),
)

VERSION_STRINGS = tuple(v for v, _note in VERSIONS)
MIN_VERSION = microversion_parse.parse_version_string(VERSION_STRINGS[0])
MAX_VERSION = microversion_parse.parse_version_string(VERSION_STRINGS[-1])


def _changes_here(text):
    """The Version ``text``, which VERSIONS must list with a note of what
    it changes here: code compares only against these names."""
    if dict(VERSIONS).get(text, _OTHER) == _OTHER:
        raise ValueError('microversion %s is compared against but VERSIONS '
                         'does not say what it changes' % text)
    return microversion_parse.parse_version_string(text)


# The versions the code compares against, by what they change.
SERVER_MORE_EXTENDED_ATTRIBUTES = _changes_here('2.3')
SERVERS_IP6_FILTER = _changes_here('2.5')
SERVER_LOCKED = _changes_here('2.9')
SERVER_HOST_STATUS = _changes_here('2.16')
TRIGGER_CRASH_DUMP = _changes_here('2.17')
SERVER_DESCRIPTION = _changes_here('2.19')
ACTIONS_OF_DELETED_SERVERS = _changes_here('2.21')
SERVER_TAGS = _changes_here('2.26')
UNKNOWN_STATUS_REFUSED = _changes_here('2.38')
FLAVOR_EMBEDDED = _changes_here('2.47')
ACTION_EVENTS_FOR_OWNERS = _changes_here('2.51')
ACTIONS_PAGED = _changes_here('2.58')
ACTION_EVENT_HOST = _changes_here('2.62')
TRUSTED_IMAGE_CERTIFICATES = _changes_here('2.63')
CHANGES_BEFORE = _changes_here('2.66')
SERVER_GROUPS = _changes_here('2.71')
SERVER_LOCKED_REASON = _changes_here('2.73')
SERVERS_LIST_STRICT = _changes_here('2.75')
SERVERS_MORE_FILTERS = _changes_here('2.83')
ACTION_EVENT_DETAILS = _changes_here('2.84')
SERVER_HOSTNAME_FOR_OWNERS = _changes_here('2.90')
PINNED_AVAILABILITY_ZONE = _changes_here('2.96')
IMAGE_PROPERTIES = _changes_here('2.98')
SCHEDULER_HINTS = _changes_here('2.100')
SHOW_QUERY_STRICT = _changes_here('2.102')
# Nova accepts no leading zeros and no signs: '2.01' is malformed.
_FORMAT = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class InvalidVersionFormat(exception.Invalid):
    """The header's version is not MajorNum.MinorNum."""
    msg_fmt = ('API Version String %(version)s is of invalid format. Must be '
               'of format MajorNum.MinorNum.')


class VersionNotSupported(exception.CrashdumpException):
    """The header's version is outside MIN_VERSION..MAX_VERSION."""
    msg_fmt = ('Version %(version)s is not supported by the API. Minimum is '
               '%(minimum)s and maximum is %(maximum)s.')
    code = 406


def parse(headers):
    """Return the request's :class:`microversion_parse.Version`.

    No header means the minimum; ``latest`` means the maximum. The standard
    header wins over the legacy one. Raises InvalidVersionFormat or
    VersionNotSupported.
    """
    found = microversion_parse.get_version(
        headers, service_type=SERVICE_TYPE, legacy_headers=[LEGACY_HEADER])
    if found is None:
        return MIN_VERSION
    if found.strip().lower() == 'latest':
        return MAX_VERSION
    match = _FORMAT.match(found.strip())
    if not match:
        raise InvalidVersionFormat(version=found)
    version = microversion_parse.Version(int(match.group(1)),
                                         int(match.group(2)))
    if not MIN_VERSION <= version <= MAX_VERSION:
        # Nova echoes the version it refuses, so the client sees which.
        raise VersionNotSupported(
            version=found, minimum=MIN_VERSION, maximum=MAX_VERSION,
            headers=response_headers(found.strip()))
    return version


# The WSGI environ keys of the two version headers.
_ENVIRON_KEYS = {
    'HTTP_' + name.upper().replace('-', '_'): name
    for name in (STANDARD_HEADER, LEGACY_HEADER)}


def request_headers(environ):
    """The request's version headers, for :func:`parse`: a mapping of
    just those, read from the WSGI environ (cheaper than all headers)."""
    return {name: environ[key] for key, name in _ENVIRON_KEYS.items()
            if key in environ}


def response_headers(version):
    """Headers every versioned response carries."""
    return [(STANDARD_HEADER, f'{SERVICE_TYPE} {version}'),
            (LEGACY_HEADER, str(version)),
            ('Vary', VARY)]


def at_least(version, wanted):
    """True when ``version`` is ``wanted`` (one of the names above, e.g.
    :data:`FLAVOR_EMBEDDED`) or later."""
    if isinstance(wanted, str):
        wanted = microversion_parse.parse_version_string(wanted)
    return version >= wanted
