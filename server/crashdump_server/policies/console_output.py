"""The rule for reading a server's console log.

Served by the ``os-getConsoleOutput`` server action, so a user can see the
guest's last console lines after a crash dump, such as
"Kernel panic - not syncing: NMI". Name, default check string and scope type
are Nova 34's. Target: ``{'project_id': <server's project>}``.
"""
from oslo_policy import policy

from crashdump_server.policies import base

CONSOLE_OUTPUT = 'os_compute_api:os-console-output'

rules = [
    policy.DocumentedRuleDefault(
        name=CONSOLE_OUTPUT,
        check_str=base.PROJECT_MEMBER_OR_ADMIN,
        description='Read the tail of a server\'s console log. The log can '
                    'hold whatever the guest printed, so readers of the '
                    'project are not allowed by default.',
        operations=[{'method': 'POST',
                     'path': '/servers/{server_id}/action '
                             '(os-getConsoleOutput)'}],
        scope_types=base.PROJECT_SCOPE),
]


def list_rules():
    """Return the ``DocumentedRuleDefault`` list for the console log."""
    return rules
