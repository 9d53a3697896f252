"""Memory dumps through the real clients against a running crashdump-all
(fake driver, whose dumps are small synthetic files): ``nova trigger-crash
--memory-dump``, ``nova memory-dump-*``, ``openstack server memory-dump``
and the Python API. The real-guest proof is
tests/functional/libvirt/test_memory_dump_guest.py."""
import hashlib
import json
import os
import tempfile

from keystoneauth1 import session as ks_session
from keystoneauth1.token_endpoint import Token
from novaclient import api_versions
from novaclient import client as nova_client

from crashdump_client.v2 import memory_dumps
from tests.functional import base
from tests.functional.base import fake_server

MD_1 = '21000000-0000-4000-8000-000000000001'
MD_2 = '21000000-0000-4000-8000-000000000002'
MD_3 = '21000000-0000-4000-8000-000000000003'
MD_4 = '21000000-0000-4000-8000-000000000004'


class TestMemoryDumpClients(base.FunctionalTestCase):

    SERVERS = [fake_server(MD_1, 'md-1'), fake_server(MD_2, 'md-2'),
               fake_server(MD_3, 'md-3'), fake_server(MD_4, 'md-4')]

    def admin_nova(self, *args):
        return self.nova(*args, user=base.ADMIN, project=base.PROJECT)

    def admin_openstack(self, *args):
        return self.openstack(*args, user=base.ADMIN, project=base.PROJECT)

    def python_api(self):
        session = ks_session.Session(auth=Token(
            self.server.compute_url, '%s:%s' % (base.ADMIN, base.PROJECT)))
        compute = nova_client.Client(api_versions.APIVersion('2.96'),
                                     session=session)
        return memory_dumps.MemoryDumpManager(compute)

    def test_nova_trigger_crash_with_memory_dump_then_nmi(self):
        result = self.admin_nova('trigger-crash', 'md-1', '--memory-dump',
                                 '--wait')
        self.assertSucceeded(result)
        self.assertRegex(result.stdout, r'md-1: memory dump \S+ available '
                         r'\(kdump-zlib, \d+ bytes, sha256 [0-9a-f]{64}\); '
                         r'NMI: Success')
        self.assertEqual(1, self.nmis_for(MD_1))
        [action] = self.recorded_actions(MD_1)
        self.assertEqual('memory_dump', action['action'])
        events = self.recorded_action(MD_1, action['request_id'])['events']
        self.assertEqual({('compute_memory_dump', 'Success'),
                          ('compute_trigger_crash_dump', 'Success')},
                         {(e['event'], e['result']) for e in events})
        # Beside the crash dumps in crash-list.
        listing = self.admin_nova('crash-list', 'md-1')
        self.assertSucceeded(listing)
        self.assertEqual([[action['request_id'], 'Success']], [
            [row[0], row[-1]] for row in base.table_rows(listing.stdout)])

    def test_nova_list_show_download_delete(self):
        created = self.admin_nova('memory-dump-create', 'md-2',
                                  '--dump-format', 'elf', '--wait')
        self.assertSucceeded(created)
        dump_id = dict(base.table_rows(created.stdout))['id']
        listing = self.admin_nova('memory-dump-list', 'md-2')
        self.assertSucceeded(listing)
        self.assertEqual([dump_id, 'available', 'elf'],
                         base.table_rows(listing.stdout)[0][:3])
        shown = dict(base.table_rows(
            self.admin_nova('memory-dump-show', 'md-2', dump_id).stdout))
        path = os.path.join(self.home, 'md-2.elf')
        downloaded = self.admin_nova('memory-dump-download', 'md-2', dump_id,
                                     '--file', path)
        self.assertSucceeded(downloaded)
        with open(path, 'rb') as stream:
            data = stream.read()
        self.assertEqual(shown['sha256'], hashlib.sha256(data).hexdigest())
        self.assertTrue(data.startswith(b'\x7fELF'))
        # Not a terminal: no progress bar in the output.
        self.assertNotIn('\r', downloaded.stderr + downloaded.stdout)
        self.assertSucceeded(self.admin_nova('memory-dump-delete', 'md-2',
                                             dump_id))
        self.assertEqual([], base.table_rows(
            self.admin_nova('memory-dump-list', 'md-2').stdout))

    def test_openstack_create_list_show_save_delete(self):
        created = self.admin_openstack(
            'server', 'memory-dump', 'create', 'md-3', '--dump-format',
            'kdump-lzo', '--wait', '-f', 'json')
        self.assertSucceeded(created)
        dump = json.loads(created.stdout)
        self.assertEqual(('available', 'kdump-lzo'),
                         (dump['status'], dump['format']))
        listing = self.admin_openstack('server', 'memory-dump', 'list',
                                       'md-3', '-f', 'json')
        self.assertEqual([dump['id']],
                         [row['ID'] for row in json.loads(listing.stdout)])
        shown = json.loads(self.admin_openstack(
            'server', 'memory-dump', 'show', 'md-3', dump['id'], '-f',
            'json').stdout)
        self.assertEqual(dump['sha256'], shown['sha256'])
        path = os.path.join(self.home, 'md-3.kdump')
        saved = self.admin_openstack('server', 'memory-dump', 'save', 'md-3',
                                     dump['id'], '--file', path)
        self.assertSucceeded(saved)
        with open(path, 'rb') as stream:
            self.assertEqual(dump['sha256'],
                             hashlib.sha256(stream.read()).hexdigest())
        self.assertSucceeded(self.admin_openstack(
            'server', 'memory-dump', 'delete', 'md-3', dump['id']))

    def test_member_is_refused_by_default(self):
        for result in (
                self.nova('memory-dump-create', 'md-4'),
                self.nova('trigger-crash', 'md-4', '--memory-dump'),
                self.openstack('server', 'memory-dump', 'create', 'md-4')):
            self.assertFailed(result)
            self.assertPrinted('crashdump:memory_dumps:create', result)
        self.assertEqual(0, self.nmis_for(MD_4))

    def test_python_api_resumes_a_download(self):
        dumps = self.python_api()
        dump = dumps.wait(MD_4, dumps.create(MD_4, 'elf').id, timeout=30,
                          interval=0.2)
        path = os.path.join(tempfile.mkdtemp(dir=self.home), 'resumed')
        whole = os.path.join(self.home, 'whole')
        dumps.download(MD_4, dump.id, whole)
        with open(whole, 'rb') as stream:
            data = stream.read()
        # A transfer that broke after 1000 bytes left this part behind.
        with open(path + '.part', 'wb') as part:
            part.write(data[:1000])
        seen = []
        size, sha256 = dumps.download(
            MD_4, dump.id, path, progress=lambda done, total: seen.append(
                (done, total)))
        self.assertEqual((dump.size, dump.sha256), (size, sha256))
        self.assertEqual((len(data), len(data)), seen[-1])
        self.assertGreater(seen[0][0], 1000)
        with open(path, 'rb') as stream:
            self.assertEqual(data, stream.read())
        self.assertFalse(os.path.exists(path + '.part'))
