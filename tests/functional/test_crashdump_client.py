"""crashdump's own client against a running server: ``nova trigger-crash``,
``crash-list``, ``crash-show`` and the Python API.

The shell runs as users run it against a noauth endpoint::

    OS_AUTH_TYPE=admin_token OS_ENDPOINT=<compute url> \\
    OS_TOKEN=<user>:<project> OS_PROJECT_ID=<project> \\
    OS_AUTH_URL=http://127.0.0.1/unused nova trigger-crash web-1 --wait

(``OS_AUTH_URL`` is never contacted; novaclient's shell only insists on it.)
"""
import re

from keystoneauth1 import loading
from keystoneauth1 import session
from novaclient import client as nova_client

from tests.functional import base
from tests.functional.base import fake_server

WEB_1 = '10000000-0000-4000-8000-000000000001'
OK_1 = '10000000-0000-4000-8000-000000000011'
OK_2 = '10000000-0000-4000-8000-000000000012'
LOCKED = '10000000-0000-4000-8000-000000000013'
DOWN = '10000000-0000-4000-8000-000000000014'
STALLED_ADMIN = '10000000-0000-4000-8000-000000000021'
STALLED_OWNER = '10000000-0000-4000-8000-000000000022'
LISTED = '10000000-0000-4000-8000-000000000031'
API_OK = '10000000-0000-4000-8000-000000000041'
API_DOWN = '10000000-0000-4000-8000-000000000042'

#: One line of ``trigger-crash --wait`` about one server.
RESULT_LINE = re.compile(
    r'^Crash dump for server (?P<name>\S+) \((?P<id>[0-9a-f-]{36})\): '
    r'(?P<outcome>.*) \(request (?P<request_id>req-[0-9a-f-]{36})\)$')
FAILED_LINE = re.compile(r'^Crash dump for server (?P<name>\S+) failed: '
                         r'(?P<reason>.*)$')
REQUESTED_LINE = re.compile(
    r'^Crash dump requested for server (?P<name>\S+) '
    r'\((?P<id>[0-9a-f-]{36})\): request (?P<request_id>req-[0-9a-f-]{36})$')


def server_lines(result):
    """The lines of a trigger-crash run that each speak of one server."""
    return [line for line in result.stdout.splitlines()
            if line.startswith('Crash dump ')]


class TestTriggerCrashCommand(base.FunctionalTestCase):

    SERVERS = [
        fake_server(WEB_1, 'web-1'),
        fake_server(OK_1, 'multi-ok-1'),
        fake_server(OK_2, 'multi-ok-2'),
        fake_server(LOCKED, 'multi-locked', locked=True),
        fake_server(DOWN, 'multi-down', outcome='not_running'),
        fake_server(STALLED_ADMIN, 'stalled-admin', outcome='not_running'),
        fake_server(STALLED_OWNER, 'stalled-owner', outcome='not_running'),
        fake_server(LISTED, 'listed'),
        fake_server(API_OK, 'api-ok'),
        fake_server(API_DOWN, 'api-down', outcome='not_running'),
    ]

    def parse_line(self, pattern, line, result):
        match = pattern.match(line)
        self.assertIsNotNone(match, 'unexpected line %r\n%s' % (
            line, result.describe()))
        return match

    def test_wait_reports_success(self):
        result = self.nova('trigger-crash', 'web-1', '--wait')
        self.assertSucceeded(result)
        lines = server_lines(result)
        self.assertEqual(1, len(lines), result.describe())
        match = self.parse_line(RESULT_LINE, lines[0], result)
        self.assertEqual(('web-1', WEB_1, 'Success'),
                         match.group('name', 'id', 'outcome'),
                         result.describe())
        self.assertOneCrashDump(WEB_1, match.group('request_id'))
        self.assertEqual(1, self.nmis_for(WEB_1), result.describe())

    def test_several_servers_continue_past_failures(self):
        names = ['multi-ok-1', 'multi-locked', 'no-such-server',
                 'multi-down', 'multi-ok-2']
        result = self.nova('trigger-crash', *names, '--wait',
                           '--poll-interval', '0.2', '--timeout', '20')
        self.assertFailed(result)
        lines = server_lines(result)
        self.assertEqual(len(names), len(lines), result.describe())
        for name, line in zip(names, lines):
            self.assertIn('server %s ' % name, line, result.describe())

        ok_1 = self.parse_line(RESULT_LINE, lines[0], result)
        ok_2 = self.parse_line(RESULT_LINE, lines[4], result)
        for match in (ok_1, ok_2):
            self.assertEqual('Success', match.group('outcome'),
                             result.describe())
        locked = self.parse_line(FAILED_LINE, lines[1], result)
        self.assertIn('Instance %s is locked (HTTP 409)' % LOCKED,
                      locked.group('reason'), result.describe())
        missing = self.parse_line(FAILED_LINE, lines[2], result)
        self.assertIn("No server with a name or ID of 'no-such-server' "
                      "exists", missing.group('reason'), result.describe())
        down = self.parse_line(RESULT_LINE, lines[3], result)
        self.assertTrue(down.group('outcome').startswith('Error'),
                        result.describe())
        self.assertPrinted(
            'Crash dump failed for 3 of 5 server(s): multi-locked, '
            'no-such-server, multi-down.', result)

        self.assertOneCrashDump(OK_1, ok_1.group('request_id'))
        self.assertOneCrashDump(OK_2, ok_2.group('request_id'))
        self.assertOneCrashDump(DOWN, down.group('request_id'),
                                result='Error')
        self.assertEqual([], self.recorded_actions(LOCKED))
        self.assertEqual({OK_1: 1, OK_2: 1, LOCKED: 0, DOWN: 0},
                         {uuid: self.nmis_for(uuid)
                          for uuid in (OK_1, OK_2, LOCKED, DOWN)},
                         result.describe())

    def test_wait_shows_error_details_to_admin(self):
        # An admin finds another project's server by id (by name, novaclient
        # lists the admin's own project only, as with Nova).
        for version in ('2.84', None):
            args = ['trigger-crash', STALLED_ADMIN, '--wait',
                    '--poll-interval', '0.2', '--timeout', '20']
            if version:
                args = ['--os-compute-api-version', version] + args
            result = self.nova(*args, user=base.ADMIN,
                               project=base.ADMIN_PROJECT)
            self.assertFailed(result)
            lines = server_lines(result)
            self.assertEqual(1, len(lines), result.describe())
            match = self.parse_line(RESULT_LINE, lines[0], result)
            self.assertEqual(
                'Error: Instance %s is not running.' % STALLED_ADMIN,
                match.group('outcome'), result.describe())
        self.assertEqual(0, self.nmis_for(STALLED_ADMIN))

    def test_wait_tells_owner_why_details_are_hidden(self):
        result = self.nova('trigger-crash', 'stalled-owner', '--wait',
                           '--poll-interval', '0.2', '--timeout', '20')
        self.assertFailed(result)
        lines = server_lines(result)
        self.assertEqual(1, len(lines), result.describe())
        match = self.parse_line(RESULT_LINE, lines[0], result)
        # The owner learns it failed; the details are admin-only by policy.
        self.assertEqual(
            'Error: (error details are visible to administrators only, by '
            'the policy os_compute_api:os-instance-actions:events:details)',
            match.group('outcome'), result.describe())
        action = self.assertOneCrashDump(
            STALLED_OWNER, match.group('request_id'), result='Error')
        self.assertEqual('Error', action['message'])
        self.assertEqual(0, self.nmis_for(STALLED_OWNER))

    def test_crash_list_and_crash_show(self):
        result = self.nova('trigger-crash', 'listed')
        self.assertSucceeded(result)
        lines = server_lines(result)
        self.assertEqual(1, len(lines), result.describe())
        match = self.parse_line(REQUESTED_LINE, lines[0], result)
        request_id = match.group('request_id')
        self.assertOneCrashDump(LISTED, request_id)

        listing = self.nova('crash-list', 'listed')
        self.assertSucceeded(listing)
        rows = [line for line in listing.stdout.splitlines()
                if request_id in line]
        self.assertEqual(1, len(rows), listing.describe())
        self.assertEqual(
            [request_id, 'Success'],
            [cell.strip() for cell in rows[0].strip('|').split('|')][::3],
            listing.describe())

        shown = self.nova('crash-show', 'listed', request_id)
        self.assertSucceeded(shown)
        for expected in (r'\| action +\| trigger_crash_dump +\|',
                         r'\| request_id +\| %s +\|' % request_id,
                         r'\| instance_uuid +\| %s +\|' % LISTED,
                         r'\| user_id +\| alice +\|',
                         r'\| result +\| Success +\|',
                         r'\| compute_trigger_crash_dump +\|.*\| Success +\|'):
            self.assertRegex(shown.stdout, expected, shown.describe())

    def python_api(self, user, project):
        """A novaclient Client with crashdump's extension, as documented."""
        auth = loading.get_plugin_loader('admin_token').load_from_options(
            endpoint=self.server.compute_url,
            token='%s:%s' % (user, project))
        return nova_client.Client(
            '2.96', session=session.Session(auth=auth),
            extensions=nova_client.discover_extensions('2.96'))

    def test_python_api_trigger_and_wait(self):
        nova = self.python_api(base.OWNER, base.PROJECT)
        server = nova.servers.get(API_OK)
        request_id = nova.crash_dumps.trigger(server)
        self.assertRegex(request_id, r'^req-[0-9a-f-]{36}$')
        outcome = nova.crash_dumps.wait(server, request_id, timeout=30,
                                        interval=0.2)
        self.assertTrue(outcome.succeeded, outcome)
        self.assertEqual((request_id, 'Success'),
                         (outcome.request_id, outcome.result))
        self.assertOneCrashDump(API_OK, request_id)
        self.assertEqual(1, self.nmis_for(API_OK))
        self.assertEqual([request_id], [
            action.request_id for action in nova.crash_dumps.list(server)])

    def test_python_api_error_details_for_admin(self):
        nova = self.python_api(base.ADMIN, base.ADMIN_PROJECT)
        request_id = nova.crash_dumps.trigger(API_DOWN)
        outcome = nova.crash_dumps.wait(API_DOWN, request_id, timeout=30,
                                        interval=0.2)
        self.assertFalse(outcome.succeeded, outcome)
        self.assertEqual(('Error', 'Instance %s is not running.' % API_DOWN),
                         (outcome.result, outcome.details))
        self.assertOneCrashDump(API_DOWN, request_id, user=base.ADMIN,
                                project=base.ADMIN_PROJECT, result='Error')
        self.assertEqual(0, self.nmis_for(API_DOWN))
