"""``nova trigger-crash``, ``crash-list`` and ``crash-show`` against real
Nova 34 (its fake driver), run as users run them::

    OS_AUTH_TYPE=admin_token OS_ENDPOINT=<nova>/v2.1 \\
    OS_TOKEN=<user>:<project> OS_PROJECT_ID=<project> \\
    OS_AUTH_URL=http://127.0.0.1/unused nova trigger-crash web --wait
"""
from tests.functional import base as functional
from tests.functional.test_crashdump_client import FAILED_LINE
from tests.functional.test_crashdump_client import REQUESTED_LINE
from tests.functional.test_crashdump_client import RESULT_LINE
from tests.functional.test_crashdump_client import server_lines
from tests.nova import base
from tests.nova.base import spec

WAIT = ('--wait', '--poll-interval', '0.2', '--timeout', '30')


class TestNovaCliAgainstNova(base.NovaCliTestCase):

    SERVERS = {
        'ok': spec('nc-ok'),
        'listed': spec('nc-listed'),
        'down_admin': spec('nc-down-admin', outcome='not_running'),
        'down_owner': spec('nc-down-owner', outcome='not_running'),
        'unsupported': spec('nc-unsupported', outcome='not_supported'),
        'locked': spec('nc-locked', locked=True,
                       locked_reason='maintenance'),
        'stopped': spec('nc-stopped', vm_state='stopped'),
        'twin_a': spec('nc-twin'),
        'twin_b': spec('nc-twin'),
        'foreign': spec('nc-foreign', project_id='other', user_id='bob'),
    }

    def line_of(self, pattern, result):
        lines = server_lines(result)
        self.assertEqual(1, len(lines), result.describe())
        match = pattern.match(lines[0])
        self.assertIsNotNone(match, result.describe())
        return match

    def test_wait_reports_success(self):
        result = self.nova('trigger-crash', 'nc-ok', *WAIT)
        self.assertSucceeded(result)
        match = self.line_of(RESULT_LINE, result)
        self.assertEqual(('nc-ok', self.ids['ok'], 'Success'),
                         match.group('name', 'id', 'outcome'))
        self.assertOneCrashDump(self.ids['ok'], match.group('request_id'))
        self.assertEqual(1, self.nmis_for(self.ids['ok']))

    def test_crash_list_and_crash_show(self):
        result = self.nova('trigger-crash', 'nc-listed')
        self.assertSucceeded(result)
        request_id = self.line_of(REQUESTED_LINE, result).group('request_id')
        self.assertOneCrashDump(self.ids['listed'], request_id)

        listing = self.nova('crash-list', 'nc-listed')
        self.assertSucceeded(listing)
        rows = [row for row in functional.table_rows(listing.stdout)
                if request_id in row]
        self.assertEqual(1, len(rows), listing.describe())
        self.assertEqual([request_id, 'Success'], rows[0][::3],
                         listing.describe())

        shown = self.nova('crash-show', 'nc-listed', request_id)
        self.assertSucceeded(shown)
        for expected in (r'\| action +\| trigger_crash_dump +\|',
                         r'\| request_id +\| %s +\|' % request_id,
                         r'\| instance_uuid +\| %s +\|' % self.ids['listed'],
                         r'\| user_id +\| alice +\|',
                         r'\| result +\| Success +\|'):
            self.assertRegex(shown.stdout, expected, shown.describe())

    def test_failing_driver_details_reach_admin(self):
        for key, details in (
                ('down_admin', 'Instance %s is not running.'
                 % self.ids['down_admin']),
                ('unsupported', 'Triggering crash dump is not supported')):
            result = self.nova('--os-compute-api-version', '2.84',
                               'trigger-crash', self.ids[key], *WAIT,
                               user=functional.ADMIN,
                               project=functional.ADMIN_PROJECT)
            self.assertFailed(result)
            match = self.line_of(RESULT_LINE, result)
            self.assertEqual('Error: %s' % details, match.group('outcome'),
                             result.describe())
            self.assertEqual(0, self.nmis_for(self.ids[key]))

    def test_failing_driver_owner_told_why_details_are_hidden(self):
        result = self.nova('trigger-crash', 'nc-down-owner', *WAIT)
        self.assertFailed(result)
        match = self.line_of(RESULT_LINE, result)
        self.assertEqual(base.ERROR_HIDDEN, match.group('outcome'),
                         result.describe())
        action = self.assertOneCrashDump(self.ids['down_owner'],
                                         match.group('request_id'),
                                         result='Error')
        self.assertEqual('Error', action['message'])

    def test_locked_server(self):
        result = self.nova('trigger-crash', 'nc-locked', *WAIT)
        self.assertFailed(result)
        reason = self.line_of(FAILED_LINE, result).group('reason')
        self.assertIn('Instance %s is locked (HTTP 409)' % self.ids['locked'],
                      reason, result.describe())
        self.assertEqual([], self.recorded_actions(self.ids['locked']))

        result = self.nova('trigger-crash', self.ids['locked'], *WAIT,
                           user=functional.ADMIN,
                           project=functional.ADMIN_PROJECT)
        self.assertSucceeded(result)
        self.assertEqual('Success',
                         self.line_of(RESULT_LINE, result).group('outcome'))
        self.assertEqual(1, self.nmis_for(self.ids['locked']))

    def test_stopped_server(self):
        result = self.nova('trigger-crash', 'nc-stopped', *WAIT)
        self.assertFailed(result)
        self.assertIn(
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "vm_state stopped (HTTP 409)" % self.ids['stopped'],
            self.line_of(FAILED_LINE, result).group('reason'),
            result.describe())
        self.assertEqual([], self.recorded_actions(self.ids['stopped']))

    def test_name_matching_two_servers(self):
        result = self.nova('trigger-crash', 'nc-twin', *WAIT)
        self.assertFailed(result)
        self.assertIn("Multiple server matches found for 'nc-twin'",
                      self.line_of(FAILED_LINE, result).group('reason'),
                      result.describe())
        for key in ('twin_a', 'twin_b'):
            self.assertEqual([], self.recorded_actions(self.ids[key]))

    def test_server_of_another_project(self):
        for name in ('nc-foreign', self.ids['foreign']):
            result = self.nova('trigger-crash', name, *WAIT)
            self.assertFailed(result)
            self.assertEqual(
                "No server with a name or ID of '%s' exists." % name,
                self.line_of(FAILED_LINE, result).group('reason'),
                result.describe())
        self.assertEqual([], self.recorded_actions(self.ids['foreign']))
