"""The distributed mode as operators deploy it: the API under gunicorn with
2 worker processes (the documented sample configuration), behind Keystone,
2 agents over RabbitMQ, PostgreSQL; ``nova trigger-crash --wait`` finds
the API through the Keystone catalog with password auth."""
import os
import re
import tempfile
import urllib.error
import urllib.request

from tests.functional import base
from tests.functional.auth import keystone as keystone_fixture
from tests.functional.auth.gunicorn import GunicornApi
from tests.functional.distributed import backends as backends_mod
from tests.functional.distributed import processes

WORKERS = 2
SERVER_A = '1a000000-0000-4000-8000-000000000001'
SERVER_B = '1b000000-0000-4000-8000-000000000001'
WAITED = re.compile(r'^Crash dump for server \S+ \(([0-9a-f-]{36})\): '
                    r'Success \(request req-[0-9a-f-]{36}\)$', re.M)


class DistributedKeystoneTest(base.FunctionalTestCase):

    @classmethod
    def setUpClass(cls):
        # Not base.FunctionalTestCase's: it would start crashdump-all.
        super(base.FunctionalTestCase, cls).setUpClass()
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')
        cls.workdir = tempfile.mkdtemp(prefix='crashdump-gunicorn-')
        cls.processes = []
        cls.service_id = None
        cls.backends = backends_mod.Backends()
        try:
            cls.keystone = keystone_fixture.shared()
            cls.backends.start(with_database=cls._sync_database)
            cls._start()
        except BaseException:
            cls._stop_everything()
            raise

    @classmethod
    def _sections(cls, name, **defaults):
        sections = processes.common_sections(
            cls.backends, os.path.join(cls.workdir, name), **defaults)
        sections['api']['auth_strategy'] = 'keystone'
        authtoken = {}
        for key, value in cls.keystone.authtoken_options().items():
            authtoken[key.split('.', 1)[1]] = value
        sections['keystone_authtoken'] = authtoken
        return sections

    @classmethod
    def _sync_database(cls):
        processes.manage(processes.write_config(
            os.path.join(cls.workdir, 'manage.conf'), cls._sections('api')),
            'db', 'sync')

    @classmethod
    def _start(cls):
        demo = cls.keystone.projects['demo']
        config = processes.write_config(
            os.path.join(cls.workdir, 'api.conf'), cls._sections('api'))
        cls.api = GunicornApi(cls.workdir, config, WORKERS)
        cls.processes.append(cls.api)
        for host, server in (('compute-a', SERVER_A),
                             ('compute-b', SERVER_B)):
            agent = processes.AgentProcess(
                os.path.join(cls.workdir, host),
                cls._sections(host, host=host, report_interval=1),
                [base.fake_server(server, 'web-' + host, project_id=demo)])
            cls.processes.append(agent)
            agent.launch()
        cls.api.wait_ready()
        for agent in cls.processes[1:]:
            agent.wait_ready()
        cls.server = cls.api
        cls.service_id = cls.keystone.register_crashdump(
            cls.api.url + '/v2.1')

    @classmethod
    def _stop_everything(cls):
        try:
            if cls.service_id:
                cls.keystone.unregister(cls.service_id)
        finally:
            processes.stop_stack(cls.processes, cls.backends, cls.home,
                                 cls.workdir)

    @classmethod
    def tearDownClass(cls):
        cls._stop_everything()
        super(base.FunctionalTestCase, cls).tearDownClass()

    def _attach_server_log(self, exc_info):
        self.addDetail('gunicorn-log', base.content.text_content(
            self.api.output()))

    def password_env(self):
        env = self.base_env()
        env.update({'OS_AUTH_URL': self.keystone.url,
                    'OS_USERNAME': 'member',
                    'OS_PASSWORD': keystone_fixture.password('member'),
                    'OS_PROJECT_NAME': 'demo',
                    'OS_USER_DOMAIN_ID': 'default',
                    'OS_PROJECT_DOMAIN_ID': 'default'})
        return env

    def test_two_workers_serve(self):
        self.assertEqual(WORKERS, len(self.api.worker_pids()),
                         self.api.output())

    def test_nova_trigger_crash_wait_through_the_catalog(self):
        result = self.run_program(
            ['nova', 'trigger-crash', SERVER_A, SERVER_B, '--wait'],
            self.password_env())
        self.assertSucceeded(result)
        self.assertEqual({SERVER_A, SERVER_B},
                         set(WAITED.findall(result.stdout)),
                         result.describe())
        delivered = [uuid for agent in self.processes[1:]
                     for uuid in agent.delivered_nmis()]
        self.assertEqual(sorted([SERVER_A, SERVER_B]), sorted(delivered))

    def test_unauthenticated_is_refused(self):
        request = urllib.request.Request(self.api.url + '/v2.1/servers')
        with self.assertRaises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(401, raised.exception.code)
