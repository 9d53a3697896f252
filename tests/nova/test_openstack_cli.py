"""``openstack server crash-dump trigger|list|show`` against real Nova 34
(its fake driver), with the ``admin_token`` auth type and
``--os-endpoint <nova>/v2.1`` as users of a Keystone-free endpoint run it.
"""

from tests.functional import base as functional
from tests.functional.osc_plugin import scenarios
from tests.nova import base
from tests.nova.base import spec

WAIT = ('--wait', '--poll-interval', '0.2', '--timeout', '30')


class TestOpenStackCliAgainstNova(base.NovaCliTestCase):

    SERVERS = {
        'ok': spec('osc-ok'),
        'ok_2': spec('osc-ok-2'),
        'listed': spec('osc-listed'),
        'down': spec('osc-down', outcome='not_running'),
        'stalled': spec('osc-stalled', outcome='not_running'),
        'lacking': spec('osc-lacking', outcome='not_implemented'),
        'locked': spec('osc-locked', locked=True),
        'stopped': spec('osc-stopped', vm_state='stopped'),
        'twin_a': spec('osc-twin'),
        'twin_b': spec('osc-twin'),
        'foreign': spec('osc-foreign', project_id='other', user_id='bob'),
    }

    def rows(self, result):
        """The rows of a ``-f json`` run."""
        return scenarios.json_rows(self, result)

    def test_wait_reports_success_as_json(self):
        result = self.openstack('server', 'crash-dump', 'trigger', 'osc-ok',
                                *WAIT, '-f', 'json')
        self.assertSucceeded(result)
        [row] = self.rows(result)
        self.assertEqual(('osc-ok', self.ids['ok'], 'Success'),
                         (row['Server'], row['ID'], row['Result']),
                         result.describe())
        self.assertOneCrashDump(self.ids['ok'], row['Request ID'])
        self.assertEqual(1, self.nmis_for(self.ids['ok']))
        self.assertEqual('', result.stderr, result.describe())

    def test_several_servers_one_row_each_and_exit_status(self):
        names = ['osc-ok-2', 'osc-locked', 'osc-stopped', 'osc-down',
                 'osc-twin', 'osc-foreign', self.ids['foreign']]
        result = self.openstack('server', 'crash-dump', 'trigger', *names,
                                *WAIT, '-f', 'json')
        self.assertFailed(result)
        rows = self.rows(result)
        self.assertEqual(names, [row['Server'] for row in rows],
                         result.describe())
        by_name = {row['Server']: row['Result'] for row in rows}
        self.assertEqual('Success', by_name['osc-ok-2'])
        self.assertIn('Failed: Instance %s is locked (HTTP 409)'
                      % self.ids['locked'], by_name['osc-locked'])
        self.assertIn("Failed: Cannot 'trigger_crash_dump' instance %s "
                      "while it is in vm_state stopped (HTTP 409)"
                      % self.ids['stopped'], by_name['osc-stopped'])
        self.assertEqual(base.ERROR_HIDDEN, by_name['osc-down'])
        self.assertIn("Failed: Multiple server matches found for "
                      "'osc-twin'", by_name['osc-twin'])
        for name in ('osc-foreign', self.ids['foreign']):
            self.assertEqual("Failed: No server with a name or ID of '%s' "
                             "exists." % name, by_name[name])
        self.assertPrinted('Crash dump failed for 6 of 7 server(s): ',
                           result)
        self.assertOneCrashDump(self.ids['ok_2'], rows[0]['Request ID'])
        self.assertOneCrashDump(self.ids['down'], rows[3]['Request ID'],
                                result='Error')
        for key in ('locked', 'stopped', 'twin_a', 'twin_b', 'foreign'):
            self.assertEqual([], self.recorded_actions(self.ids[key]), key)
            self.assertEqual(0, self.nmis_for(self.ids[key]), key)

    def test_admin_sees_error_details(self):
        for key, details in (
                ('stalled', 'Instance %s is not running.'
                 % self.ids['stalled']),
                ('lacking', 'NotImplementedError')):
            result = self.openstack('server', 'crash-dump', 'trigger',
                                    self.ids[key], *WAIT, '-f', 'value',
                                    '-c', 'Result', user=functional.ADMIN,
                                    project=functional.ADMIN_PROJECT)
            self.assertFailed(result)
            self.assertEqual('Error: %s\n' % details, result.stdout,
                             result.describe())

    def test_list_and_show(self):
        scenarios.trigger_list_and_show(self, 'osc-listed',
                                        self.ids['listed'])
