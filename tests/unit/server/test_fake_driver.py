"""The fake driver: its servers file, its records, its outcomes."""
import json
import os
import types

import fixtures
from oslo_config import fixture as config_fixture
import testtools

from crashdump_server.conf import CONF
from crashdump_server import exception
from crashdump_server import service
from crashdump_server.virt import driver as virt_driver
from crashdump_server.virt import fake

UUID = 'fa000000-0000-4000-8000-000000000001'
UUID2 = 'fa000000-0000-4000-8000-000000000002'


class FakeDriverTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = self.useFixture(fixtures.TempDir()).path
        # The global CONF under a fixture: option groups are shared.
        service.register_opts()
        self.conf = self.useFixture(config_fixture.Config(CONF)).conf
        self.conf([], project='crashdump', default_config_files=[])
        self.conf.set_override('state_path',
                               os.path.join(self.workdir, 'state'))
        self.conf.set_override('host', 'compute-9')

    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, 'w') as stream:
            stream.write(text)
        return path

    def assertConfigError(self, path, message):
        exc = self.assertRaises(exception.ConfigError, fake.load_servers,
                                path)
        self.assertEqual('[fake] servers_file %s%s' % (path, message),
                         exc.message)


class LoadServersTest(FakeDriverTestCase):

    def test_json_list(self):
        path = self.write('servers.json', json.dumps([
            {'id': UUID, 'name': 'web-1', 'outcome': 'not_running'}]))
        self.assertEqual([{'id': UUID, 'name': 'web-1',
                           'outcome': 'not_running'}],
                         fake.load_servers(path))

    def test_yaml_list(self):
        path = self.write('servers.yaml', (
            '- id: %s\n'
            '  name: web-1\n'
            '  vm_state: paused\n'
            '  locked: true\n'
            '  host: null\n' % UUID))
        self.assertEqual([{'id': UUID, 'name': 'web-1', 'vm_state': 'paused',
                           'locked': True, 'host': None}],
                         fake.load_servers(path))

    def test_yaml_mapping_with_servers(self):
        path = self.write('servers.yaml', (
            'servers:\n'
            '  - {id: %s, name: web-1}\n' % UUID))
        self.assertEqual([{'id': UUID, 'name': 'web-1'}],
                         fake.load_servers(path))

    def test_empty_file(self):
        self.assertEqual([], fake.load_servers(self.write('empty.yaml', '')))

    def test_unknown_keys(self):
        path = self.write('servers.json', json.dumps([
            {'id': UUID, 'name': 'web-1', 'colour': 'red', 'size': 2}]))
        self.assertConfigError(
            path, ": unknown keys ['colour', 'size'] in "
            "{'id': '%s', 'name': 'web-1', 'colour': 'red', 'size': 2}"
            % UUID)

    def test_bad_outcome(self):
        path = self.write('servers.json', json.dumps([
            {'id': UUID, 'name': 'web-1', 'outcome': 'exploded'}]))
        self.assertConfigError(
            path, ': outcome of %s must be one of delivered, not_supported, '
            'not_running, not_implemented' % UUID)

    def test_bad_vm_state(self):
        path = self.write('servers.json', json.dumps([
            {'id': UUID, 'name': 'web-1', 'vm_state': 'running'}]))
        self.assertConfigError(
            path, ': vm_state of %s must be one of active, building, paused, '
            'suspended, stopped, rescued, resized, soft-delete, deleted, '
            'error, shelved, shelved_offloaded' % UUID)

    def test_not_a_list(self):
        for text in ('"web-1"', '42', 'servers: web-1'):
            path = self.write('servers.yaml', text)
            self.assertConfigError(path, ' must hold a list of servers')

    def test_entry_not_an_object(self):
        path = self.write('servers.json', json.dumps(['web-1']))
        self.assertConfigError(
            path, ": every server must be an object, got 'web-1'")

    def test_missing_id_or_name(self):
        path = self.write('servers.json', json.dumps([{'name': 'web-1'}]))
        self.assertConfigError(path,
                               ": a server needs id: {'name': 'web-1'}")
        path = self.write('servers.json', json.dumps([{'id': UUID}]))
        self.assertConfigError(path,
                               ": a server needs name: {'id': '%s'}" % UUID)

    def test_unreadable(self):
        path = os.path.join(self.workdir, 'missing.yaml')
        exc = self.assertRaises(exception.ConfigError, fake.load_servers,
                                path)
        self.assertTrue(exc.message.startswith(
            '[fake] servers_file %s is unreadable: ' % path), exc.message)
        self.assertIn('No such file or directory', exc.message)

    def test_invalid_yaml(self):
        path = self.write('servers.yaml', '- {id: [unclosed\n')
        exc = self.assertRaises(exception.ConfigError, fake.load_servers,
                                path)
        self.assertTrue(exc.message.startswith(
            '[fake] servers_file %s is unreadable: ' % path), exc.message)

    def test_the_one_bad_entry_is_named(self):
        path = self.write('servers.json', json.dumps([
            {'id': UUID, 'name': 'web-1'},
            {'id': UUID2, 'name': 'web-2', 'outcome': 'boom'}]))
        exc = self.assertRaises(exception.ConfigError, fake.load_servers,
                                path)
        self.assertIn('outcome of %s' % UUID2, exc.message)


class ListInstancesTest(FakeDriverTestCase):

    def driver(self, entries):
        path = self.write('servers.json', json.dumps(entries))
        self.conf.set_override('servers_file', path, group='fake')
        return fake.FakeDriver(self.conf)

    def test_no_servers_file(self):
        self.assertEqual([], fake.FakeDriver(self.conf).list_instances())

    def test_defaults(self):
        [record] = self.driver([{'id': UUID, 'name': 'web-1'}]
                               ).list_instances()
        self.assertEqual(
            (UUID, 'web-1', 'web-1', 'active', 1, None, 'compute-9',
             'compute-9', False, None, 'nova', {'outcome': 'delivered'}),
            (record['uuid'], record['display_name'], record['hostname'],
             record['vm_state'], record['power_state'], record['task_state'],
             record['host'], record['node'], record['locked'],
             record['locked_by'], record['availability_zone'],
             record['driver_info']))
        self.assertIsNotNone(record['created_at'])
        self.assertEqual(record['created_at'], record['launched_at'])

    def test_host_null_means_no_host(self):
        [record] = self.driver([{'id': UUID, 'name': 'web-1', 'host': None}]
                               ).list_instances()
        self.assertIsNone(record['host'])
        self.assertIsNone(record['node'])

    def test_explicit_host(self):
        [record] = self.driver([{'id': UUID, 'name': 'web-1',
                                 'host': 'elsewhere'}]).list_instances()
        self.assertEqual('elsewhere', record['host'])

    def test_init_host_names_the_host(self):
        driver = self.driver([{'id': UUID, 'name': 'web-1'}])
        driver.init_host('compute-renamed')
        self.assertEqual('compute-renamed',
                         driver.list_instances()[0]['host'])

    def test_states_and_lock(self):
        [paused, stopped] = self.driver([
            {'id': UUID, 'name': 'a', 'vm_state': 'paused', 'locked': True,
             'locked_reason': 'maintenance', 'outcome': 'not_running'},
            {'id': UUID2, 'name': 'b', 'vm_state': 'stopped',
             'task_state': 'powering-on'}]).list_instances()
        self.assertEqual((3, True, 'admin', 'maintenance',
                          {'outcome': 'not_running'}),
                         (paused['power_state'], paused['locked'],
                          paused['locked_by'], paused['locked_reason'],
                          paused['driver_info']))
        self.assertEqual((4, 'powering-on'),
                         (stopped['power_state'], stopped['task_state']))

    def test_first_seen_is_stable(self):
        driver = self.driver([{'id': UUID, 'name': 'web-1'}])
        first = driver.list_instances()[0]['created_at']
        self.assertEqual(first, driver.list_instances()[0]['created_at'])

    def test_invalid_file_stops_the_driver_at_start(self):
        self.assertRaises(exception.ConfigError, self.driver,
                          [{'id': UUID, 'name': 'web-1', 'outcome': 'nope'}])

    def test_file_broken_later_raises_on_listing(self):
        driver = self.driver([{'id': UUID, 'name': 'web-1'}])
        self.write('servers.json', '[{"id": "x"')
        self.assertRaises(exception.ConfigError, driver.list_instances)


class TriggerCrashDumpTest(FakeDriverTestCase):

    def setUp(self):
        super().setUp()
        self.driver = fake.FakeDriver(self.conf)
        self.driver.init_host('compute-9')
        self.addCleanup(self.driver.cleanup_host, 'compute-9')

    def instance(self, outcome=None, uuid=UUID):
        info = None if outcome is None else {'outcome': outcome}
        return types.SimpleNamespace(uuid=uuid, driver_info=info)

    def logged(self):
        path = os.path.join(self.conf.state_path, 'fake-nmis.log')
        if not os.path.exists(path):
            return []
        with open(path) as log:
            return [json.loads(line)['instance_uuid'] for line in log]

    def test_delivered_is_counted_and_logged(self):
        self.driver.trigger_crash_dump(self.instance('delivered'))
        self.driver.trigger_crash_dump(self.instance(None, uuid=UUID2))
        self.assertEqual([UUID, UUID2], self.driver.nmis)
        self.assertEqual([UUID, UUID2], self.logged())

    def test_log_removed_meanwhile_is_written_again(self):
        self.driver.trigger_crash_dump(self.instance())
        os.unlink(os.path.join(self.conf.state_path, 'fake-nmis.log'))
        self.driver.trigger_crash_dump(self.instance(uuid=UUID2))
        self.assertEqual([UUID2], self.logged())

    def test_not_supported(self):
        exc = self.assertRaises(exception.TriggerCrashDumpNotSupported,
                                self.driver.trigger_crash_dump,
                                self.instance('not_supported'))
        self.assertEqual('Triggering crash dump is not supported',
                         exc.message)
        self.assertEqual([], self.driver.nmis)
        self.assertEqual([], self.logged())

    def test_not_running(self):
        exc = self.assertRaises(exception.InstanceNotRunning,
                                self.driver.trigger_crash_dump,
                                self.instance('not_running'))
        self.assertEqual('Instance %s is not running.' % UUID, exc.message)
        self.assertEqual([], self.driver.nmis)

    def test_not_implemented(self):
        self.assertRaises(NotImplementedError,
                          self.driver.trigger_crash_dump,
                          self.instance('not_implemented'))
        self.assertEqual([], self.driver.nmis)


class LoadDriverTest(FakeDriverTestCase):

    def test_fake_by_name(self):
        self.conf.set_override('compute_driver', 'fake')
        self.assertIsInstance(virt_driver.load(self.conf), fake.FakeDriver)

    def test_base_driver_has_no_nmi(self):
        self.assertRaises(NotImplementedError,
                          virt_driver.ComputeDriver(self.conf)
                          .trigger_crash_dump, None)
