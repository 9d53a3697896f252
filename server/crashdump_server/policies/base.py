"""The personas every crashdump rule is built from.

The names and check strings are Nova 34's, so a policy file written for
Nova's compute API reads the same way here: ``rule:project_member_or_admin``
means a member of the server's project, or an admin.

These base rules are plain ``RuleDefault`` entries, as in Nova: they guard
no operation by themselves (API rules refer to them) and carry no scope
types, so ``context_is_admin`` answers for any token, whatever its scope.

The deprecated rules Nova 34 links to its personas are linked here too,
with Nova's check strings, so ``[oslo_policy] enforce_new_defaults = false``
gives what Nova 34 gives: oslo.policy then ORs each persona with its old
rule, and any user of the owning project (a reader too) passes
``project_member_api``. With the default (true) they play no part.

Not carried over from Nova: ``admin_or_owner`` and ``admin_api``, which
Nova still registers as deprecated for removal (crashdump never had them,
so nobody's policy file refers to them), and ``service_api`` and
``service_or_admin``: crashdump serves no service-to-service operation.
"""
from oslo_policy import policy

# Aliases the resource modules use in their check strings.
ADMIN = 'rule:context_is_admin'
PROJECT_MANAGER_OR_ADMIN = 'rule:project_manager_or_admin'
PROJECT_MEMBER_OR_ADMIN = 'rule:project_member_or_admin'
PROJECT_READER_OR_ADMIN = 'rule:project_reader_or_admin'

# Every API rule is for project-scoped tokens: servers belong to projects.
# A system-scoped or domain-scoped token is refused, as Nova refuses it.
PROJECT_SCOPE = ['project']

# Nova 34's old defaults (nova/policies/base.py), deprecated since its
# 21.0.0; only consulted with enforce_new_defaults = false.
_DEPRECATED_REASON = ('Nova API policies introduced new default roles with '
                      'scope types; the old defaults are deprecated.')
DEPRECATED_ADMIN = policy.DeprecatedRule(
    name='admin_api', check_str='is_admin:True',
    deprecated_reason=_DEPRECATED_REASON, deprecated_since='21.0.0')
DEPRECATED_ADMIN_OR_OWNER = policy.DeprecatedRule(
    name='admin_or_owner',
    check_str='is_admin:True or project_id:%(project_id)s',
    deprecated_reason=_DEPRECATED_REASON, deprecated_since='21.0.0')

rules = [
    policy.RuleDefault(
        name='context_is_admin',
        check_str='role:admin',
        description='Who counts as a cloud administrator: sees every '
                    'project\'s servers, bypasses server locks and sees the '
                    'admin-only fields of servers and action events.',
        deprecated_rule=DEPRECATED_ADMIN),
    policy.RuleDefault(
        name='project_manager_api',
        check_str='role:manager and project_id:%(project_id)s',
        description='A user with the manager role in the project that owns '
                    'the resource.',
        deprecated_rule=DEPRECATED_ADMIN),
    policy.RuleDefault(
        name='project_member_api',
        check_str='role:member and project_id:%(project_id)s',
        description='A user with the member role in the project that owns '
                    'the resource.',
        deprecated_rule=DEPRECATED_ADMIN_OR_OWNER),
    policy.RuleDefault(
        name='project_reader_api',
        check_str='role:reader and project_id:%(project_id)s',
        description='A user with the reader role in the project that owns '
                    'the resource.',
        deprecated_rule=DEPRECATED_ADMIN_OR_OWNER),
    policy.RuleDefault(
        name='project_manager_or_admin',
        check_str='rule:project_manager_api or rule:context_is_admin',
        description='A manager of the owning project, or an administrator.'),
    policy.RuleDefault(
        name='project_member_or_admin',
        check_str='rule:project_member_api or rule:context_is_admin',
        description='A member of the owning project, or an administrator. '
                    'Guards operations that change or act on a server.'),
    policy.RuleDefault(
        name='project_reader_or_admin',
        check_str='rule:project_reader_api or rule:context_is_admin',
        description='A reader of the owning project, or an administrator. '
                    'Guards operations that only look at a server.'),
]


def list_rules():
    """Return the base ``RuleDefault`` list (personas, no operations)."""
    return rules
