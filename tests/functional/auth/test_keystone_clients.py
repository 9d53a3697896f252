"""The real clients with password auth against a real Keystone: crashdump
registered in the catalog as the compute service, found there by
``nova trigger-crash --wait`` and ``openstack server crash-dump trigger
--wait`` as they find Nova."""
import os
import uuid

import yaml

from tests.functional import base
from tests.functional.auth import keystone as keystone_fixture

SERVER = str(uuid.uuid4())
LOCKED = str(uuid.uuid4())


class KeystoneClientsTest(base.FunctionalTestCase):

    @classmethod
    def setUpClass(cls):
        cls.keystone = keystone_fixture.shared()
        demo = cls.keystone.projects['demo']
        cls.SERVERS = [
            base.fake_server(SERVER, 'web-ks', project_id=demo),
            base.fake_server(LOCKED, 'web-ks-locked', project_id=demo,
                             locked=True)]
        cls.OPTIONS = {'api.auth_strategy': 'keystone'}
        cls.OPTIONS.update(cls.keystone.authtoken_options())
        super().setUpClass()
        try:
            cls.service_id = cls.keystone.register_crashdump(
                cls.server.compute_url)
        except BaseException:
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.keystone.unregister(cls.service_id)
        super().tearDownClass()

    def password_env(self, user='member'):
        env = self.base_env()
        env.update({
            'OS_AUTH_URL': self.keystone.url,
            'OS_USERNAME': user,
            'OS_PASSWORD': keystone_fixture.password(user),
            'OS_PROJECT_NAME': 'demo',
            'OS_USER_DOMAIN_ID': 'default',
            'OS_PROJECT_DOMAIN_ID': 'default',
            'OS_IDENTITY_API_VERSION': '3',
        })
        return env

    def test_nova_trigger_crash_wait_through_the_catalog(self):
        result = self.run_program(['nova', 'trigger-crash', SERVER,
                                   '--wait'], self.password_env())
        self.assertSucceeded(result)
        self.assertPrinted('Success', result)

    def test_openstack_trigger_wait_through_the_catalog(self):
        result = self.run_program(
            ['openstack', 'server', 'crash-dump', 'trigger', SERVER,
             '--wait'], self.password_env())
        self.assertSucceeded(result)
        self.assertPrinted('Success', result)

    def test_openstack_with_a_clouds_yaml_entry(self):
        directory = os.path.join(self.home, 'config', 'openstack')
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, 'clouds.yaml'), 'w') as stream:
            yaml.safe_dump({'clouds': {'site': {
                'auth': {'auth_url': self.keystone.url,
                         'username': 'member',
                         'password': keystone_fixture.password('member'),
                         'project_name': 'demo',
                         'user_domain_id': 'default',
                         'project_domain_id': 'default'},
                'identity_api_version': 3}}}, stream)
        result = self.run_program(
            ['openstack', '--os-cloud', 'site', 'server', 'crash-dump',
             'trigger', SERVER, '--wait'], self.base_env())
        self.assertSucceeded(result)
        self.assertPrinted('Success', result)

    def test_reader_is_refused_cleanly(self):
        result = self.run_program(['nova', 'trigger-crash', SERVER],
                                  self.password_env('reader'))
        self.assertFailed(result)
        self.assertPrinted('403', result)

    def test_member_meets_the_lock(self):
        result = self.run_program(['nova', 'trigger-crash', LOCKED],
                                  self.password_env())
        self.assertFailed(result)
        self.assertPrinted('locked', result)
