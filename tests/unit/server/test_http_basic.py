"""http_basic: the htpasswd and mapping files, the password cache, and the
answers of the middleware (401 with the Basic challenge, 403 without a
mapping, the identity headers auth_token would set)."""
import base64
import json
import os
import tempfile
from unittest import mock

import bcrypt
from oslo_config import cfg
import testtools
import webob
import webob.headers

from crashdump_server.api import http_basic
from crashdump_server.api import identity
from crashdump_server import conf as crashdump_conf  # noqa: F401
from crashdump_server import exception

HASH = bcrypt.hashpw(b'alice-pw', bcrypt.gensalt(4)).decode()
MAPPING = """
# users of htpasswd: project and roles
alice:
  project: demo
  roles: [member, reader]
"""


def basic(user, password):
    raw = ('%s:%s' % (user, password)).encode()
    return 'Basic ' + base64.b64encode(raw).decode()


class FilesTest(testtools.TestCase):

    def test_htpasswd_takes_bcrypt_lines_and_comments(self):
        users = http_basic.parse_htpasswd(
            '# comment\n\nalice:%s\n' % HASH, 'f')
        self.assertEqual({'alice': HASH.encode()}, users)

    def test_htpasswd_refuses_other_hashes(self):
        exc = self.assertRaises(
            exception.ConfigError, http_basic.parse_htpasswd,
            'bob:$apr1$abc$def\n', '/etc/htpasswd')
        self.assertIn('/etc/htpasswd line 1', str(exc))
        self.assertIn('htpasswd -B', str(exc))

    def test_htpasswd_refuses_a_line_without_colon(self):
        self.assertRaises(exception.ConfigError, http_basic.parse_htpasswd,
                          'alice\n', 'f')

    def test_mapping(self):
        self.assertEqual({'alice': ('demo', ['member', 'reader'])},
                         http_basic.parse_mapping(MAPPING, 'm'))

    def test_empty_mapping_maps_nobody(self):
        self.assertEqual({}, http_basic.parse_mapping('', 'm'))

    def test_mapping_errors_name_the_user(self):
        for text in ('alice: {project: demo}',
                     'alice: {roles: [member]}',
                     'alice: {project: demo, roles: []}',
                     'alice: {project: demo, roles: member}',
                     'alice: demo'):
            exc = self.assertRaises(exception.ConfigError,
                                    http_basic.parse_mapping, text, 'm')
            self.assertIn('user alice needs', str(exc))

    def test_mapping_must_be_a_mapping(self):
        self.assertRaises(exception.ConfigError, http_basic.parse_mapping,
                          '- alice\n', 'm')
        self.assertRaises(exception.ConfigError, http_basic.parse_mapping,
                          'alice: [', 'm')

    def test_missing_file_is_a_config_error(self):
        exc = self.assertRaises(exception.ConfigError, http_basic.WatchedFile,
                                '/nonexistent/htpasswd',
                                http_basic.parse_htpasswd)
        self.assertIn('cannot read /nonexistent/htpasswd', str(exc))

    def test_changed_file_is_reread_and_bad_content_keeps_the_last(self):
        path = self.useFixture(TempFile('alice:%s\n' % HASH)).path
        watched = http_basic.WatchedFile(path, http_basic.parse_htpasswd)
        self.assertEqual(['alice'], list(watched.get()))
        with open(path, 'a') as stream:
            stream.write('bob:%s\n' % HASH)
        watched._checked = float('-inf')
        self.assertEqual(['alice', 'bob'], sorted(watched.get()))
        with open(path, 'w') as stream:
            stream.write('broken line\n')
        watched._checked = float('-inf')
        self.assertEqual(['alice', 'bob'], sorted(watched.get()))


class TempFile:
    """A fixture-like temporary file with ``text``."""

    def __init__(self, text):
        self.text = text

    def setUp(self):
        handle, self.path = tempfile.mkstemp()
        with os.fdopen(handle, 'w') as stream:
            stream.write(self.text)

    def cleanUp(self):
        os.unlink(self.path)

    def getDetails(self):
        return {}


class PasswordCacheTest(testtools.TestCase):

    def test_bcrypt_runs_once_per_password(self):
        cache = http_basic.PasswordCache(ttl=300)
        with mock.patch.object(http_basic.bcrypt, 'checkpw',
                               wraps=bcrypt.checkpw) as checkpw:
            for _ in range(3):
                self.assertTrue(cache.check('alice', b'alice-pw',
                                            HASH.encode()))
            self.assertEqual(1, checkpw.call_count)
            for _ in range(2):
                self.assertFalse(cache.check('alice', b'wrong',
                                             HASH.encode()))
            self.assertEqual(3, checkpw.call_count)

    def test_a_new_hash_is_checked_again(self):
        cache = http_basic.PasswordCache(ttl=300)
        self.assertTrue(cache.check('alice', b'alice-pw', HASH.encode()))
        other = bcrypt.hashpw(b'new-pw', bcrypt.gensalt(4))
        self.assertFalse(cache.check('alice', b'alice-pw', other))

    def test_zero_ttl_checks_every_time(self):
        cache = http_basic.PasswordCache(ttl=0)
        with mock.patch.object(http_basic.bcrypt, 'checkpw',
                               return_value=True) as checkpw:
            cache.check('alice', b'x', HASH.encode())
            cache.check('alice', b'x', HASH.encode())
        self.assertEqual(2, checkpw.call_count)

    def test_expired_entries_are_checked_again(self):
        cache = http_basic.PasswordCache(ttl=10)
        with mock.patch.object(http_basic.time, 'monotonic',
                               side_effect=[100, 105, 111]), \
                mock.patch.object(http_basic.bcrypt, 'checkpw',
                                  return_value=True) as checkpw:
            for _ in range(3):
                cache.check('alice', b'x', HASH.encode())
        self.assertEqual(2, checkpw.call_count)

    def test_malformed_hash_matches_nothing(self):
        cache = http_basic.PasswordCache(ttl=10)
        self.assertFalse(cache.check('alice', b'x', b'$2b$04$short'))

    def test_no_password_is_kept_in_clear(self):
        cache = http_basic.PasswordCache(ttl=10)
        cache.check('alice', b'alice-pw', HASH.encode())
        self.assertNotIn(b'alice-pw', b''.join(cache._entries))


class AuthorizationHeaderTest(testtools.TestCase):

    def test_parse(self):
        self.assertEqual(('alice', b'pw:with:colons'),
                         http_basic.parse_authorization(
                             basic('alice', 'pw:with:colons')))

    def test_not_basic(self):
        for header in (None, '', 'Bearer abc', 'Basic !!!notbase64',
                       'Basic ' + base64.b64encode(b'nocolon').decode(),
                       'Basic ' + base64.b64encode(b':pw').decode(),
                       'Basic ' + base64.b64encode(b'\xff:pw').decode()):
            self.assertIsNone(http_basic.parse_authorization(header), header)


class MiddlewareTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        htpasswd = self.useFixture(TempFile(
            'alice:%s\nnomap:%s\n' % (HASH, HASH)))
        mapping = self.useFixture(TempFile(MAPPING))
        self.conf = cfg.ConfigOpts()
        from crashdump_server.conf import http_basic as opts
        opts.register_opts(self.conf)
        self.conf([])
        self.conf.set_override('user_file', htpasswd.path, 'http_basic')
        self.conf.set_override('mapping_file', mapping.path, 'http_basic')
        self.conf.set_override('realm', 'site-1', 'http_basic')
        self.seen = []
        self.app = identity.StripIdentityHeaders(http_basic.HTTPBasic(
            self.application, self.conf))

    @webob.dec.wsgify
    def application(self, req):
        self.seen.append(webob.headers.EnvironHeaders(dict(req.environ)))
        return webob.Response(status=200)

    def call(self, path='/v2.1/servers', **headers):
        return webob.Request.blank(path, headers=headers).get_response(
            self.app)

    def assert_challenge(self, response, message):
        self.assertEqual(401, response.status_int)
        self.assertEqual('Basic realm="site-1"',
                         response.headers['WWW-Authenticate'])
        self.assertEqual({'unauthorized': {'code': 401, 'message': message}},
                         json.loads(response.body))
        self.assertEqual([], self.seen)

    def test_right_password_confirms_the_mapped_identity(self):
        response = self.call(Authorization=basic('alice', 'alice-pw'))
        self.assertEqual(200, response.status_int)
        headers = self.seen[0]
        self.assertEqual('Confirmed', headers['X-Identity-Status'])
        self.assertEqual('alice', headers['X-User-Id'])
        self.assertEqual('demo', headers['X-Project-Id'])
        self.assertEqual('member,reader', headers['X-Roles'])

    def test_missing_password(self):
        self.assert_challenge(
            self.call(),
            'Authentication required: send HTTP basic credentials.')

    def test_wrong_password(self):
        self.assert_challenge(
            self.call(Authorization=basic('alice', 'nope')),
            'Invalid user name or password.')

    def test_unknown_user(self):
        self.assert_challenge(
            self.call(Authorization=basic('mallory', 'alice-pw')),
            'Invalid user name or password.')

    def test_user_without_mapping_gets_403(self):
        response = self.call(Authorization=basic('nomap', 'alice-pw'))
        self.assertEqual(403, response.status_int)
        self.assertEqual(
            {'forbidden': {'code': 403, 'message':
                           'User nomap has no project and roles in the '
                           'http_basic mapping file; ask the operator to '
                           'add them.'}},
            json.loads(response.body))
        self.assertNotIn('WWW-Authenticate', response.headers)
        self.assertEqual([], self.seen)

    def test_public_path_needs_no_password(self):
        self.assertEqual(200, self.call('/').status_int)

    def test_spoofed_headers_do_not_pass_without_password(self):
        response = self.call(**{'X-Roles': 'admin', 'X-Project-Id': 'demo',
                                'X-Identity-Status': 'Confirmed'})
        self.assertEqual(401, response.status_int)

    def test_spoofed_headers_are_replaced_by_the_mapping(self):
        self.call(Authorization=basic('alice', 'alice-pw'),
                  **{'X-Roles': 'admin', 'X-Project-Id': 'other',
                     'X-Service-Roles': 'service',
                     'X-Is-Admin-Project': 'True',
                     'OpenStack-System-Scope': 'all',
                     'X-System-Scope': 'all'})
        headers = self.seen[0]
        self.assertEqual('member,reader', headers['X-Roles'])
        self.assertEqual('demo', headers['X-Project-Id'])
        for name in ('X-Service-Roles', 'X-Is-Admin-Project',
                     'OpenStack-System-Scope', 'X-System-Scope'):
            self.assertNotIn(name, headers)

    def test_spoofed_headers_on_public_paths_are_gone_too(self):
        self.call('/', **{'X-Roles': 'admin'})
        self.assertNotIn('X-Roles', self.seen[0])
