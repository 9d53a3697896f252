"""Rules for the servers crashdump serves: list, show and the crash dump.

Names, default check strings and scope types are Nova 34's. Nova lists more
operations under some of these rules (``PUT /servers/{server_id}`` and the
``rebuild`` action also render a server); crashdump serves neither, so only
the operations crashdump answers are listed here. Nova's other server rules
(create, delete, resize, ...) guard operations crashdump does not serve and
are not registered.

``show:flavor-extra-specs`` has a ``deprecated_rule`` in Nova (the older
``os-flavor-extra-specs:index`` rule); crashdump has no such older rule and
drops the link.

The target each check is made against, as Nova makes it:

* ``SHOW``, ``SHOW_FLAVOR_EXTRA_SPECS``, ``SHOW_HOST_STATUS*`` when
  rendering one server: ``{'project_id': <server's project>}``.
* ``TRIGGER_CRASH_DUMP``: ``{'project_id': ..., 'user_id': ...}`` of the
  server.
* ``INDEX``, ``DETAIL``, the ``*_ALL_TENANTS`` rules, ``ALLOW_ALL_FILTERS``
  and the per-list checks of ``SHOW_FLAVOR_EXTRA_SPECS`` and
  ``SHOW_HOST_STATUS*`` in ``/servers/detail``: no target, that is the
  caller's own project and user.
"""
from oslo_policy import policy

from crashdump_server.policies import base

_PREFIX = 'os_compute_api:servers:'

INDEX = _PREFIX + 'index'
DETAIL = _PREFIX + 'detail'
INDEX_ALL_TENANTS = _PREFIX + 'index:get_all_tenants'
DETAIL_ALL_TENANTS = _PREFIX + 'detail:get_all_tenants'
ALLOW_ALL_FILTERS = _PREFIX + 'allow_all_filters'
SHOW = _PREFIX + 'show'
SHOW_FLAVOR_EXTRA_SPECS = _PREFIX + 'show:flavor-extra-specs'
SHOW_HOST_STATUS = _PREFIX + 'show:host_status'
SHOW_HOST_STATUS_UNKNOWN_ONLY = _PREFIX + 'show:host_status:unknown-only'
TRIGGER_CRASH_DUMP = _PREFIX + 'trigger_crash_dump'

_LIST = {'method': 'GET', 'path': '/servers'}
_LIST_DETAIL = {'method': 'GET', 'path': '/servers/detail'}
_SHOW = {'method': 'GET', 'path': '/servers/{server_id}'}

rules = [
    policy.DocumentedRuleDefault(
        name=INDEX,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the servers of the caller\'s project (id, name '
                    'and links).',
        operations=[_LIST],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=DETAIL,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the servers of the caller\'s project with every '
                    'field of each server.',
        operations=[_LIST_DETAIL],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=INDEX_ALL_TENANTS,
        check_str=base.ADMIN,
        description='List servers of every project, asked for with the '
                    '``all_tenants`` query parameter.',
        operations=[_LIST],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=DETAIL_ALL_TENANTS,
        check_str=base.ADMIN,
        description='List servers of every project with every field, asked '
                    'for with the ``all_tenants`` query parameter.',
        operations=[_LIST_DETAIL],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=ALLOW_ALL_FILTERS,
        check_str=base.ADMIN,
        description='Filter server lists by any supported query parameter '
                    '(for example ``host``). Callers who do not pass this '
                    'rule may use only the filters open to every user; '
                    'other filters are silently dropped.',
        operations=[_LIST, _LIST_DETAIL],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=SHOW,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one server. Clients also use this to find a '
                    'server by id before triggering a crash dump.',
        operations=[_SHOW],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=SHOW_FLAVOR_EXTRA_SPECS,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='From microversion 2.47 a server embeds its flavor; '
                    'callers who pass this rule also see the flavor\'s '
                    '``extra_specs`` there.',
        operations=[_SHOW, _LIST_DETAIL],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=SHOW_HOST_STATUS,
        check_str=base.ADMIN,
        description='From microversion 2.16 show ``host_status``, the '
                    'health of the compute agent that hosts the server '
                    '(UP, DOWN, MAINTENANCE, UNKNOWN or empty), whatever '
                    'its value. When this rule denies, '
                    '``os_compute_api:servers:show:host_status:unknown-only``'
                    ' is consulted.',
        operations=[_SHOW, _LIST_DETAIL],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=SHOW_HOST_STATUS_UNKNOWN_ONLY,
        check_str=base.ADMIN,
        description='Show ``host_status`` only when it is UNKNOWN. '
                    'Consulted only when '
                    '``os_compute_api:servers:show:host_status`` denies; '
                    'set this one to ``@`` to let every user learn that a '
                    'host stopped reporting while keeping the other states '
                    'for admins.',
        operations=[_SHOW, _LIST_DETAIL],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=TRIGGER_CRASH_DUMP,
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Trigger a crash dump: send a non-maskable interrupt '
                    '(NMI) to the server, which makes a guest configured '
                    'for it panic and write a memory dump. The guest stops '
                    'serving until it reboots.',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action '
                             '(trigger_crash_dump)'}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    """Return the ``DocumentedRuleDefault`` list for server operations."""
    return rules
