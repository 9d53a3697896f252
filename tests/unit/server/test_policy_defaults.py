"""[oslo_policy] enforce_new_defaults and enforce_scope both ways, as Nova 34
has them (expectations from nova/policies/base.py and instance_actions.py
of nova 34.0.0: the old rule ``is_admin:True or project_id:%(project_id)s``
is ORed into the personas when enforce_new_defaults is false)."""
from crashdump_server import context
from crashdump_server import policy
from tests.unit.server.test_policy import PolicyTestCase

TRIGGER = 'os_compute_api:servers:trigger_crash_dump'
CONSOLE = 'os_compute_api:os-console-output'
LIST_ACTIONS = 'os_compute_api:os-instance-actions:list'
EVENTS = 'os_compute_api:os-instance-actions:events'


def check(rule, roles, project='demo', system_scope=None):
    ctx = context.RequestContext(user_id='u', project_id=project,
                                 roles=roles, system_scope=system_scope)
    ctx.is_admin = policy.check_is_admin(ctx)
    return policy.authorize(ctx, rule, {'project_id': 'demo'}, fatal=False)


class EnforceNewDefaultsTest(PolicyTestCase):

    def configure(self, options):
        self.load_config('', '[oslo_policy]\n' + options)

    def test_new_defaults_keep_readers_from_acting(self):
        self.configure('enforce_new_defaults = true\n')
        self.assertFalse(check(TRIGGER, ['reader']))
        self.assertFalse(check(CONSOLE, ['reader']))
        self.assertTrue(check(LIST_ACTIONS, ['reader']))

    def test_old_defaults_let_any_project_user_act(self):
        self.configure('enforce_new_defaults = false\n')
        self.assertTrue(check(TRIGGER, ['reader']))
        self.assertTrue(check(CONSOLE, ['reader']))
        self.assertTrue(check(LIST_ACTIONS, ['reader']))
        # Events stay admin-only: Nova gives them no old rule.
        self.assertFalse(check(EVENTS, ['reader']))

    def test_other_project_is_refused_either_way(self):
        for value in ('true', 'false'):
            self.configure('enforce_new_defaults = %s\n' % value)
            self.assertFalse(check(TRIGGER, ['member'], project='other'))
            self.assertTrue(check(TRIGGER, ['admin'], project='other'))

    def test_system_scope_refused_whatever_enforce_scope_says(self):
        # oslo.policy 6, which Nova 34 requires, has no enforce_scope
        # option: the scope is always checked, and a file saying
        # enforce_scope = false changes nothing, in Nova and here.
        for value in ('true', 'false'):
            self.configure('enforce_scope = %s\n' % value)
            self.assertFalse(check(TRIGGER, ['admin'], project=None,
                                   system_scope='all'))
