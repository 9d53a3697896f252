"""The real clients against crashdump with auth_strategy = http_basic:
``openstack --os-auth-type http_basic --os-endpoint ...``, ``nova`` with
the same options, a clouds.yaml entry, and the Python API on a
keystoneauth ``http_basic`` session."""
import os
import shutil
import tempfile
import uuid

import yaml

from tests.functional import base
from tests.functional.auth import test_http_basic_matrix as basic_matrix

SERVER = str(uuid.uuid4())


class HTTPBasicClientsTest(base.FunctionalTestCase):

    SERVERS = [base.fake_server(SERVER, 'web-basic', project_id='demo')]

    @classmethod
    def setUpClass(cls):
        cls.files = tempfile.mkdtemp(prefix='crashdump-basic-')
        htpasswd, mapping = basic_matrix.write_files(cls.files)
        cls.OPTIONS = {'api.auth_strategy': 'http_basic',
                       'http_basic.user_file': htpasswd,
                       'http_basic.mapping_file': mapping}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.files, ignore_errors=True)

    def basic_options(self, password='alice-pw'):
        return ['--os-auth-type', 'http_basic', '--os-username', 'alice',
                '--os-password', password,
                '--os-endpoint', self.server.compute_url]

    def nova_basic_env(self):
        env = self.base_env()
        # novaclient's shell insists on a project and an auth URL for any
        # auth type; http_basic uses neither.
        env.update({'OS_PROJECT_ID': 'unused',
                    'OS_AUTH_URL': 'http://127.0.0.1/unused'})
        return env

    def assert_delivered(self, result):
        self.assertSucceeded(result)
        self.assertPrinted('Success', result)

    def test_openstack_trigger_wait(self):
        result = self.run_program(
            ['openstack'] + self.basic_options()
            + ['server', 'crash-dump', 'trigger', SERVER, '--wait'],
            self.base_env())
        self.assert_delivered(result)

    def test_openstack_wrong_password_fails_cleanly(self):
        result = self.run_program(
            ['openstack'] + self.basic_options('wrong')
            + ['server', 'crash-dump', 'trigger', SERVER],
            self.base_env())
        self.assertFailed(result)
        self.assertPrinted('Invalid user name or password', result)

    def test_nova_trigger_crash_wait(self):
        result = self.run_program(
            ['nova'] + self.basic_options()
            + ['trigger-crash', SERVER, '--wait'], self.nova_basic_env())
        self.assert_delivered(result)

    def write_clouds_yaml(self):
        directory = os.path.join(self.home, 'config', 'openstack')
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, 'clouds.yaml'), 'w') as stream:
            yaml.safe_dump({'clouds': {'standalone': {
                'auth_type': 'http_basic',
                'auth': {'username': 'alice', 'password': 'alice-pw',
                         'endpoint': self.server.compute_url}}}}, stream)

    def test_openstack_with_clouds_yaml(self):
        self.write_clouds_yaml()
        result = self.run_program(
            ['openstack', '--os-cloud', 'standalone', 'server',
             'crash-dump', 'trigger', SERVER, '--wait'], self.base_env())
        self.assert_delivered(result)

    def test_python_api_with_clouds_yaml(self):
        self.write_clouds_yaml()
        program = (
            'import openstack.config\n'
            'from novaclient import api_versions, client\n'
            'config = openstack.config.OpenStackConfig()\n'
            'cloud = config.get_one("standalone")\n'
            'version = api_versions.APIVersion("2.84")\n'
            'nova = client.Client(version, session=cloud.get_session(),\n'
            '    extensions=client.discover_extensions(version))\n'
            'request_id = nova.crash_dumps.trigger("%s")\n'
            'outcome = nova.crash_dumps.wait("%s", request_id, timeout=60)\n'
            'print("succeeded" if outcome.succeeded else outcome)\n'
            % (SERVER, SERVER))
        result = self.run_program(['python', '-c', program], self.base_env())
        self.assertSucceeded(result)
        self.assertPrinted('succeeded', result)

    def test_python_api_with_a_keystoneauth_session(self):
        program = (
            'from keystoneauth1 import http_basic, session\n'
            'from novaclient import api_versions, client\n'
            'auth = http_basic.HTTPBasicAuth(endpoint="%s",\n'
            '    username="alice", password="alice-pw")\n'
            'version = api_versions.APIVersion("2.84")\n'
            'nova = client.Client(version, session=session.Session(auth),\n'
            '    extensions=client.discover_extensions(version))\n'
            'request_id = nova.crash_dumps.trigger("%s")\n'
            'outcome = nova.crash_dumps.wait("%s", request_id, timeout=60)\n'
            'print("succeeded" if outcome.succeeded else outcome)\n'
            % (self.server.compute_url, SERVER, SERVER))
        result = self.run_program(['python', '-c', program], self.base_env())
        self.assertSucceeded(result)
        self.assertPrinted('succeeded', result)
