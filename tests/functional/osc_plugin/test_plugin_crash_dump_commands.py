"""``openstack server crash-dump trigger|list|show`` against a running
crashdump-all (fake driver, noauth), run as users run ``openstack``.

The noauth server wants ``X-Auth-Token: <user>:<project>``, which
OpenStackClient sends with the ``admin_token`` auth type from options,
``OS_*`` variables or clouds.yaml; those are tested here. ``none`` sends
keystoneauth's placeholder token "notused", which this server refuses with
its 401 sentence (tested here too); ``http_basic`` is not a mode of this
server, so it is tested against requests-mock only
(tests/unit/client/test_osc_auth.py).
"""
import os

import yaml

from tests.functional import base
from tests.functional.base import fake_server
from tests.functional.osc_plugin import scenarios

OK_1 = '50000000-0000-4000-8000-000000000001'
OK_2 = '50000000-0000-4000-8000-000000000002'
LOCKED = '50000000-0000-4000-8000-000000000003'
DOWN = '50000000-0000-4000-8000-000000000004'
STALLED = '50000000-0000-4000-8000-000000000005'
LISTED = '50000000-0000-4000-8000-000000000006'
ENV_1 = '50000000-0000-4000-8000-000000000007'
CLOUD_1 = '50000000-0000-4000-8000-000000000008'
OLD_VERSION = '50000000-0000-4000-8000-000000000009'
TWIN_1 = '50000000-0000-4000-8000-000000000010'
TWIN_2 = '50000000-0000-4000-8000-000000000011'
FOREIGN = '50000000-0000-4000-8000-000000000012'
NOAUTH = '50000000-0000-4000-8000-000000000013'
CONCURRENT_BASE = '51000000-0000-4000-8000-%012d'
CONCURRENT_COUNT = 24


class TestOpenStackCrashDump(base.FunctionalTestCase):

    SERVERS = [
        fake_server(OK_1, 'osc-ok-1'),
        fake_server(OK_2, 'osc-ok-2'),
        fake_server(LOCKED, 'osc-locked', locked=True),
        fake_server(DOWN, 'osc-down', outcome='not_running'),
        fake_server(STALLED, 'osc-stalled', outcome='not_running'),
        fake_server(LISTED, 'osc-listed'),
        fake_server(ENV_1, 'osc-env'),
        fake_server(CLOUD_1, 'osc-cloud'),
        fake_server(OLD_VERSION, 'osc-old'),
        fake_server(TWIN_1, 'osc-twin'),
        fake_server(TWIN_2, 'osc-twin'),
        fake_server(FOREIGN, 'osc-foreign', project_id='elsewhere',
                    user_id='mallory'),
        fake_server(NOAUTH, 'osc-noauth'),
    ] + [fake_server(CONCURRENT_BASE % n, 'osc-many-%d' % n)
         for n in range(CONCURRENT_COUNT)]

    def rows(self, result):
        """The rows of a ``-f json`` run."""
        return scenarios.json_rows(self, result)

    def test_wait_reports_success_as_json(self):
        result = self.openstack('server', 'crash-dump', 'trigger',
                                'osc-ok-1', '--wait', '--poll-interval',
                                '0.2', '-f', 'json')
        self.assertSucceeded(result)
        [row] = self.rows(result)
        self.assertEqual(('osc-ok-1', OK_1, 'Success'),
                         (row['Server'], row['ID'], row['Result']),
                         result.describe())
        self.assertOneCrashDump(OK_1, row['Request ID'])
        self.assertEqual(1, self.nmis_for(OK_1))
        # Not a terminal: no progress display on stderr.
        self.assertEqual('', result.stderr, result.describe())

    def test_several_servers_one_row_each_and_exit_status(self):
        names = ['osc-ok-2', 'osc-locked', 'osc-missing', 'osc-down',
                 'osc-twin', 'osc-foreign']
        result = self.openstack('server', 'crash-dump', 'trigger', *names,
                                '--wait', '--poll-interval', '0.2',
                                '-f', 'json')
        self.assertFailed(result)
        rows = self.rows(result)
        self.assertEqual(names, [row['Server'] for row in rows],
                         result.describe())
        by_name = {row['Server']: row for row in rows}
        self.assertEqual('Success', by_name['osc-ok-2']['Result'])
        self.assertIn('Failed: Instance %s is locked (HTTP 409)' % LOCKED,
                      by_name['osc-locked']['Result'])
        self.assertEqual("Failed: No server with a name or ID of "
                         "'osc-missing' exists.",
                         by_name['osc-missing']['Result'])
        self.assertEqual(
            'Error: (error details are visible to administrators only, by '
            'the policy os_compute_api:os-instance-actions:events:details)',
            by_name['osc-down']['Result'])
        self.assertIn("Failed: Multiple server matches found for "
                      "'osc-twin'", by_name['osc-twin']['Result'])
        # Another project's server is not found by its name.
        self.assertIn("No server with a name or ID of 'osc-foreign'",
                      by_name['osc-foreign']['Result'])
        self.assertPrinted('Crash dump failed for 5 of 6 server(s): '
                           'osc-locked, osc-missing, osc-down, osc-twin, '
                           'osc-foreign.', result)
        self.assertOneCrashDump(OK_2, by_name['osc-ok-2']['Request ID'])
        self.assertOneCrashDump(DOWN, by_name['osc-down']['Request ID'],
                                result='Error')
        for untouched in (LOCKED, TWIN_1, TWIN_2, FOREIGN):
            self.assertEqual([], self.recorded_actions(untouched))

    def test_concurrent_requests_all_reach_their_outcome(self):
        ids = [CONCURRENT_BASE % n for n in range(CONCURRENT_COUNT)]
        result = self.openstack('server', 'crash-dump', 'trigger', *ids,
                                '--concurrency', '8', '--wait',
                                '--poll-interval', '0.2', '-f', 'json')
        self.assertSucceeded(result)
        rows = self.rows(result)
        self.assertEqual(ids, [row['ID'] for row in rows])
        for server_id, row in zip(ids, rows):
            self.assertEqual('Success', row['Result'], row)
            self.assertOneCrashDump(server_id, row['Request ID'])
            self.assertEqual(1, self.nmis_for(server_id))

    def test_admin_sees_error_details(self):
        result = self.openstack('server', 'crash-dump', 'trigger', STALLED,
                                '--wait', '--poll-interval', '0.2',
                                '-f', 'value', '-c', 'Result',
                                user=base.ADMIN, project=base.ADMIN_PROJECT)
        self.assertFailed(result)
        self.assertEqual('Error: Instance %s is not running.\n' % STALLED,
                         result.stdout, result.describe())

    def test_list_and_show(self):
        scenarios.trigger_list_and_show(self, 'osc-listed', LISTED)

    def test_version_below_2_17_is_one_sentence(self):
        result = self.openstack('--os-compute-api-version', '2.16', 'server',
                                'crash-dump', 'trigger', 'osc-old')
        self.assertFailed(result)
        self.assertEqual(
            'Triggering a crash dump needs compute API microversion 2.17 or '
            'later; this client was asked for 2.16 (the server supports up '
            'to 2.104), so choose a later --os-compute-api-version or leave '
            'it out to negotiate one.\n', result.stderr, result.describe())
        self.assertEqual([], self.recorded_actions(OLD_VERSION))

    def test_environment_variables(self):
        env = self.base_env()
        env.update({'OS_AUTH_TYPE': 'admin_token',
                    'OS_ENDPOINT': self.server.compute_url,
                    'OS_TOKEN': 'bob:%s' % base.PROJECT})
        result = self.run_program(('openstack', 'server', 'crash-dump',
                                   'trigger', 'osc-env', '-f', 'value',
                                   '-c', 'Request ID'), env)
        self.assertSucceeded(result)
        self.assertOneCrashDump(ENV_1, result.stdout.strip(), user='bob')

    def test_clouds_yaml_with_os_cloud(self):
        path = os.path.join(self.home, 'clouds-%s.yaml' % self.id())
        with open(path, 'w') as stream:
            yaml.safe_dump({'clouds': {'crash': {
                'auth_type': 'admin_token',
                'auth': {'endpoint': self.server.compute_url,
                         'token': 'carol:%s' % base.PROJECT}}}}, stream)
        env = self.base_env()
        env['OS_CLIENT_CONFIG_FILE'] = path
        result = self.run_program(('openstack', '--os-cloud', 'crash',
                                   'server', 'crash-dump', 'trigger',
                                   'osc-cloud', '-f', 'value', '-c',
                                   'Request ID'), env)
        self.assertSucceeded(result)
        first = result.stdout.strip()
        env['OS_CLOUD'] = 'crash'
        result = self.run_program(('openstack', 'server', 'crash-dump',
                                   'list', 'osc-cloud', '-f', 'value',
                                   '-c', 'Request ID'), env)
        self.assertSucceeded(result)
        self.assertEqual(first, result.stdout.strip())
        self.assertOneCrashDump(CLOUD_1, first, user='carol')

    def test_auth_type_none_is_refused_by_noauth_in_one_line(self):
        env = self.base_env()
        result = self.run_program(('openstack', '--os-auth-type', 'none',
                                   '--os-endpoint', self.server.compute_url,
                                   'server', 'crash-dump', 'trigger',
                                   'osc-noauth', '-f', 'value', '-c',
                                   'Result'), env)
        self.assertFailed(result)
        # Refused credentials are no one server's failure: one error line,
        # no row.
        self.assertEqual('', result.stdout, result.describe())
        self.assertEqual(1, result.stderr.count(
            'Authentication required: send X-Auth-Token: <user>:<project> '
            '(auth_strategy is noauth). (HTTP 401)'), result.describe())
        self.assertEqual([], self.recorded_actions(NOAUTH))
