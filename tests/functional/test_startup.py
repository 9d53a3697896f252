"""Start-up: each configuration an operator can get wrong either starts
correctly or ends the console script within 5 s, exit code 1, with one
sentence on stderr that names the file, option or value and what to do,
and leaves the port free.

The programs run as operators run them: the installed console scripts
(crashdump-all, crashdump-api, crashdump-manage) as subprocesses.
"""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.request

import fixtures
import testtools

from tests.lib import certs
from tests.lib.embedded import EmbeddedServer
from tests.lib.embedded import fake_server

UUID = '5a000000-0000-4000-8000-000000000001'
UUID2 = '5a000000-0000-4000-8000-000000000002'
REFUSAL_SECONDS = 5


def refusal_deadline():
    """REFUSAL_SECONDS on a machine with a core to spare; longer in
    proportion when the run queue is longer than the cores (the test
    suite's other workers, other jobs), so that only a start that hangs
    or dawdles fails, not a busy machine. A hang still fails: the run
    times out at 60 s."""
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return REFUSAL_SECONDS * max(1.0, load)


def script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class StartupTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = self.useFixture(fixtures.TempDir()).path
        self.state = os.path.join(self.workdir, 'state')
        self.port = free_port()
        self.servers_file = self.write_servers([fake_server(UUID, 'web-1')])

    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def write_servers(self, servers, name='servers.json'):
        return self.write(name, json.dumps(servers))

    def config(self, extra='', servers_file=None):
        """A working embedded configuration plus ``extra`` lines (later
        values of an option win)."""
        return self.write('crashdump.conf', textwrap.dedent('''\
            [DEFAULT]
            state_path = %s
            compute_driver = fake
            host = compute-1
            [api]
            host = 127.0.0.1
            port = %d
            [fake]
            servers_file = %s
            ''') % (self.state, self.port, servers_file or self.servers_file)
            + textwrap.dedent(extra))

    def run_script(self, name, *args, timeout=60):
        env = {k: v for k, v in os.environ.items() if not k.startswith('OS_')}
        env['HOME'] = self.workdir
        started = time.monotonic()
        result = subprocess.run(
            [script(name)] + list(args), cwd=self.workdir, env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=timeout)
        result.elapsed = time.monotonic() - started
        return result

    def assertRefused(self, result, program, *words):
        """Exit 1 within REFUSAL_SECONDS, one line on stderr starting with
        the program's name and holding each of ``words``, the port free.
        """
        detail = 'exit %s after %.1f s\nstdout: %s\nstderr: %s' % (
            result.returncode, result.elapsed, result.stdout, result.stderr)
        self.assertEqual(1, result.returncode, detail)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(1, len(lines), detail)
        self.assertTrue(lines[0].startswith(program + ': '), detail)
        for word in words:
            self.assertIn(word, lines[0], detail)
        self.assertNotIn('serving at', result.stdout, detail)
        self.assertLess(result.elapsed, refusal_deadline(), detail)
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', self.port))

    def all_refuses(self, extra, *words, servers_file=None):
        result = self.run_script(
            'crashdump-all', '--config-file',
            self.config(extra, servers_file=servers_file))
        self.assertRefused(result, 'crashdump-all', *words)
        return result


class TestConfigurationFile(StartupTestCase):

    def test_missing_config_file(self):
        missing = os.path.join(self.workdir, 'nope.conf')
        result = self.run_script('crashdump-all', '--config-file', missing)
        self.assertRefused(result, 'crashdump-all', missing,
                           'does not exist', '--config-file')

    def test_no_config_file_at_all(self):
        for program, args in (('crashdump-all', ()),
                              ('crashdump-api', ()),
                              ('crashdump-manage', ('db', 'sync'))):
            result = self.run_script(program, *args)
            self.assertRefused(result, program, 'no configuration file',
                               '--config-file')

    def test_unknown_option_is_named_with_a_suggestion(self):
        typo = '[fake]\nservers_flie = /tmp/servers.json\n'
        self.all_refuses(typo, 'unknown option [fake] servers_flie',
                         'crashdump.conf', 'did you mean servers_file?')

    def test_unknown_section(self):
        self.all_refuses('[fakes]\nservers_file = x\n',
                         'unknown section [fakes]', 'did you mean fake?')

    def test_library_options_are_known(self):
        # oslo.log, oslo.db, oslo.messaging and oslo.policy options pass
        # the unknown-option check (and crashdump-manage reads them too).
        result = self.run_script('crashdump-manage', '--config-file',
                                 self.config('''
            [DEFAULT]
            debug = false
            transport_url = inproc://
            [database]
            max_retries = 3
            [oslo_messaging_notifications]
            driver = noop
            [oslo_policy]
            enforce_new_defaults = true
            '''), 'db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)

    def test_retired_option_is_accepted_with_a_warning(self):
        # Files written for Nova before oslo.policy 6 still say it.
        log_file = os.path.join(self.workdir, 'crashdump.log')
        result = self.run_script('crashdump-manage', '--config-file',
                                 self.config('''
            [DEFAULT]
            log_file = %s
            [oslo_policy]
            enforce_scope = false
            ''' % log_file), 'db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        with open(log_file) as log:
            text = log.read()
        self.assertIn('WARNING', text)
        self.assertIn('[oslo_policy] enforce_scope', text)
        self.assertIn('has no effect', text)

    def test_auth_plugin_options_are_known(self):
        # keystoneauth1 registers a plugin's options (auth_url, username...)
        # only when auth_token loads the plugin its auth_type names.
        section = textwrap.dedent('''
            [keystone_authtoken]
            auth_type = password
            auth_url = http://127.0.0.1:5000/v3
            username = crashdump
            password = secret
            user_domain_name = Default
            project_name = service
            project_domain_name = Default
            ''')
        result = self.run_script('crashdump-manage', '--config-file',
                                 self.config(section), 'db', 'sync')
        self.assertEqual(0, result.returncode, result.stderr)
        self.all_refuses(section + 'auth_urll = http://x\n',
                         'unknown option [keystone_authtoken] auth_urll',
                         'did you mean auth_url?')

    def test_bad_values(self):
        for extra, words in (
                ('[DEFAULT]\ncompute_driver = vmware\n',
                 ('[DEFAULT] compute_driver', 'vmware')),
                ('[api]\nworkers = 0\n', ('[api] workers', '0')),
                ('[api]\nport = 70000\n', ('[api] port', '70000')),
                ('[api]\nauth_strategy = ldap\n',
                 ('[api] auth_strategy', 'ldap')),
                ('[DEFAULT]\nrequest_ttl = soon\n',
                 ('[DEFAULT] request_ttl', 'soon'))):
            self.all_refuses(extra, 'crashdump.conf', 'correct it', *words)

    def test_log_file_that_cannot_be_created(self):
        blocker = self.write('a-file', '')
        self.all_refuses('[DEFAULT]\nlog_file = %s/crashdump.log\n'
                         % blocker, 'cannot write the log file',
                         'log_file')

    def test_policy_file_that_is_not_yaml(self):
        policy = self.write('policy.yaml', '"os_compute_api:servers:index": '
                                           '[unclosed\n')
        self.all_refuses('[oslo_policy]\npolicy_file = %s\n' % policy,
                         '[oslo_policy] policy_file %s' % policy,
                         'correct it')


class TestDatabase(StartupTestCase):

    def test_read_only_database(self):
        sync = self.run_script('crashdump-manage', '--config-file',
                               self.config(), 'db', 'sync')
        self.assertEqual(0, sync.returncode, sync.stderr)
        database = os.path.join(self.state, 'crashdump.sqlite')
        self.all_refuses(
            '[database]\nconnection = sqlite:///file:%s?mode=ro&uri=true\n'
            % database, 'readonly database', '[database] connection')

    def test_corrupt_and_truncated_database(self):
        sync = self.run_script('crashdump-manage', '--config-file',
                               self.config(), 'db', 'sync')
        self.assertEqual(0, sync.returncode, sync.stderr)
        database = os.path.join(self.state, 'crashdump.sqlite')
        # Fold the WAL in so the file alone holds the database.
        sqlite3.connect(database).execute('VACUUM').connection.close()
        with open(database, 'rb') as stream:
            whole = stream.read()
        with open(database, 'wb') as stream:
            stream.write(whole[:len(whole) // 2])
        self.all_refuses('', 'cannot use the database', 'damaged SQLite')
        with open(database, 'wb') as stream:
            stream.write(b'not a database at all' * 100)
        self.all_refuses('', 'file is not a database')

    def test_database_driver_not_installed(self):
        # mysqlclient (MySQLdb): a MySQL driver that no extra installs.
        config = self.config('''
            [database]
            connection = mysql+mysqldb://u:secret@127.0.0.1/crashdump
            ''')
        for program, args in (('crashdump-manage', ('db', 'sync')),
                              ('crashdump-all', ()),
                              ('crashdump-api', ())):
            result = self.run_script(program, '--config-file', config, *args)
            self.assertRefused(result, program, 'crashdump-server[mysql]',
                               'mysql+mysqldb://u:***@127.0.0.1',
                               'mysql+pymysql://')
            self.assertNotIn('secret', result.stderr)
        config = self.config('''
            [database]
            connection = postgresql+psycopg2://u:secret@127.0.0.1/crashdump
            ''')
        result = self.run_script('crashdump-manage', '--config-file', config,
                                 'db', 'sync')
        self.assertRefused(result, 'crashdump-manage',
                           'crashdump-server[postgresql]',
                           'postgresql+psycopg://')

    def test_api_without_a_schema(self):
        result = self.run_script('crashdump-api', '--config-file',
                                 self.config())
        self.assertRefused(result, 'crashdump-api', 'has no schema',
                           'crashdump-manage db sync')


class TestServersFile(StartupTestCase):

    def refuses(self, servers, *words, raw=None):
        path = (self.write('servers.yaml', raw) if raw is not None
                else self.write_servers(servers, 'bad.json'))
        self.all_refuses('', '[fake] servers_file %s' % path, *words,
                         servers_file=path)

    def test_missing_unreadable_and_bad_yaml(self):
        missing = os.path.join(self.workdir, 'missing.yaml')
        self.all_refuses('', '[fake] servers_file %s is unreadable'
                         % missing, servers_file=missing)
        self.all_refuses('', 'is unreadable', 'Is a directory',
                         servers_file=self.workdir)
        self.refuses(None, 'is unreadable', raw='- {id: [unclosed\n')

    def test_bad_entries(self):
        base = {'id': UUID, 'name': 'web-1'}
        for change, words in (
                ({'outcome': 'boom'}, ('outcome of %s' % UUID,)),
                ({'name': ['a', 'b']}, ('name of %s must be a string'
                                        % UUID,)),
                ({'host': {'a': 1}}, ('host of %s must be a string'
                                      % UUID,)),
                ({'locked': 'false'}, ('locked of %s must be true or false'
                                       % UUID,)),
                ({'created_at': 'yesterday'}, ('created_at of %s' % UUID,)),
                ({'id': 'web-1'}, ("id 'web-1' of server 'web-1' is not "
                                   "a UUID",))):
            self.refuses([dict(base, **change)], *words)

    def test_duplicate_ids_and_unknown_top_level_keys(self):
        self.refuses([{'id': UUID, 'name': 'a'}, {'id': UUID, 'name': 'b'}],
                     "servers 'a' and 'b' have the same id %s" % UUID)
        path = self.write('srvs.json', json.dumps(
            {'srvs': [{'id': UUID, 'name': 'a'}]}))
        self.all_refuses('', "unknown top-level keys ['srvs']",
                         servers_file=path)

    def test_created_at_as_a_json_string_starts(self):
        servers = [
            fake_server(UUID, 'web-1', created_at='2024-05-01T12:00:00Z'),
            fake_server(UUID2, 'web-2', locked=False, host='compute-1')]
        with EmbeddedServer(servers) as server:
            request = urllib.request.Request(
                server.compute_url + '/servers/detail', headers={
                    'X-Auth-Token': 'alice:demo',
                    'OpenStack-API-Version': 'compute 2.1'})
            with urllib.request.urlopen(request, timeout=10) as response:
                servers = json.loads(response.read())['servers']
        by_id = {entry['id']: entry for entry in servers}
        self.assertEqual('2024-05-01T12:00:00Z', by_id[UUID]['created'])
        self.assertIn(UUID2, by_id)


class TestNoauthUnderAWSGIServer(StartupTestCase):
    """Under gunicorn or uWSGI the application cannot see the address it
    is served on, so it refuses noauth unless the operator vouches."""

    def load_application(self, extra):
        config = self.config(extra)
        sync = self.run_script('crashdump-manage', '--config-file', config,
                               'db', 'sync')
        self.assertEqual(0, sync.returncode, sync.stderr)
        env = dict(os.environ, CRASHDUMP_CONFIG_FILE=config)
        return subprocess.run(
            [sys.executable, '-c', 'import crashdump_server.wsgi.api'],
            env=env, capture_output=True, text=True, timeout=30)

    def test_refused(self):
        result = self.load_application('')
        self.assertNotEqual(0, result.returncode)
        # The WSGI server shows the exception; oslo.log logs it too.
        output = result.stdout + result.stderr
        self.assertIn('ConfigError: [api] auth_strategy = noauth', output)
        self.assertIn('cannot check that it listens on loopback only',
                      output)

    def test_allowed_when_the_operator_vouches(self):
        result = self.load_application(
            '[api]\nallow_noauth_on_public_address = true\n')
        self.assertEqual(0, result.returncode, result.stderr)


class TestTLSFiles(StartupTestCase):

    def test_certificate_problems(self):
        cert, key = certs.write_self_signed(self.workdir)
        missing = os.path.join(self.workdir, 'missing.pem')
        self.all_refuses('[api]\nssl_cert_file = %s\n' % cert,
                         'ssl_cert_file and ssl_key_file go together')
        self.all_refuses('[api]\nssl_cert_file = %s\nssl_key_file = %s\n'
                         % (missing, key), 'cannot serve HTTPS', missing,
                         'No such file')
        # A key that is not the certificate's.
        other = os.path.join(self.workdir, 'other')
        os.mkdir(other)
        _cert, other_key = certs.write_self_signed(other)
        self.all_refuses('[api]\nssl_cert_file = %s\nssl_key_file = %s\n'
                         % (cert, other_key), 'cannot serve HTTPS',
                         other_key)
