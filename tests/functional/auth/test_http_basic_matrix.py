"""HTTP basic authentication through a running crashdump.

The mapped users stand for the personas of the Keystone matrix and get
Nova 34's cells (:mod:`tests.functional.auth.nova34`); a wrong or missing
password and an unknown user get the unauthenticated row (401, with the
Basic challenge); a user with a password but no mapping gets 403 on every
path but the versions document. Every cell is also played with spoofed
identity headers.
"""
import base64
import os
import shutil
import tempfile
import uuid

import bcrypt
import testtools
from testtools import content

from tests.functional.auth import matrix as matrix_lib
from tests.functional.auth import nova34
from tests.lib.embedded import EmbeddedServer
from tests.lib.embedded import fake_server

REALM = 'crashdump-test'
USERS = {
    # user: (password, mapping or None)
    'ops': ('ops-pw', {'project': 'demo',
                       'roles': ['admin', 'member', 'reader']}),
    'alice': ('alice-pw', {'project': 'demo', 'roles': ['member', 'reader']}),
    'rita': ('rita-pw', {'project': 'demo', 'roles': ['reader']}),
    'otto': ('otto-pw', {'project': 'other', 'roles': ['member', 'reader']}),
    'nomap': ('nomap-pw', None),
}
UNMAPPED_ROW = nova34._row(200, *[403] * (len(nova34.COLUMNS) - 1))


def basic(user, password):
    raw = ('%s:%s' % (user, password)).encode()
    return {'Authorization': 'Basic ' + base64.b64encode(raw).decode()}


def write_files(directory):
    """Write the htpasswd and mapping files; return their paths."""
    htpasswd = os.path.join(directory, 'htpasswd')
    mapping = os.path.join(directory, 'users.yaml')
    with open(htpasswd, 'w') as stream:
        for user, (password, _) in USERS.items():
            hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4))
            stream.write('%s:%s\n' % (user, hashed.decode()))
    with open(mapping, 'w') as stream:
        stream.write('# user: project and roles\n')
        for user, (_, entry) in USERS.items():
            if entry:
                stream.write('%s:\n  project: %s\n  roles: [%s]\n' % (
                    user, entry['project'], ', '.join(entry['roles'])))
    return htpasswd, mapping


class HTTPBasicServer:
    """A mixin: one crashdump with auth_strategy = http_basic per class."""

    @classmethod
    def start_server(cls):
        cls.files = tempfile.mkdtemp(prefix='crashdump-basic-')
        htpasswd, mapping = write_files(cls.files)
        cls.servers = {'demo': str(uuid.uuid4()), 'other': str(uuid.uuid4()),
                       'locked': str(uuid.uuid4())}
        cls.server = EmbeddedServer([
            fake_server(cls.servers['demo'], 'web-demo', project_id='demo'),
            fake_server(cls.servers['other'], 'web-other',
                        project_id='other'),
            fake_server(cls.servers['locked'], 'web-locked',
                        project_id='demo', locked=True)], options={
            'api.auth_strategy': 'http_basic',
            'http_basic.user_file': htpasswd,
            'http_basic.mapping_file': mapping,
            'http_basic.realm': REALM})
        cls.server.start()

    @classmethod
    def stop_server(cls):
        cls.server.stop()
        cls.server.cleanup()
        shutil.rmtree(cls.files, ignore_errors=True)

    def attach_log(self, exc_info):
        self.addDetail('server-log', content.text_content(
            self.server.output()[-20000:]))


class HTTPBasicMatrixTest(HTTPBasicServer, testtools.TestCase):

    ROWS = {
        'project_admin': basic('ops', 'ops-pw'),
        'member': basic('alice', 'alice-pw'),
        'reader': basic('rita', 'rita-pw'),
        'other_member': basic('otto', 'otto-pw'),
        'wrong_password': basic('alice', 'ops-pw'),
        'missing_password': {},
        'unknown_user': basic('mallory', 'alice-pw'),
        'unmapped_user': basic('nomap', 'nomap-pw'),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start_server()
        try:
            cls.matrix = matrix_lib.Matrix(
                cls.server.compute_url, cls.servers, {},
                {'other_member': 'other'}, 'demo')
            matrix_lib.record_actions(cls.matrix, cls.ROWS['project_admin'])
        except BaseException:
            cls.stop_server()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stop_server()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.addOnException(self.attach_log)

    def check_row(self, row, expected):
        plain, spoofed = self.matrix.row(row, self.ROWS[row])
        self.assertEqual(expected, plain, 'row %s' % row)
        self.assertEqual(expected, spoofed,
                         'row %s with spoofed identity headers' % row)

    def test_mapped_admin(self):
        self.check_row('project_admin', nova34.NEW_DEFAULTS['project_admin'])

    def test_mapped_member(self):
        self.check_row('member', nova34.NEW_DEFAULTS['member'])

    def test_mapped_reader(self):
        self.check_row('reader', nova34.NEW_DEFAULTS['reader'])

    def test_mapped_member_of_other_project(self):
        self.check_row('other_member', nova34.NEW_DEFAULTS['other_member'])

    def test_wrong_password(self):
        self.check_row('wrong_password', nova34.NEW_DEFAULTS['no_token'])

    def test_missing_password(self):
        self.check_row('missing_password', nova34.NEW_DEFAULTS['no_token'])

    def test_unknown_user(self):
        self.check_row('unknown_user', nova34.NEW_DEFAULTS['no_token'])

    def test_user_without_mapping(self):
        self.check_row('unmapped_user', UNMAPPED_ROW)

    def test_401_carries_the_basic_challenge(self):
        status, body = self.matrix.request('GET', '/servers',
                                           self.ROWS['wrong_password'])
        self.assertEqual(401, status)
        self.assertEqual({'unauthorized': {
            'code': 401, 'message': 'Invalid user name or password.'}}, body)
        from tests.functional.auth.test_keystone_matrix import refused
        error = refused(self.server.compute_url + '/servers')
        self.assertEqual('Basic realm="%s"' % REALM,
                         error.headers['WWW-Authenticate'])

    def test_403_is_one_sentence(self):
        status, body = self.matrix.request('GET', '/servers',
                                           self.ROWS['unmapped_user'])
        self.assertEqual((403, {'forbidden': {
            'code': 403, 'message': 'User nomap has no project and roles in '
                                    'the http_basic mapping file; ask the '
                                    'operator to add them.'}}),
                         (status, body))
