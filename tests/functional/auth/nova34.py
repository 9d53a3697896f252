"""What Nova 34 answers each caller on each endpoint crashdump serves.

Every cell is derived from nova 34.0.0 (``tox -e nova`` installs it), not
from crashdump. The sources, all under ``nova/`` of that release:

* ``policies/base.py``: ``context_is_admin`` = ``role:admin`` (no scope
  types); ``project_reader_or_admin`` and ``project_member_or_admin`` =
  the role in the target's project, or ``context_is_admin``. With
  ``enforce_new_defaults = false`` the old rule
  ``is_admin:True or project_id:%(project_id)s`` is ORed into
  ``project_member_api`` and ``project_reader_api``.
* ``policies/servers.py``: ``servers:index``, ``servers:show`` =
  project_reader_or_admin; ``servers:trigger_crash_dump`` =
  project_member_or_admin; all ``scope_types=['project']``.
* ``policies/instance_actions.py``: ``list``, ``show`` =
  project_reader_or_admin; ``events``, ``events:details`` = admin.
* ``policies/console_output.py``: project_member_or_admin.
* oslo.policy >= 6.0 (Nova 34's requirement) always checks scope types
  and has no ``enforce_scope`` option; ``nova/policy.py`` turns
  ``InvalidScope`` into 403. So a system-scoped token gets 403 on every
  project-scoped rule, whatever a file says about enforce_scope.
* ``compute/api.py`` ``check_instance_lock``: a locked server refuses
  non-admins (``context.is_admin``, from context_is_admin) with 409,
  after the policy check of ``api/openstack/compute/servers.py``
  ``_trigger_crash_dump``.
* ``db/main/api.py``: a non-admin context reads its own project's
  instances only, so another project's server is 404 before any policy.
* ``api/openstack/compute/console_output.py``: a driver without console
  output (``NotImplementedError``, e.g. Nova's Ironic driver) answers 501;
  crashdump's fake driver has none either.
* ``api-paste.ini``: ``/`` is served outside the auth pipeline, so the
  versions document answers 200 to anyone, token or not; keystonemiddleware
  refuses a missing, garbage, expired or revoked token with 401.

Cells are HTTP status codes; the action cell also says whether the events
carry ``details`` (microversion 2.84, ``events:details``): ``'200+details'``
or ``'200'``.
"""

COLUMNS = ('versions', 'list_servers', 'show_server', 'trigger_own',
           'trigger_other_project', 'trigger_locked', 'list_actions',
           'show_action', 'console_output')

AUTHENTICATED = ('system_admin', 'project_admin', 'member', 'reader',
                 'other_member')
UNAUTHENTICATED = ('no_token', 'garbage_token', 'expired_token',
                   'revoked_token')


def _row(*cells):
    return dict(zip(COLUMNS, cells))


# enforce_new_defaults = true (the default); enforce_scope either way.
NEW_DEFAULTS = {
    # Scope: every rule is project-scoped; the versions need no token.
    'system_admin': _row(200, 403, 403, 403, 403, 403, 403, 403, 403),
    # context_is_admin passes everything; admins bypass the lock and see
    # event details; the driver has no console (501).
    'project_admin': _row(200, 200, 200, 202, 202, 202, 200,
                          '200+details', 501),
    # Member of the owning project: 404 for another project's server,
    # 409 for a locked one, events without details.
    'member': _row(200, 200, 200, 202, 404, 409, 200, '200', 501),
    # Reader: reads, but trigger and console are member rules (403
    # before the lock is looked at).
    'reader': _row(200, 200, 200, 403, 404, 403, 200, '200', 403),
    # Member of project other, on its own server and on demo's.
    'other_member': _row(200, 200, 200, 202, 404, 404, 200, '200', 501),
}
for _name in UNAUTHENTICATED:
    NEW_DEFAULTS[_name] = _row(200, *[401] * (len(COLUMNS) - 1))

# enforce_new_defaults = false: the old admin_or_owner rule lets a reader
# of the project act like a member; nothing else changes.
OLD_DEFAULTS = dict(NEW_DEFAULTS)
OLD_DEFAULTS['reader'] = _row(200, 200, 200, 202, 404, 409, 200, '200', 501)
