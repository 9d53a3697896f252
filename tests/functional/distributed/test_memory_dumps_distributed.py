"""Memory dumps in the distributed mode with real parts: ``crashdump-api``
and ``crashdump-compute`` (fake driver) over a real RabbitMQ and a real
PostgreSQL, driven by the real ``nova`` client.

The agent writes the dump; the API streams it. The agent and the first
API share ``[memory_dump] directory``; the second API has a directory of
its own, as an API node without the shared mount would: it must answer
with a clear error, not a 500. Deleting a dump that is being created is
an RPC call to its agent, which aborts it.
"""
import hashlib
import os
import tempfile
import time

from tests.functional import base
from tests.functional.distributed import backends as backends_mod
from tests.functional.distributed import processes
from tests.functional.distributed import test_distributed

HOST = 'compute-md'
SHARED = '30000000-0000-4000-8000-000000000001'
SLOW = '30000000-0000-4000-8000-000000000002'
PATH = '/servers/%s/crashdump-memory-dumps'


class DistributedMemoryDumpTest(base.FunctionalTestCase):

    @classmethod
    def setUpClass(cls):
        # Not base.FunctionalTestCase's: it would start crashdump-all.
        super(base.FunctionalTestCase, cls).setUpClass()
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')
        cls.workdir = tempfile.mkdtemp(prefix='crashdump-md-distributed-')
        cls.shared = os.path.join(cls.workdir, 'shared-dumps')
        cls.backends = backends_mod.Backends()
        cls.processes = []
        try:
            cls.backends.start()
            processes.manage(processes.write_config(
                os.path.join(cls.workdir, 'manage.conf'),
                cls._sections('manage')), 'db', 'sync')
            cls.api = cls._start(processes.ApiProcess(
                os.path.join(cls.workdir, 'api'), cls._sections('api')))
            cls.private_api = cls._start(processes.ApiProcess(
                os.path.join(cls.workdir, 'private-api'),
                cls._sections('private-api', directory=None)))
            # The fake driver takes 4 s per dump: long enough to delete one
            # that is being created.
            agent_dir = os.path.join(cls.workdir, HOST)
            agent = cls._sections(HOST, host=HOST, report_interval=1)
            cls.agent = processes.AgentProcess(
                agent_dir, agent, [base.fake_server(SHARED, 'md-shared'),
                                   base.fake_server(SLOW, 'md-slow')])
            agent['fake'] = {
                'servers_file': os.path.join(agent_dir, 'servers.json'),
                'memory_dump_seconds': '4'}
            processes.write_config(cls.agent.config, agent)
            cls._start(cls.agent)
        except BaseException:
            cls._stop_everything()
            raise
        cls.server = cls.api

    @classmethod
    def _sections(cls, name, directory=True, **defaults):
        sections = processes.common_sections(
            cls.backends, os.path.join(cls.workdir, name), **defaults)
        if directory:
            sections['memory_dump'] = {'directory': cls.shared}
        return sections

    @classmethod
    def _start(cls, process):
        cls.processes.append(process)
        return process.start()

    # Stopping is the other distributed class's: processes, then backends,
    # then the work directories.
    _stop_everything = classmethod(
        test_distributed.DistributedModeTest._stop_everything.__func__)
    tearDownClass = classmethod(
        test_distributed.DistributedModeTest.tearDownClass.__func__)

    def nova_at(self, api, *args):
        env = self.nova_env(base.ADMIN, base.PROJECT)
        env['OS_ENDPOINT'] = api.compute_url
        return self.run_program(('nova',) + args, env)

    def dump_files(self):
        return sorted(os.listdir(self.shared)) if os.path.isdir(
            self.shared) else []

    def test_shared_directory_serves_the_dump_and_a_private_one_says_so(self):
        created = self.nova_at(self.api, 'memory-dump-create', 'md-shared',
                               '--dump-format', 'elf', '--wait')
        self.assertSucceeded(created)
        dump = dict(base.table_rows(created.stdout))
        self.assertEqual(('available', HOST), (dump['status'], dump['host']))

        path = os.path.join(self.home, 'md-shared.elf')
        self.assertSucceeded(self.nova_at(
            self.api, 'memory-dump-download', 'md-shared', dump['id'],
            '--file', path))
        with open(path, 'rb') as stream:
            self.assertEqual(dump['sha256'],
                             hashlib.sha256(stream.read()).hexdigest())

        refused = self.nova_at(self.private_api, 'memory-dump-download',
                               'md-shared', dump['id'], '--file',
                               path + '.2')
        self.assertFailed(refused)
        self.assertPrinted('cannot be read by this API service', refused)
        self.assertPrinted('must share [memory_dump] directory', refused)
        self.assertPrinted('HTTP 503', refused)

    def test_delete_while_creating_reaches_the_agent_over_rabbitmq(self):
        created = self.nova_at(self.api, 'memory-dump-create', 'md-slow')
        self.assertSucceeded(created)
        dump_id = dict(base.table_rows(created.stdout))['id']
        deadline = time.monotonic() + 30
        while not any(n.endswith('.part') for n in self.dump_files()):
            self.assertLess(time.monotonic(), deadline, 'no partial file')
            time.sleep(0.05)

        self.assertSucceeded(self.nova_at(self.api, 'memory-dump-delete',
                                          'md-slow', dump_id))

        self.assertEqual([], [n for n in self.dump_files()
                              if n.startswith(dump_id)])
        listing = self.nova_at(self.api, 'memory-dump-list', 'md-slow')
        self.assertNotIn(dump_id, listing.stdout)
        self.assertIn('deleted while being created', self.agent.output())
