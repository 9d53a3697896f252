"""Nova 34's answers through crashdump with a real Keystone and real tokens.

Rows: system admin, project admin, member, reader, a member of another
project, no token, a garbage token, an expired token, and a revoked token
once auth_token's cache time has passed. Columns and expected cells:
:mod:`tests.functional.auth.nova34`, which says where each comes from.
Each cell is played plainly and with spoofed identity headers; the three
classes play the whole matrix under three policy settings.
"""
import time
import urllib.error
import urllib.request
import uuid

import testtools
from testtools import content

from tests.functional.auth import keystone as keystone_fixture
from tests.functional.auth import matrix as matrix_lib
from tests.functional.auth import nova34
from tests.lib.embedded import EmbeddedServer
from tests.lib.embedded import fake_server

# auth_token remembers a validated token this long; a revoked token is
# refused once it has passed.
TOKEN_CACHE_TIME = 2


class KeystoneMatrixBase:
    """One crashdump with auth_strategy = keystone per class (a mixin)."""

    POLICY_OPTIONS = {}
    EXPECTED = nova34.NEW_DEFAULTS

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        keystone = cls.keystone = keystone_fixture.shared()
        demo, other = keystone.projects['demo'], keystone.projects['other']
        servers = {'demo': str(uuid.uuid4()), 'other': str(uuid.uuid4()),
                   'locked': str(uuid.uuid4())}
        options = {'api.auth_strategy': 'keystone'}
        options.update(keystone.authtoken_options(TOKEN_CACHE_TIME))
        options.update(cls.POLICY_OPTIONS)
        cls.server = EmbeddedServer([
            fake_server(servers['demo'], 'web-demo', project_id=demo),
            fake_server(servers['other'], 'web-other', project_id=other),
            fake_server(servers['locked'], 'web-locked', project_id=demo,
                        locked=True)], options=options)
        cls.server.start()
        try:
            cls._prepare(servers)
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def _prepare(cls, servers):
        keystone = cls.keystone
        token = keystone.token
        cls.headers = {
            'system_admin': token('admin', system=True)[0],
            'project_admin': token('admin', project='demo')[0],
            'member': token('member', project='demo')[0],
            'reader': token('reader', project='demo')[0],
            'other_member': token('other-member', project='other')[0],
            'no_token': None,
            'garbage_token': 'gAAAAABgarbage' + 'x' * 160,
            'expired_token': keystone.expired_token('member', 'demo'),
            'revoked_token': token('member', project='demo')[0],
        }
        cls.headers = {row: {'X-Auth-Token': value} if value else {}
                       for row, value in cls.headers.items()}
        cls.matrix = matrix_lib.Matrix(
            cls.server.compute_url, servers, {},
            {'other_member': 'other'}, keystone.projects['demo'])
        matrix_lib.record_actions(cls.matrix, cls.headers['project_admin'])
        # The revoked token works (and is cached) before it is revoked.
        status = cls.matrix.cell('list_servers', 'member',
                                 cls.headers['revoked_token'])
        assert status == 200, 'a fresh token got %s' % status
        keystone.revoke(cls.headers['revoked_token']['X-Auth-Token'])
        time.sleep(TOKEN_CACHE_TIME + 1)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.addOnException(self._attach_logs)

    def _attach_logs(self, exc_info):
        self.addDetail('server-log', content.text_content(
            self.server.output()[-20000:]))
        self.addDetail('keystone-log', content.text_content(
            self.keystone.log()[-10000:]))

    def check_row(self, row):
        plain, spoofed = self.matrix.row(row, self.headers[row])
        self.assertEqual(self.EXPECTED[row], plain, 'row %s' % row)
        self.assertEqual(self.EXPECTED[row], spoofed,
                         'row %s with spoofed identity headers' % row)

    def test_system_admin(self):
        self.check_row('system_admin')

    def test_project_admin(self):
        self.check_row('project_admin')

    def test_member(self):
        self.check_row('member')

    def test_reader(self):
        self.check_row('reader')

    def test_other_project_member(self):
        self.check_row('other_member')

    def test_no_token(self):
        self.check_row('no_token')

    def test_garbage_token(self):
        self.check_row('garbage_token')

    def test_expired_token(self):
        self.check_row('expired_token')

    def test_revoked_token_after_cache_time(self):
        self.check_row('revoked_token')

    def test_401_says_where_to_authenticate(self):
        status, body = self.matrix.request('GET', '/servers', {})
        self.assertEqual(401, status)
        self.assertEqual(
            {'unauthorized': {
                'code': 401, 'message': 'The request you have made '
                                        'requires authentication.'}}, body)
        error = refused(self.server.compute_url + '/servers')
        self.assertEqual('Keystone uri="%s"' % self.keystone.url,
                         error.headers['WWW-Authenticate'])


def refused(url, headers=None):
    """The HTTPError of a GET that must be refused (for its headers)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        urllib.request.urlopen(request, timeout=30).close()
    except urllib.error.HTTPError as error:
        return error
    raise AssertionError('%s answered without a token' % url)


class KeystoneMatrixTest(KeystoneMatrixBase, testtools.TestCase):
    """Nova 34's defaults: enforce_new_defaults and scope checks on."""


class KeystoneMatrixScopeOffTest(KeystoneMatrixBase, testtools.TestCase):
    """enforce_scope = false changes no cell: oslo.policy 6, which Nova 34
    requires, always checks scope (see nova34)."""

    POLICY_OPTIONS = {'oslo_policy.enforce_scope': 'false'}


class KeystoneMatrixOldDefaultsTest(KeystoneMatrixBase,
                                    testtools.TestCase):
    """enforce_new_defaults = false: Nova 34's deprecated rules count."""

    POLICY_OPTIONS = {'oslo_policy.enforce_new_defaults': 'false',
                      'oslo_policy.enforce_scope': 'false'}
    EXPECTED = nova34.OLD_DEFAULTS
