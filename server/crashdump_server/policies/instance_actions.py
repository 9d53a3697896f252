"""Rules for a server's action history: ``os-instance-actions``.

The history is how a user learns whether a crash dump reached the guest:
the ``trigger_crash_dump`` action and its ``compute_trigger_crash_dump``
event with result Success or Error.

Names, default check strings, scope types and deprecated rules are Nova
34's: ``list`` and ``show`` name the older rule
``os_compute_api:os-instance-actions`` as their ``deprecated_rule``, which
counts only with ``[oslo_policy] enforce_new_defaults = false``.

Every check is made against ``{'project_id': <server's project>}``.
``EVENTS`` and ``EVENTS_DETAILS`` are consulted only after ``SHOW`` passed,
and without failing the request: they decide which fields the answer has.
"""
from oslo_policy import policy

from crashdump_server.policies import base

_PREFIX = 'os_compute_api:os-instance-actions:'

LIST = _PREFIX + 'list'
SHOW = _PREFIX + 'show'
EVENTS = _PREFIX + 'events'
EVENTS_DETAILS = _PREFIX + 'events:details'

# Nova 34's old rule for the whole history (deprecated since its 21.0.0).
_DEPRECATED = policy.DeprecatedRule(
    name='os_compute_api:os-instance-actions',
    check_str='is_admin:True or project_id:%(project_id)s',
    deprecated_reason='Split into the list, show and events rules.',
    deprecated_since='21.0.0')

_LIST = {'method': 'GET', 'path': '/servers/{server_id}/os-instance-actions'}
_SHOW = {'method': 'GET',
         'path': '/servers/{server_id}/os-instance-actions/{request_id}'}

rules = [
    policy.DocumentedRuleDefault(
        name=LIST,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='List the actions recorded for a server, newest first.',
        operations=[_LIST],
        scope_types=base.PROJECT_SCOPE,
        deprecated_rule=_DEPRECATED),
    policy.DocumentedRuleDefault(
        name=SHOW,
        check_str=base.PROJECT_READER_OR_ADMIN,
        description='Show one action of a server, found by its request id.',
        operations=[_SHOW],
        scope_types=base.PROJECT_SCOPE,
        deprecated_rule=_DEPRECATED),
    policy.DocumentedRuleDefault(
        name=EVENTS,
        check_str=base.ADMIN,
        description='Show an action\'s events in full. Callers who pass '
                    'this rule see the events at every microversion, with '
                    'each event\'s ``traceback`` and, from microversion '
                    '2.62, the ``host`` it ran on. Others see the events '
                    'only from microversion 2.51, without ``traceback`` '
                    'and ``host``; from 2.62 everyone sees the hashed '
                    '``hostId``.',
        operations=[_SHOW],
        scope_types=base.PROJECT_SCOPE),
    policy.DocumentedRuleDefault(
        name=EVENTS_DETAILS,
        check_str=base.ADMIN,
        description='From microversion 2.84 add ``details`` to each event: '
                    'why an event failed, for example "Triggering crash '
                    'dump is not supported". It helps a user decide '
                    'whether to retry, but can reveal how the cloud is '
                    'built (the hypervisor type, for one), hence admin '
                    'only by default.',
        operations=[_SHOW],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    """Return the ``DocumentedRuleDefault`` list for instance actions."""
    return rules
