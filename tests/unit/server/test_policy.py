"""The policy rules in code, the enforcer, and the oslo.policy tools."""
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from unittest import mock

from oslo_config import cfg
from oslo_policy import policy as oslo_policy

from crashdump_server import context
from crashdump_server import exception
from crashdump_server import policies
from crashdump_server import policy

CONF = cfg.CONF
SERVER_DIR = os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..', '..', 'server'))

OWNER_PROJECT = 'project-a'
OTHER_PROJECT = 'project-b'
TARGET = {'project_id': OWNER_PROJECT, 'user_id': 'alice'}

# Nova 34's defaults for the rules crashdump registers: name -> check string.
# Every one of them is for project-scoped tokens only.
NOVA_DEFAULTS = {
    'os_compute_api:servers:index': 'rule:project_reader_or_admin',
    'os_compute_api:servers:detail': 'rule:project_reader_or_admin',
    'os_compute_api:servers:index:get_all_tenants': 'rule:context_is_admin',
    'os_compute_api:servers:detail:get_all_tenants': 'rule:context_is_admin',
    'os_compute_api:servers:allow_all_filters': 'rule:context_is_admin',
    'os_compute_api:servers:show': 'rule:project_reader_or_admin',
    'os_compute_api:servers:show:flavor-extra-specs':
        'rule:project_reader_or_admin',
    'os_compute_api:servers:show:host_status': 'rule:context_is_admin',
    'os_compute_api:servers:show:host_status:unknown-only':
        'rule:context_is_admin',
    'os_compute_api:servers:trigger_crash_dump':
        'rule:project_member_or_admin',
    'os_compute_api:os-extended-server-attributes': 'rule:context_is_admin',
    'os_compute_api:os-instance-actions:list': 'rule:project_reader_or_admin',
    'os_compute_api:os-instance-actions:show': 'rule:project_reader_or_admin',
    'os_compute_api:os-instance-actions:events': 'rule:context_is_admin',
    'os_compute_api:os-instance-actions:events:details':
        'rule:context_is_admin',
    'os_compute_api:os-console-output': 'rule:project_member_or_admin',
}
NOVA_BASE_DEFAULTS = {
    'context_is_admin': 'role:admin',
    'project_manager_api': 'role:manager and project_id:%(project_id)s',
    'project_member_api': 'role:member and project_id:%(project_id)s',
    'project_reader_api': 'role:reader and project_id:%(project_id)s',
    'project_manager_or_admin':
        'rule:project_manager_api or rule:context_is_admin',
    'project_member_or_admin':
        'rule:project_member_api or rule:context_is_admin',
    'project_reader_or_admin':
        'rule:project_reader_api or rule:context_is_admin',
}

PERSONAS = ('admin', 'owner_member', 'other_member', 'owner_reader',
            'no_roles')
# Who passes each persona rule, against a server of OWNER_PROJECT.
ALLOWED = {
    'rule:project_reader_or_admin': {'admin', 'owner_member',
                                     'owner_reader'},
    'rule:project_member_or_admin': {'admin', 'owner_member'},
    'rule:context_is_admin': {'admin'},
}


def make_context(persona):
    """A context as crashdump's authentication gives it for ``persona``."""
    if persona == 'admin':
        # noauth's admin user: all three roles, project from the token,
        # which need not be the server's.
        return context.RequestContext(
            user_id='admin', project_id=OTHER_PROJECT,
            roles=['admin', 'member', 'reader'], is_admin=True)
    project, roles = {
        'owner_member': (OWNER_PROJECT, ['member', 'reader']),
        'other_member': (OTHER_PROJECT, ['member', 'reader']),
        'owner_reader': (OWNER_PROJECT, ['reader']),
        'no_roles': (OWNER_PROJECT, []),
    }[persona]
    return context.RequestContext(user_id='user-' + persona,
                                  project_id=project, roles=roles)


class PolicyTestCase(unittest.TestCase):
    def setUp(self):
        super().setUp()
        policy.reset()
        self.addCleanup(policy.reset)

    def load_config(self, policy_text, conf_text=''):
        """Parse CONF with a config file and a policy file beside it."""
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        conf_path = os.path.join(tmp, 'crashdump.conf')
        with open(conf_path, 'w') as f:
            f.write(textwrap.dedent(conf_text))
        policy_path = os.path.join(tmp, 'policy.yaml')
        with open(policy_path, 'w') as f:
            f.write(textwrap.dedent(policy_text))
        CONF(['--config-file', conf_path], project='crashdump')
        self.addCleanup(CONF.reset)
        policy.reset()
        return policy_path


class TestDefaults(PolicyTestCase):
    def test_each_rule_for_each_persona(self):
        # Expectations come from Nova's defaults, not from the rules under
        # test, so a changed default fails here too.
        for name, check_str in NOVA_DEFAULTS.items():
            allowed = ALLOWED[check_str]
            for persona in PERSONAS:
                with self.subTest(rule=name, persona=persona):
                    result = policy.authorize(make_context(persona), name,
                                              TARGET, fatal=False)
                    self.assertIs(persona in allowed, result)

    def test_trigger_crash_dump_denied_raises_403(self):
        ctx = make_context('owner_reader')
        rule = 'os_compute_api:servers:trigger_crash_dump'
        with self.assertRaises(exception.PolicyNotAuthorized) as caught:
            ctx.can(rule, {'project_id': OWNER_PROJECT, 'user_id': 'x'})
        self.assertEqual(403, caught.exception.code)
        self.assertEqual("Policy doesn't allow %s to be performed." % rule,
                         str(caught.exception))

    def test_allowed_returns_true(self):
        self.assertIs(True, make_context('owner_member').can(
            'os_compute_api:servers:trigger_crash_dump', TARGET))

    def test_no_target_means_the_callers_own_project(self):
        ctx = make_context('other_member')
        self.assertTrue(ctx.can('os_compute_api:servers:index'))
        self.assertFalse(policy.authorize(
            ctx, 'os_compute_api:servers:index', TARGET, fatal=False))

    def test_unregistered_rule_is_an_error_even_when_not_fatal(self):
        ctx = make_context('admin')
        for fatal in (True, False):
            with self.subTest(fatal=fatal):
                self.assertRaises(oslo_policy.PolicyNotRegistered,
                                  policy.authorize, ctx,
                                  'os_compute_api:servers:create', TARGET,
                                  fatal=fatal)

    def test_system_scoped_admin_is_refused_like_nova(self):
        ctx = context.RequestContext(user_id='admin', system_scope='all',
                                     roles=['admin', 'member', 'reader'])
        for name in NOVA_DEFAULTS:
            with self.subTest(rule=name):
                self.assertRaises(exception.PolicyNotAuthorized,
                                  ctx.can, name, TARGET)
                self.assertIs(False, ctx.can(name, TARGET, fatal=False))
        # context_is_admin has no scope types: the admin is still an admin.
        self.assertTrue(policy.check_is_admin(ctx))

    def test_domain_scoped_token_is_refused(self):
        ctx = context.RequestContext(user_id='admin', domain_id='default',
                                     roles=['admin'])
        self.assertFalse(ctx.can('os_compute_api:servers:show', TARGET,
                                 fatal=False))

    def test_check_is_admin(self):
        self.assertTrue(policy.check_is_admin(make_context('admin')))
        self.assertFalse(policy.check_is_admin(make_context('owner_member')))

    def test_new_defaults_are_enforced(self):
        self.load_config('{}\n')
        self.assertTrue(CONF.oslo_policy.enforce_new_defaults)
        if 'enforce_scope' in CONF.oslo_policy:
            self.assertTrue(CONF.oslo_policy.enforce_scope)


class TestRulesInCode(unittest.TestCase):
    def test_names_and_check_strings_match_nova(self):
        # crashdump's own resources have rules of their own prefix.
        rules = {r.name: r.check_str for r in policies.list_rules()
                 if not r.name.startswith('crashdump:')}
        self.assertEqual(dict(NOVA_DEFAULTS, **NOVA_BASE_DEFAULTS), rules)

    def test_no_duplicate_names(self):
        names = [r.name for r in policies.list_rules()]
        self.assertEqual(len(names), len(set(names)))

    def test_api_rules_are_documented(self):
        api_rules = [r for r in policies.list_rules()
                     if r.name not in NOVA_BASE_DEFAULTS
                     and not r.name.startswith('crashdump:')]
        self.assertEqual(len(NOVA_DEFAULTS), len(api_rules))
        for rule in api_rules:
            with self.subTest(rule=rule.name):
                self.assertIsInstance(rule, oslo_policy.DocumentedRuleDefault)
                self.assertEqual(['project'], rule.scope_types)
                self.assertTrue(rule.description.strip())
                self.assertTrue(rule.operations)
                for op in rule.operations:
                    self.assertIn(op['method'], ('GET', 'POST'))
                    self.assertTrue(op['path'].startswith('/servers'))
                # Nova 34 links only these two to an older rule.
                if rule.name.endswith(('-actions:list', '-actions:show')):
                    self.assertEqual('os_compute_api:os-instance-actions',
                                     rule.deprecated_rule.name)
                else:
                    self.assertIsNone(rule.deprecated_rule)

    def test_base_rules_describe_personas_without_scope(self):
        for rule in policies.list_rules():
            if rule.name in NOVA_BASE_DEFAULTS:
                with self.subTest(rule=rule.name):
                    self.assertTrue(rule.description.strip())
                    self.assertIsNone(rule.scope_types)

    def test_trigger_crash_dump_guards_the_action(self):
        rule = {r.name: r for r in policies.list_rules()}[
            'os_compute_api:servers:trigger_crash_dump']
        self.assertEqual(
            [{'method': 'POST',
              'path': '/servers/{server_id}/action (trigger_crash_dump)'}],
            rule.operations)

    def test_every_reference_resolves(self):
        enforcer = oslo_policy.Enforcer(cfg.ConfigOpts(), use_conf=False)
        enforcer.register_defaults(policies.list_rules())
        enforcer.set_rules({r.name: r.check for r in policies.list_rules()})
        self.assertTrue(enforcer.check_rules())


class TestPolicyFile(PolicyTestCase):
    def test_override_changes_a_decision(self):
        ctx = make_context('owner_member')
        rule = 'os_compute_api:servers:trigger_crash_dump'
        self.assertTrue(ctx.can(rule, TARGET))
        self.load_config('''\
            "%s": "rule:context_is_admin"
        ''' % rule)
        self.assertFalse(ctx.can(rule, TARGET, fatal=False))
        self.assertTrue(make_context('admin').can(rule, TARGET))

    def test_policy_file_named_in_config(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, 'crashdump-policy.yaml')
        with open(path, 'w') as f:
            f.write('"os_compute_api:servers:show": "!"\n')
        self.load_config('{}\n', '''\
            [oslo_policy]
            policy_file = %s
        ''' % path)
        self.assertFalse(make_context('admin').can(
            'os_compute_api:servers:show', TARGET, fatal=False))

    def test_changed_file_is_read_again(self):
        rule = 'os_compute_api:os-instance-actions:events'
        path = self.load_config('"%s": "rule:context_is_admin"\n' % rule)
        ctx = make_context('owner_reader')
        self.assertFalse(ctx.can(rule, TARGET, fatal=False))
        with open(path, 'w') as f:
            f.write('"%s": "rule:project_reader_or_admin"\n' % rule)
        later = time.time() + 10
        os.utime(path, (later, later))
        # The file is looked at again once RELOAD_INTERVAL has passed.
        policy._ENFORCER._last_load -= policy.RELOAD_INTERVAL
        self.assertTrue(ctx.can(rule, TARGET, fatal=False))

    def test_set_rules_overlays_defaults(self):
        policy.set_rules({'os_compute_api:servers:show': '!'})
        ctx = make_context('admin')
        self.assertFalse(ctx.can('os_compute_api:servers:show', TARGET,
                                 fatal=False))
        self.assertTrue(ctx.can('os_compute_api:servers:index', TARGET))


class TestDecisionMemory(PolicyTestCase):
    RULE = 'os_compute_api:servers:trigger_crash_dump'

    def count_evaluations(self):
        enforcer = policy.init()
        counted = mock.patch.object(enforcer, 'enforce',
                                    wraps=enforcer.enforce).start()
        self.addCleanup(mock.patch.stopall)
        return counted

    def test_a_repeated_check_is_evaluated_once(self):
        evaluations = self.count_evaluations()
        for _ in range(3):
            self.assertTrue(make_context('owner_member').can(self.RULE,
                                                             TARGET))
        self.assertEqual(1, evaluations.call_count)

    def test_a_remembered_denial_still_raises_403(self):
        ctx = make_context('owner_reader')
        for _ in range(2):
            with self.assertRaises(exception.PolicyNotAuthorized) as caught:
                ctx.can(self.RULE, TARGET)
            self.assertEqual(403, caught.exception.code)

    def test_target_and_credentials_are_part_of_the_decision(self):
        member = make_context('owner_member')
        self.assertTrue(member.can(self.RULE, TARGET))
        other = dict(TARGET, project_id=OTHER_PROJECT)
        self.assertFalse(member.can(self.RULE, other, fatal=False))
        self.assertFalse(make_context('other_member').can(
            self.RULE, TARGET, fatal=False))
        self.assertTrue(make_context('admin').can(self.RULE, other))

    def test_changed_rules_are_not_answered_from_memory(self):
        ctx = make_context('owner_member')
        self.assertTrue(ctx.can(self.RULE, TARGET))
        policy.set_rules({self.RULE: '!'})
        self.assertFalse(ctx.can(self.RULE, TARGET, fatal=False))

    def test_memory_is_bounded(self):
        with mock.patch.object(policy, 'MAX_DECISIONS', 3):
            for number in range(10):
                make_context('owner_member').can(
                    self.RULE, dict(TARGET, user_id='user-%d' % number))
            self.assertLessEqual(len(policy.init()._decisions), 3)


def _tool(name):
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(path):
        raise AssertionError('%s not found beside %s; install oslo.policy '
                             'in this environment' % (name, sys.executable))
    return path


class TestOsloPolicyTools(unittest.TestCase):
    """The oslopolicy-* commands, through crashdump's entry points."""

    def setUp(self):
        super().setUp()
        for group, value in (
                ('oslo.policy.policies', 'crashdump_server.policies:'
                                         'list_rules'),
                ('oslo.policy.enforcer', 'crashdump_server.policy:'
                                         'get_enforcer')):
            found = [ep.value for ep in importlib.metadata.entry_points(
                group=group, name='crashdump')]
            self.assertEqual([value], found,
                             'install the server: pip install -e server')
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def run_tool(self, name, *args):
        env = dict(os.environ, PYTHONPATH=SERVER_DIR)
        proc = subprocess.run([_tool(name)] + list(args), cwd=self.tmp,
                              env=env, capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return proc.stdout

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def write_config(self):
        # The policy file's default name, found beside the config file.
        self.write('policy.yaml',
                   '"os_compute_api:servers:trigger_crash_dump": '
                   '"rule:context_is_admin"\n'
                   '"os_compute_api:servers:show": '
                   '"rule:project_reader_or_admin"\n')
        return self.write('crashdump.conf', '[oslo_policy]\n')

    def test_sample_generator_lists_every_rule(self):
        out = self.run_tool('oslopolicy-sample-generator',
                            '--namespace', 'crashdump')
        for rule in policies.list_rules():
            self.assertIn('#"%s": "%s"' % (rule.name, rule.check_str), out)
        self.assertIn('# POST  /servers/{server_id}/action '
                      '(trigger_crash_dump)', out)

    def test_policy_generator_merges_the_file(self):
        conf = self.write_config()
        out = self.run_tool('oslopolicy-policy-generator',
                            '--namespace', 'crashdump', '--config-file', conf)
        self.assertIn('"os_compute_api:servers:trigger_crash_dump": '
                      '"rule:context_is_admin"', out)
        self.assertIn('"os_compute_api:os-console-output": '
                      '"rule:project_member_or_admin"', out)

    def test_list_redundant_finds_a_default_in_the_file(self):
        conf = self.write_config()
        out = self.run_tool('oslopolicy-list-redundant',
                            '--namespace', 'crashdump', '--config-file', conf)
        self.assertEqual(['"os_compute_api:servers:show": '
                          '"rule:project_reader_or_admin"'],
                         out.splitlines())

    def test_validator_rejects_an_undefined_reference(self):
        self.write('policy.yaml', '"os_compute_api:servers:show": '
                                  '"rule:no_such_rule"\n')
        conf = self.write('crashdump.conf', '[oslo_policy]\n')
        proc = subprocess.run(
            [_tool('oslopolicy-validator'), '--namespace', 'crashdump',
             '--config-file', conf],
            cwd=self.tmp, env=dict(os.environ, PYTHONPATH=SERVER_DIR),
            capture_output=True, text=True, timeout=60)
        self.assertEqual(1, proc.returncode, proc.stdout + proc.stderr)

    def test_checker_on_a_generated_file(self):
        effective = os.path.join(self.tmp, 'effective.yaml')
        self.run_tool('oslopolicy-policy-generator', '--namespace',
                      'crashdump', '--output-file', effective)
        access = self.write('access.json', '''\
            {"token": {"roles": [{"name": "member"}, {"name": "reader"}],
                       "user": {"id": "alice"},
                       "project": {"id": "project-a"}}}
        ''')
        out = self.run_tool('oslopolicy-checker', '--policy', effective,
                            '--access', access)
        self.assertIn('passed: os_compute_api:servers:trigger_crash_dump',
                      out)
        self.assertIn('failed: os_compute_api:servers:show:host_status', out)

    def test_policy_modules_do_not_import_the_api(self):
        code = ('import sys, crashdump_server.policy, '
                'crashdump_server.policies; '
                'print(sorted(m for m in sys.modules '
                'if m.startswith("crashdump_server.api")))')
        proc = subprocess.run([sys.executable, '-c', code],
                              env=dict(os.environ, PYTHONPATH=SERVER_DIR),
                              capture_output=True, text=True, timeout=60)
        self.assertEqual('[]', proc.stdout.strip(), proc.stderr)
