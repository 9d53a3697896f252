"""What every functional test needs: a running server, real programs, and an
independent look at what the server recorded.

Each test class runs one ``crashdump-all`` (fake driver, noauth, loopback)
for all its tests. stestr may split a class across its workers; every
worker then starts its own server, so a test never relies on another test
having run and uses fake servers of its own, which keeps its NMI and action
counts exact.

Clients are run the way users run them: the console scripts installed next
to the interpreter, as subprocesses, with an environment that holds only the
options given here (no ``OS_*`` variables or ``clouds.yaml`` of the machine
running the tests).

What the server recorded is read over plain HTTP as ``admin`` at
microversion 2.84, so a client under test never checks itself.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import testtools
from testtools import content

from tests.lib.embedded import EmbeddedServer
from tests.lib.embedded import fake_server  # noqa: F401 (for test modules)
from tests.lib.process import wait_for

#: The project and user owning the fake servers unless a test says otherwise.
PROJECT = 'demo'
OWNER = 'alice'
#: Under noauth the user ``admin`` gets the admin role.
ADMIN = 'admin'
ADMIN_PROJECT = 'admin'

ACTION = 'trigger_crash_dump'
EVENT = 'compute_trigger_crash_dump'
#: The version the checks read with: events with details, for admins.
CHECK_VERSION = '2.84'
CLI_TIMEOUT = 120
EVENT_TIMEOUT = 30


#: A 202 response in the ``--debug`` output of novaclient or openstackclient
#: (keystoneauth logs each response's headers).
ACCEPTED = re.compile(r'RESP: \[202\].*?x-openstack-request-id: '
                      r'(req-[0-9a-f-]{36})')


def table_rows(output):
    """The cells of each data row of a prettytable, as lists of strings."""
    return [[cell.strip() for cell in line.strip().strip('|').split('|')]
            for line in output.splitlines() if line.startswith('|')][1:]


def script(name):
    """The path of an installed console script of this interpreter's env."""
    return os.path.join(os.path.dirname(sys.executable), name)


class CommandResult(object):
    """A finished subprocess: argv, returncode, stdout and stderr."""

    def __init__(self, argv, returncode, stdout, stderr):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def describe(self):
        """The command and everything it printed, for a failure message."""
        return ('command: %s\nexit code: %s\n--- stdout ---\n%s'
                '--- stderr ---\n%s' % (
                    ' '.join(self.argv), self.returncode, self.stdout,
                    self.stderr))


class FunctionalTestCase(testtools.TestCase):
    """One ``crashdump-all`` per class, serving ``SERVERS``.

    Subclasses set ``SERVERS`` to a list of :func:`fake_server` entries and
    may set ``OPTIONS`` (see :class:`EmbeddedServer`).
    """

    SERVERS = []
    OPTIONS = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = EmbeddedServer(cls.SERVERS, options=cls.OPTIONS)
        cls.server.start()
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()
        shutil.rmtree(cls.home, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        # On failure the server's log tells what it did with the requests.
        self.addOnException(self._attach_server_log)

    def _attach_server_log(self, exc_info):
        # Read now: the log is gone once the class has stopped its server.
        # Successful GETs (the polling of waits) would bury what matters.
        try:
            lines = [line for line in self.server.output().splitlines(True)
                     if not ('"GET ' in line and 'status: 200' in line)]
            text = ''.join(lines)[-30000:]
        except OSError as error:
            text = 'server log unreadable: %s' % error
        self.addDetail('server-log', content.text_content(text))

    # -- running programs -------------------------------------------------

    def base_env(self):
        """A clean environment: no OS_* from the caller, a private HOME."""
        env = {key: value for key, value in os.environ.items()
               if not key.startswith('OS_')}
        env.update({'HOME': self.home,
                    'XDG_CACHE_HOME': os.path.join(self.home, 'cache'),
                    'XDG_CONFIG_HOME': os.path.join(self.home, 'config'),
                    'PYTHONWARNINGS': 'ignore'})
        return env

    def run_program(self, argv, env):
        """Run ``argv`` (argv[0] a console script name) to completion."""
        argv = [script(argv[0])] + list(argv[1:])
        process = subprocess.run(argv, env=env, capture_output=True,
                                 text=True, timeout=CLI_TIMEOUT)
        return CommandResult(argv, process.returncode, process.stdout,
                             process.stderr)

    def nova_env(self, user=OWNER, project=PROJECT):
        """The environment that points ``nova`` at the noauth server."""
        env = self.base_env()
        env.update({'OS_AUTH_TYPE': 'admin_token',
                    'OS_ENDPOINT': self.server.compute_url,
                    'OS_TOKEN': '%s:%s' % (user, project),
                    'OS_PROJECT_ID': project,
                    # novaclient's shell insists on an auth URL even when
                    # the plugin never uses it.
                    'OS_AUTH_URL': 'http://127.0.0.1/unused'})
        return env

    def nova(self, *args, user=OWNER, project=PROJECT):
        return self.run_program(('nova',) + args,
                                self.nova_env(user, project))

    def openstack(self, *args, user=OWNER, project=PROJECT):
        """Run ``openstack`` with the admin_token auth options on its line."""
        argv = ('openstack', '--os-auth-type', 'admin_token',
                '--os-endpoint', self.server.compute_url,
                '--os-token', '%s:%s' % (user, project)) + args
        return self.run_program(argv, self.base_env())

    def assertSucceeded(self, result):
        self.assertEqual(0, result.returncode,
                         'expected success\n' + result.describe())

    def assertFailed(self, result):
        self.assertNotEqual(0, result.returncode,
                            'expected a failure\n' + result.describe())
        self.assertNotIn('Traceback', result.stdout + result.stderr,
                         'a traceback reached the user\n' +
                         result.describe())

    def accepted_request_id(self, result):
        """The request id of the one 202 answer in a ``--debug`` run."""
        request_ids = set(ACCEPTED.findall(result.stderr))
        self.assertEqual(1, len(request_ids),
                         'expected one accepted request\n' +
                         result.describe())
        return request_ids.pop()

    def assertPrinted(self, text, result):
        self.assertIn(text, result.stdout + result.stderr,
                      'expected output missing\n' + result.describe())

    # -- what the server recorded -----------------------------------------

    def api_get(self, path, version=CHECK_VERSION, user=ADMIN,
                project=ADMIN_PROJECT):
        """GET ``path`` under /v2.1 and return the decoded JSON body."""
        request = urllib.request.Request(
            self.server.compute_url + path,
            headers={'X-Auth-Token': '%s:%s' % (user, project),
                     'OpenStack-API-Version': 'compute %s' % version,
                     'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            self.fail('GET %s: HTTP %s %s' % (path, error.code,
                                              error.read()))

    def recorded_actions(self, server_id):
        """The server's instance actions, newest first, as the API lists."""
        return self.api_get(
            '/servers/%s/os-instance-actions' % server_id)['instanceActions']

    def recorded_action(self, server_id, request_id):
        """One instance action with its events (admin, 2.84)."""
        return self.api_get('/servers/%s/os-instance-actions/%s' % (
            server_id, request_id))['instanceAction']

    def finished_event(self, server_id, request_id):
        """Wait for the agent's event on an action; return the event."""
        seen = {}

        def finished():
            seen['action'] = self.recorded_action(server_id, request_id)
            for event in seen['action'].get('events', []):
                if event['event'] == EVENT and event.get('finish_time'):
                    return event

        return wait_for(
            finished, EVENT_TIMEOUT,
            lambda: 'no finished %s event on %s: %s' % (
                EVENT, request_id, seen['action']),
            error=self.failureException)

    def nmis_for(self, server_id):
        """How many NMIs the fake driver delivered to ``server_id``."""
        return sum(1 for nmi in self.server.delivered_nmis()
                   if nmi['instance_uuid'] == server_id)

    def assertOneCrashDump(self, server_id, request_id, user=OWNER,
                           project=PROJECT, result='Success'):
        """The server holds exactly one action, ``request_id``, by that
        user and project, whose event finished with ``result``; returns
        the action (with events)."""
        actions = self.recorded_actions(server_id)
        self.assertEqual([request_id], [a['request_id'] for a in actions],
                         'actions recorded for %s: %s' % (server_id,
                                                          actions))
        action = actions[0]
        self.assertEqual(
            (ACTION, server_id, user, project),
            (action['action'], action['instance_uuid'], action['user_id'],
             action['project_id']), action)
        event = self.finished_event(server_id, request_id)
        self.assertEqual(result, event['result'], event)
        return self.recorded_action(server_id, request_id)
