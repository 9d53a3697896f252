"""The console scripts, run as the operator runs them: subprocesses."""
import os
import socket
import subprocess
import sys
import textwrap

import fixtures
import testtools

from tests.unit.server import test_migration

SERVER_DIR = os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..', '..', 'server'))
# A refusal must be immediate; this only stops a hung test.
TIMEOUT = 60


def last_line(output):
    """The command's answer: oslo.log writes log lines to stdout too."""
    lines = output.splitlines()
    return lines[-1] if lines else None


class CommandTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(self.workdir, 'state')

    def config(self, text=''):
        path = os.path.join(self.workdir, 'crashdump.conf')
        with open(path, 'w') as stream:
            stream.write(textwrap.dedent('''\
                [DEFAULT]
                state_path = %s
                ''' % self.state) + textwrap.dedent(text))
        return path

    def run_module(self, module, *args):
        env = dict(os.environ)
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (SERVER_DIR, env.get('PYTHONPATH')) if p)
        env['PYTHONWARNINGS'] = 'ignore'
        return subprocess.run(
            [sys.executable, '-m', module] + list(args), cwd=self.workdir,
            env=env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=TIMEOUT)


class ManageTest(CommandTestCase):

    MODULE = 'crashdump_server.cmd.manage'

    def test_db_sync_then_version(self):
        config = self.config()
        version = self.run_module(self.MODULE, '--config-file', config,
                                  'db', 'version')
        self.assertEqual(0, version.returncode, version.stderr)
        self.assertEqual('empty (run db sync)', last_line(version.stdout))

        head = test_migration.head_revision()
        sync = self.run_module(self.MODULE, '--config-file', config,
                               'db', 'sync')
        self.assertEqual(0, sync.returncode, sync.stderr)
        self.assertEqual('Database schema is at revision %s' % head,
                         last_line(sync.stdout))
        self.assertTrue(os.path.exists(
            os.path.join(self.state, 'crashdump.sqlite')))

        version = self.run_module(self.MODULE, '--config-file', config,
                                  'db', 'version')
        self.assertEqual(0, version.returncode, version.stderr)
        self.assertEqual(head, last_line(version.stdout))

        again = self.run_module(self.MODULE, '--config-file', config,
                                'db', 'sync')
        self.assertEqual(0, again.returncode, again.stderr)
        self.assertEqual(last_line(sync.stdout), last_line(again.stdout))

    def test_database_connection_option(self):
        database = os.path.join(self.workdir, 'elsewhere.sqlite')
        config = self.config('''
            [database]
            connection = sqlite:///%s
            ''' % database)
        sync = self.run_module(self.MODULE, '--config-file', config,
                               'db', 'sync')
        self.assertEqual(0, sync.returncode, sync.stderr)
        self.assertTrue(os.path.exists(database))
        self.assertFalse(os.path.exists(
            os.path.join(self.state, 'crashdump.sqlite')))

    def test_db_needs_a_subcommand(self):
        result = self.run_module(self.MODULE, '--config-file', self.config(),
                                 'db')
        self.assertNotEqual(0, result.returncode)
        self.assertIn('sync', result.stderr)


class NoauthRefusalTest(CommandTestCase):
    """noauth on 0.0.0.0 is refused at start, with the reason."""

    REASON = ('[api] auth_strategy = noauth makes anybody who reaches '
              '0.0.0.0 an admin, so crashdump listens with it on loopback '
              'only. Set [api] host = 127.0.0.1, choose another '
              'auth_strategy, or set [api] allow_noauth_on_public_address '
              '= true on an isolated test network.')

    def public_config(self):
        return self.config('''
            [api]
            host = 0.0.0.0
            port = 0
            ''')

    def assertRefused(self, result, program):
        self.assertEqual(1, result.returncode, result.stdout)
        self.assertIn('%s: %s' % (program, self.REASON), result.stderr)
        self.assertNotIn('serving at', result.stdout)
        self.assertNotIn('Traceback', result.stderr)

    def test_all_refuses(self):
        result = self.run_module('crashdump_server.cmd.all',
                                 '--config-file', self.public_config())
        self.assertRefused(result, 'crashdump-all')
        # Refused before anything was created.
        self.assertFalse(os.path.exists(
            os.path.join(self.state, 'crashdump.sqlite')))

    def test_api_refuses(self):
        result = self.run_module('crashdump_server.cmd.api',
                                 '--config-file', self.public_config())
        self.assertRefused(result, 'crashdump-api')


class PortInUseTest(CommandTestCase):
    """A port another process holds is one clear sentence, no traceback."""

    def test_all_and_api_say_the_port_is_taken(self):
        holder = socket.socket()
        self.addCleanup(holder.close)
        holder.bind(('127.0.0.1', 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        config = self.config('''
            [api]
            host = 127.0.0.1
            port = %d
            ''' % port)
        for module, program in (('crashdump_server.cmd.all', 'crashdump-all'),
                                ('crashdump_server.cmd.api', 'crashdump-api')):
            result = self.run_module(module, '--config-file', config)
            self.assertEqual(1, result.returncode, result.stderr)
            self.assertIn('%s: cannot listen on 127.0.0.1 port %d: '
                          % (program, port), result.stderr)
            self.assertIn('choose another [api] host or port', result.stderr)
            self.assertNotIn('Traceback', result.stderr)
            self.assertNotIn('serving at', result.stdout)


class UnusableDatabaseTest(CommandTestCase):
    """A database that cannot be reached or written is one sentence that
    names it (without its password), no traceback."""

    def assertRefused(self, result, program, url):
        self.assertEqual(1, result.returncode, result.stderr)
        self.assertIn('%s: cannot use the database %s: ' % (program, url),
                      result.stderr)
        self.assertIn('check [database] connection', result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertNotIn('secret', result.stderr)

    def test_unreachable_server(self):
        # Port 1 on loopback: nothing listens there.
        config = self.config('''
            [database]
            connection = postgresql+psycopg://u:secret@127.0.0.1:1/db
            ''')
        result = self.run_module('crashdump_server.cmd.manage',
                                 '--config-file', config, 'db', 'sync')
        self.assertRefused(result, 'crashdump-manage',
                           'postgresql+psycopg://u:***@127.0.0.1:1/db')

    def test_state_path_that_cannot_be_made(self):
        blocker = os.path.join(self.workdir, 'a-file')
        open(blocker, 'w').close()
        config = self.config('''
            [DEFAULT]
            state_path = %s/state
            [api]
            port = 0
            ''' % blocker)
        result = self.run_module('crashdump_server.cmd.all',
                                 '--config-file', config)
        self.assertRefused(result, 'crashdump-all',
                           'sqlite:///%s/state/crashdump.sqlite' % blocker)
