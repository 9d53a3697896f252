"""Memory dumps through the compute API, the RPC and the agent, with the
fake driver's synthetic dumps."""
import datetime
import errno
import hashlib
import os
import time
from unittest import mock

import testtools

from crashdump_server.compute import api as compute_api
from crashdump_server.compute import dump_formats
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server.db import memory_dumps as dumps_db
from crashdump_server import exception
from crashdump_server.virt import fake
from tests.lib import embedded
from tests.lib import inprocess

WEB = '0e000000-0000-4000-8000-000000000001'
OFF = '0e000000-0000-4000-8000-000000000002'
STOPPED = '0e000000-0000-4000-8000-000000000003'
SERVERS = [embedded.fake_server(WEB, 'web-1'),
           embedded.fake_server(OFF, 'off-1', outcome='not_running'),
           embedded.fake_server(STOPPED, 'stopped-1', vm_state='stopped')]


class AgentTestCase(testtools.TestCase):
    overrides = {}

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(
            inprocess.InProcessServer(SERVERS, overrides=self.overrides))
        self.api = compute_api.API(self.server.conf)
        self.dumps = self.api.memory_dumps
        self.agent = self.server.agent.manager.memory_dumps
        self.directory = self.server.conf.memory_dump.directory

    def context(self, request_id=None):
        context = crashdump_context.get_admin_context()
        if request_id:
            context.request_id = request_id
        return context

    def create(self, server_id=WEB, dump_format=dump_formats.KDUMP_ZLIB,
               trigger_after=False, context=None):
        context = context or self.context()
        instance = self.api.get(context, server_id)
        return self.dumps.create(context, instance, dump_format,
                                 trigger_after)

    def wait(self, dump_id, statuses=(dump_formats.AVAILABLE,
                                      dump_formats.ERROR), timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dump = dumps_db.get(dump_id)
            if dump.status in statuses:
                # The event is finished right after the dump's status.
                time.sleep(0.05)
                return dump
            time.sleep(0.02)
        self.fail('dump %s not in %s within %s s' % (dump_id, statuses,
                                                     timeout))

    def events(self, server_id, request_id):
        action = db_api.action_get_by_request_id(server_id,
                                                 request_id)
        return action, {e.event: e for e in action.events}

    def files(self):
        return sorted(os.listdir(self.directory)) if os.path.isdir(
            self.directory) else []


class CreateTest(AgentTestCase):

    def test_available_with_size_and_checksum(self):
        dump = self.wait(self.create().uuid)
        self.assertEqual((dump_formats.AVAILABLE, 100, 'compute-1'),
                         (dump.status, dump.progress, dump.host))
        path = os.path.join(self.directory, dump.file_name)
        with open(path, 'rb') as stream:
            data = stream.read()
        self.assertEqual(len(data), dump.size)
        self.assertEqual(hashlib.sha256(data).hexdigest(), dump.sha256)
        self.assertTrue(data.startswith(b'makedumpfile'))
        self.assertEqual([dump.file_name], self.files())
        self.assertTrue(dump.file_name.endswith('.kdump'))
        action, events = self.events(WEB, dump.request_id)
        self.assertEqual('memory_dump', action.action)
        self.assertEqual('Success', events['compute_memory_dump'].result)
        self.assertNotIn('compute_trigger_crash_dump', events)
        self.assertEqual([], self.server.driver.nmis)

    def test_elf_format_file(self):
        dump = self.wait(self.create(dump_format=dump_formats.ELF).uuid)
        self.assertTrue(dump.file_name.endswith('.elf'))

    def test_trigger_after_sends_the_nmi_after_the_dump(self):
        dump = self.wait(self.create(trigger_after=True).uuid)
        deadline = time.monotonic() + 5
        while dumps_db.get(dump.uuid).trigger_result is None:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.02)
        _, events = self.events(WEB, dump.request_id)
        dumped = events['compute_memory_dump']
        nmi = events['compute_trigger_crash_dump']
        self.assertEqual(('Success', 'Success'), (dumped.result, nmi.result))
        self.assertLessEqual(dumped.finish_time, nmi.start_time)
        self.assertEqual([WEB], self.server.driver.nmis)
        self.assertEqual('Success', dumps_db.get(dump.uuid).trigger_result)

    def test_guest_not_running_is_an_error_without_file(self):
        dump = self.wait(self.create(OFF).uuid)
        self.assertEqual(dump_formats.ERROR, dump.status)
        self.assertEqual('Instance %s is not running.' % OFF, dump.error)
        _, events = self.events(OFF, dump.request_id)
        self.assertEqual(('Error', dump.error),
                         (events['compute_memory_dump'].result,
                          events['compute_memory_dump'].details))
        self.assertEqual([], self.files())

    def test_disk_full_mid_dump_leaves_no_partial_file(self):
        real = fake.FakeDriver.dump_memory

        def fill_up(driver, instance, path, *args, **kwargs):
            real(driver, instance, path, *args, **kwargs)
            raise OSError(errno.ENOSPC, 'No space left on device', path)

        with mock.patch.object(fake.FakeDriver, 'dump_memory', fill_up):
            dump = self.wait(self.create().uuid)
        self.assertEqual(dump_formats.ERROR, dump.status)
        self.assertIn('No space left on device', dump.error)
        self.assertEqual([], self.files())

    def test_not_enough_free_space_is_refused_before_dumping(self):
        self.server.conf.set_override('free_space_margin', 1e12,
                                      group='memory_dump')
        dump = self.wait(self.create().uuid)
        self.assertEqual(dump_formats.ERROR, dump.status)
        self.assertIn('Not enough free space in %s' % self.directory,
                      dump.error)
        self.assertEqual([], self.files())

    def test_state_and_rpc_cap_checks(self):
        self.assertRaises(exception.InstanceInvalidState, self.create,
                          STOPPED)
        self.server.conf.set_override('compute', '1.2',
                                      group='upgrade_levels')
        self.assertRaises(exception.FeatureNotSupported,
                          compute_api.API(self.server.conf).memory_dumps
                          .create, self.context(),
                          self.api.get(self.context(), WEB),
                          dump_formats.ELF)
        self.assertEqual([], dumps_db.get_all())

    def test_unreachable_agent_records_the_dump_as_error(self):
        with mock.patch.object(
                self.dumps.compute_rpcapi, 'create_memory_dump',
                side_effect=exception.ComputeAgentUnreachable(
                    host='compute-1')):
            self.assertRaises(exception.ComputeAgentUnreachable, self.create)
        [dump] = dumps_db.get_all()
        self.assertEqual(dump_formats.ERROR, dump.status)
        _, events = self.events(WEB, dump.request_id)
        self.assertEqual('Error', events['compute_memory_dump'].result)


class SlowDumpTest(AgentTestCase):
    overrides = {('fake', 'memory_dump_seconds'): 4.0}

    def test_delete_while_creating_aborts_and_removes(self):
        dump = self.create()
        self.wait(dump.uuid, statuses=(dump_formats.CREATING,))
        deadline = time.monotonic() + 5
        while not any(f.endswith('.part') for f in self.files()):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.02)
        started = time.monotonic()
        self.dumps.delete(self.context(), self.api.get(self.context(), WEB),
                          dump.uuid)
        self.assertLess(time.monotonic() - started, 3)
        self.assertRaises(exception.MemoryDumpNotFound, dumps_db.get,
                          dump.uuid)
        self.assertEqual([], self.files())
        _, events = self.events(WEB, dump.request_id)
        self.assertIn('deleted while being created',
                      events['compute_memory_dump'].details)

    def test_progress_is_recorded(self):
        dump = self.create()
        deadline = time.monotonic() + 5
        while dumps_db.get(dump.uuid).progress == 0:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.wait(dump.uuid)

    def test_concurrent_dumps_are_limited_per_host(self):
        first = self.create()
        self.assertRaisesRegex(exception.MemoryDumpLimitReached,
                               'already creating 1 memory dump',
                               self.create)
        self.wait(first.uuid)

    def test_download_of_a_dump_being_created_is_refused(self):
        dump = self.create()
        self.assertRaises(exception.MemoryDumpNotAvailable, self.dumps.open,
                          self.context(), self.api.get(self.context(), WEB),
                          dump.uuid)
        self.wait(dump.uuid)


class RecoveryAndRetentionTest(AgentTestCase):

    def record(self, status, created_at=None, size=None, name='x'):
        dump_id = 'ffff0000-0000-4000-8000-%012d' % len(
            dumps_db.get_all())
        request_id = 'req-' + dump_id
        db_api.action_start(self.context(request_id), WEB, 'memory_dump',
                            request_id)
        when = created_at or datetime.datetime.utcnow()
        dump = dumps_db.create(
            uuid=dump_id, instance_uuid=WEB, host='compute-1',
            request_id=request_id, status=status, format='elf',
            file_name=dump_id + '.elf', size=size, created_at=when,
            finished_at=None if status == dump_formats.CREATING else when)
        os.makedirs(self.directory, exist_ok=True)
        suffix = '.part' if status == dump_formats.CREATING else ''
        with open(os.path.join(self.directory, dump.file_name + suffix),
                  'wb') as stream:
            stream.write(b'x' * (size or 1))
        return dump

    def test_recovery_marks_error_and_removes_the_partial_file(self):
        left = self.record(dump_formats.CREATING)
        other = dumps_db.create(
            uuid='eeee0000-0000-4000-8000-000000000001',
            instance_uuid=WEB, host='compute-2', request_id='req-other',
            status=dump_formats.CREATING, format='elf', file_name='o.elf')
        self.assertEqual(1, self.agent.recover(self.context()))
        dump = dumps_db.get(left.uuid)
        self.assertEqual(dump_formats.ERROR, dump.status)
        self.assertIn('stopped while the dump was being created', dump.error)
        self.assertEqual([], self.files())
        _, events = self.events(WEB, left.request_id)
        self.assertEqual('Error', events['compute_memory_dump'].result)
        # Another host's dump is its agent's business.
        self.assertEqual(dump_formats.CREATING,
                         dumps_db.get(other.uuid).status)

    def test_retention_by_age(self):
        old = self.record(dump_formats.AVAILABLE, size=10,
                          created_at=datetime.datetime(2020, 1, 1))
        new = self.record(dump_formats.AVAILABLE, size=10)
        self.server.conf.set_override('max_age', 3600, group='memory_dump')
        self.assertEqual([old.uuid], self.agent.apply_retention(
            self.context()))
        self.assertEqual([new.file_name], self.files())

    def test_retention_by_total_size_deletes_the_oldest(self):
        now = datetime.datetime.utcnow()
        first = self.record(dump_formats.AVAILABLE, size=100,
                            created_at=now - datetime.timedelta(hours=2))
        second = self.record(dump_formats.AVAILABLE, size=100,
                             created_at=now - datetime.timedelta(hours=1))
        third = self.record(dump_formats.AVAILABLE, size=100, created_at=now)
        self.server.conf.set_override('max_age', 0, group='memory_dump')
        self.server.conf.set_override('max_total_size', 250,
                                      group='memory_dump')
        self.assertEqual([first.uuid], self.agent.apply_retention(
            self.context()))
        self.assertEqual(sorted([second.file_name, third.file_name]),
                         self.files())

    def test_missing_file_is_a_clear_error_for_the_api(self):
        dump = self.record(dump_formats.AVAILABLE, size=5)
        os.unlink(os.path.join(self.directory, dump.file_name))
        self.assertRaisesRegex(
            exception.MemoryDumpFileUnreachable, 'must share',
            self.dumps.open, self.context(),
            self.api.get(self.context(), WEB), dump.uuid)

    def test_delete_of_a_finished_dump(self):
        dump = self.record(dump_formats.AVAILABLE, size=5)
        self.dumps.delete(self.context(), self.api.get(self.context(), WEB),
                          dump.uuid)
        self.assertEqual([], self.files())
        self.assertRaises(exception.MemoryDumpNotFound, self.dumps.get,
                          self.context(), self.api.get(self.context(), WEB),
                          dump.uuid)
