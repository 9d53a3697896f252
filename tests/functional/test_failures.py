"""The failures a user meets, as each client shows them: a server that does
not exist (or is another project's), a locked server, a server that is not
ready or in the wrong state, and a microversion pinned below 2.17.

Each must end with a non-zero exit code and a message that says what went
wrong, never a traceback, and must leave no action and no NMI behind.
"""
from tests.functional import base
from tests.functional.base import fake_server

LOCKED = '60000000-0000-4000-8000-000000000001'
LOCKED_FOR_ADMIN = '60000000-0000-4000-8000-000000000002'
NO_HOST = '60000000-0000-4000-8000-000000000003'
STOPPED = '60000000-0000-4000-8000-000000000004'
OTHERS = '60000000-0000-4000-8000-000000000005'
PINNED = '60000000-0000-4000-8000-000000000006'
UNKNOWN = '60000000-0000-4000-8000-0000000000ff'

DEPRECATION = 'nova CLI is deprecated'


class TestFailuresUsersMeet(base.FunctionalTestCase):

    SERVERS = [
        fake_server(LOCKED, 'locked', locked=True),
        fake_server(LOCKED_FOR_ADMIN, 'locked-for-admin', locked=True),
        fake_server(NO_HOST, 'no-host', host=None),
        fake_server(STOPPED, 'stopped', vm_state='stopped'),
        fake_server(OTHERS, 'others', project_id='other', user_id='bob'),
        fake_server(PINNED, 'pinned'),
    ]

    def assertNothingHappened(self, *server_ids):
        for server_id in server_ids:
            self.assertEqual([], self.recorded_actions(server_id),
                             'actions recorded for %s' % server_id)
            self.assertEqual(0, self.nmis_for(server_id), server_id)

    def error_lines(self, result):
        """What nova printed on stderr, without its deprecation notice."""
        return [line for line in result.stderr.splitlines()
                if line.strip() and DEPRECATION not in line]

    def test_not_found_with_crashdump_shell(self):
        # Another project's server is as unknown as one that never existed.
        names = ['no-such-server', UNKNOWN, 'others', OTHERS]
        result = self.nova('trigger-crash', *names)
        self.assertFailed(result)
        self.assertEqual(
            ["Crash dump for server %s failed: No server with a name or ID "
             "of '%s' exists." % (name, name) for name in names],
            result.stdout.splitlines(), result.describe())
        self.assertEqual(
            ['ERROR (CommandError): Crash dump failed for 4 of 4 server(s): '
             '%s.' % ', '.join(names)],
            self.error_lines(result), result.describe())
        self.assertNothingHappened(OTHERS)

    def test_not_found_with_novaclient_and_openstackclient(self):
        result = self.nova('trigger-crash-dump', 'no-such-server')
        self.assertFailed(result)
        self.assertEqual(
            ["ERROR (CommandError): No server with a name or ID of "
             "'no-such-server' exists."], self.error_lines(result),
            result.describe())

        result = self.openstack('server', 'dump', 'create', OTHERS)
        self.assertFailed(result)
        self.assertPrinted('No Server found for %s' % OTHERS, result)
        self.assertNothingHappened(OTHERS)

    def test_locked_server_as_owner(self):
        result = self.nova('trigger-crash', 'locked', '--wait')
        self.assertFailed(result)
        self.assertRegex(
            result.stdout,
            r'^Crash dump for server locked failed: Instance %s is locked '
            r'\(HTTP 409\) \(Request-ID: req-[0-9a-f-]{36}\)$' % LOCKED,
            result.describe())

        result = self.nova('trigger-crash-dump', 'locked')
        self.assertFailed(result)
        self.assertPrinted('ERROR (Conflict): Instance %s is locked '
                           '(HTTP 409)' % LOCKED, result)

        result = self.openstack('server', 'dump', 'create', 'locked')
        self.assertFailed(result)
        self.assertPrinted('409', result)
        self.assertPrinted('Instance %s is locked' % LOCKED, result)
        self.assertNothingHappened(LOCKED)

    def test_locked_server_as_admin_goes_through(self):
        result = self.nova('trigger-crash', LOCKED_FOR_ADMIN, '--wait',
                           '--poll-interval', '0.2', '--timeout', '20',
                           user=base.ADMIN, project=base.ADMIN_PROJECT)
        self.assertSucceeded(result)
        self.assertEqual(1, len(self.recorded_actions(LOCKED_FOR_ADMIN)))
        self.assertEqual(1, self.nmis_for(LOCKED_FOR_ADMIN))

    def test_not_ready_and_wrong_state(self):
        result = self.nova('trigger-crash', 'no-host', 'stopped')
        self.assertFailed(result)
        lines = result.stdout.splitlines()
        self.assertEqual(2, len(lines), result.describe())
        self.assertIn('Crash dump for server no-host failed: Instance %s is '
                      'not ready (HTTP 409)' % NO_HOST, lines[0])
        self.assertIn("Crash dump for server stopped failed: Cannot "
                      "'trigger_crash_dump' instance %s while it is in "
                      "vm_state stopped (HTTP 409)" % STOPPED, lines[1])
        self.assertNothingHappened(NO_HOST, STOPPED)

    def test_microversion_pinned_below_2_17(self):
        result = self.nova('--os-compute-api-version', '2.10',
                           'trigger-crash', 'pinned')
        self.assertFailed(result)
        self.assertEqual('', result.stdout, result.describe())
        errors = self.error_lines(result)
        self.assertEqual(1, len(errors), result.describe())
        self.assertEqual(
            'ERROR (UnsupportedVersion): Triggering a crash dump needs '
            'compute API microversion 2.17 or later; this client was asked '
            'for 2.10 (the server supports up to 2.104), so choose a later '
            '--os-compute-api-version or leave it out to negotiate one.',
            errors[0], result.describe())
        self.assertNothingHappened(PINNED)
