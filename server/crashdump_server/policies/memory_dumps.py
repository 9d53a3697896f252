"""Rules for host-side memory dumps (crashdump's own resource).

A memory dump is a copy of everything the guest held in RAM: disk
encryption keys, TLS private keys, passwords, session tokens, customer
data. So creating one and downloading one are for administrators by
default, even for the server's own project: a project member who may
reboot a server may not thereby read its secrets from outside. An
operator who trusts project members with their own guests' memory (a
private cloud, a debugging project) can open ``create`` and ``download``
to them in a policy file, e.g.
``"crashdump:memory_dumps:create": "rule:project_member_or_admin"``.

Listing and showing dumps reveal only their metadata (status, size,
checksum), so project readers may. Deleting destroys evidence and is for
administrators too.

Every check is made against ``{'project_id': <server's project>,
'user_id': <server's user>}``.
"""
from oslo_policy import policy

from crashdump_server.policies import base

_PREFIX = 'crashdump:memory_dumps:'

CREATE = _PREFIX + 'create'
LIST = _PREFIX + 'list'
SHOW = _PREFIX + 'show'
DOWNLOAD = _PREFIX + 'download'
DELETE = _PREFIX + 'delete'

_COLLECTION = '/servers/{server_id}/crashdump-memory-dumps'
_ONE = _COLLECTION + '/{dump_id}'

rules = [
    policy.DocumentedRuleDefault(
        name=CREATE,
        check_str=base.ADMIN,
        description='Dump a server\'s memory on its host (and, if asked, '
                    'trigger a crash dump right after). The dump holds '
                    'every secret the guest had in memory: administrators '
                    'only by default.',
        operations=[{'method': 'POST', 'path': _COLLECTION}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=LIST,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List a server\'s memory dumps (metadata only).',
        operations=[{'method': 'GET', 'path': _COLLECTION}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=SHOW,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one memory dump: status, progress, format, size, '
                    'checksum, host and errors (metadata only).',
        operations=[{'method': 'GET', 'path': _ONE}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=DOWNLOAD,
        check_str=base.ADMIN,
        description='Download a memory dump\'s file: the guest\'s memory, '
                    'with every secret in it. Administrators only by '
                    'default.',
        operations=[{'method': 'GET', 'path': _ONE + '/file'}],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=DELETE,
        check_str=base.ADMIN,
        description='Delete a memory dump; one still being created is '
                    'aborted. Administrators only by default: a dump is '
                    'evidence.',
        operations=[{'method': 'DELETE', 'path': _ONE}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    """Return the ``DocumentedRuleDefault`` list for memory dumps."""
    return rules
