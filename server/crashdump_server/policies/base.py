"""The personas every crashdump rule is built from.

The names and check strings are Nova 34's, so a policy file written for
Nova's compute API reads the same way here: ``rule:project_member_or_admin``
means a member of the server's project, or an admin.

These base rules are plain ``RuleDefault`` entries, as in Nova: they guard
no operation by themselves (API rules refer to them) and carry no scope
types, so ``context_is_admin`` answers for any token, whatever its scope.

Not carried over from Nova:

* ``admin_or_owner`` and ``admin_api``, which Nova still registers as
  deprecated for removal, and the ``deprecated_rule`` links from the
  persona rules to them. crashdump never had the old defaults, so there is
  nothing to migrate from; with ``[oslo_policy] enforce_new_defaults`` on,
  Nova ignores them too.
* ``service_api`` and ``service_or_admin``: crashdump serves no
  service-to-service operation.
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

rules = [
    policy.RuleDefault(
        name='context_is_admin',
        check_str='role:admin',
        description='Who counts as a cloud administrator: sees every '
                    'project\'s servers, bypasses server locks and sees the '
                    'admin-only fields of servers and action events.'),
    policy.RuleDefault(
        name='project_manager_api',
        check_str='role:manager and project_id:%(project_id)s',
        description='A user with the manager role in the project that owns '
                    'the resource.'),
    policy.RuleDefault(
        name='project_member_api',
        check_str='role:member and project_id:%(project_id)s',
        description='A user with the member role in the project that owns '
                    'the resource.'),
    policy.RuleDefault(
        name='project_reader_api',
        check_str='role:reader and project_id:%(project_id)s',
        description='A user with the reader role in the project that owns '
                    'the resource.'),
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
