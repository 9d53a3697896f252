"""The libvirt driver against libvirt's built-in test driver (no daemon).

The real proof is tests/functional/libvirt; these check the mapping of
domain states, owners and errors, one piece at a time.
"""
import os
import tempfile
import threading
import time
import types
import unittest
from unittest import mock

import libvirt
from oslo_config import cfg

from crashdump_server.compute import vm_states
from crashdump_server.conf import libvirt as libvirt_conf
from crashdump_server import exception
from crashdump_server.virt.libvirt import driver as libvirt_driver
from crashdump_server.virt.libvirt import metadata

TEST_DOMAIN_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f'
NOVA_UUID = '11111111-2222-3333-4444-555555555501'
OURS_UUID = '11111111-2222-3333-4444-555555555502'
OFF_UUID = '11111111-2222-3333-4444-555555555503'
CRASHED_UUID = '11111111-2222-3333-4444-555555555504'
PAUSED_UUID = '11111111-2222-3333-4444-555555555505'

NOVA_METADATA = """
<nova:instance xmlns:nova="http://openstack.org/xmlns/libvirt/nova/1.1">
  <nova:name>web-1</nova:name>
  <nova:creationTime>2024-05-01 10:20:30</nova:creationTime>
  <nova:flavor name="m1.tiny"/>
  <nova:owner>
    <nova:user uuid="nova-user">alice</nova:user>
    <nova:project uuid="nova-project">demo</nova:project>
  </nova:owner>
</nova:instance>"""
OUR_METADATA = ('<crashdump:server xmlns:crashdump="urn:crashdump:libvirt:1.0"'
                ' project="our-project" user="our-user" locked="true"'
                ' locked-reason="debugging"/>')


def domain_xml(name, uuid, runstate=1, meta='', devices=''):
    return """
<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>%s</name>
  <uuid>%s</uuid>
  <metadata>%s</metadata>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type>hvm</type></os>
  <devices>%s</devices>
  <test:runstate>%d</test:runstate>
</domain>""" % (name, uuid, meta, devices, runstate)


def make_conf(uri, **libvirt_options):
    conf = cfg.ConfigOpts()
    libvirt_conf.register_opts(conf)
    conf.register_opt(cfg.StrOpt('host', default='compute-1'))
    conf([], default_config_files=[])
    conf.set_override('connection_uri', uri, group='libvirt')
    for name, value in libvirt_options.items():
        conf.set_override(name, value, group='libvirt')
    return conf


def instance(uuid, **driver_info):
    return types.SimpleNamespace(uuid=uuid, driver_info=driver_info)


def libvirt_error(code, domain=libvirt.VIR_FROM_QEMU, message='boom'):
    error = libvirt.libvirtError(message)
    error.err = (code, domain, message, 2, None, None, None, 0, 0)
    return error


class MetadataTest(unittest.TestCase):

    def parse(self, meta='', devices='', **defaults):
        return metadata.parse_domain(
            domain_xml('dom', NOVA_UUID, meta=meta, devices=devices),
            **defaults)

    def test_nova_owner_name_and_creation_time(self):
        facts = self.parse(NOVA_METADATA)
        self.assertEqual(('web-1', 'nova-project', 'nova-user', 'nova'),
                         (facts.display_name, facts.project_id,
                          facts.user_id, facts.owner_source))
        self.assertEqual('2024-05-01T10:20:30', facts.created_at.isoformat())
        self.assertEqual(('m1.tiny', 2, 256), (facts.flavor_name,
                                               facts.vcpus, facts.memory_mb))

    def test_crashdump_owner_and_lock(self):
        facts = self.parse(OUR_METADATA)
        self.assertEqual(('dom', 'our-project', 'our-user', 'crashdump'),
                         (facts.display_name, facts.project_id,
                          facts.user_id, facts.owner_source))
        self.assertTrue(facts.locked)
        self.assertEqual('debugging', facts.locked_reason)

    def test_nova_owner_wins_over_crashdump_owner(self):
        facts = self.parse(NOVA_METADATA + OUR_METADATA)
        self.assertEqual(('nova-project', 'nova'),
                         (facts.project_id, facts.owner_source))
        self.assertTrue(facts.locked)

    def test_default_owner_only_without_metadata(self):
        facts = self.parse(default_project_id='dp', default_user_id='du')
        self.assertEqual(('dp', 'du', 'default'),
                         (facts.project_id, facts.user_id,
                          facts.owner_source))
        facts = self.parse(OUR_METADATA, default_project_id='dp')
        self.assertEqual('our-project', facts.project_id)

    def test_no_owner_means_no_project(self):
        facts = self.parse()
        self.assertEqual((None, None, None, False),
                         (facts.project_id, facts.user_id,
                          facts.owner_source, facts.locked))

    def test_console_log_from_file_serial_or_log_element(self):
        file_serial = ("<serial type='file'><source path='/l/a.log'/>"
                       "<target port='0'/></serial>")
        pty_log = ("<serial type='pty'><log file='/l/b.log' append='off'/>"
                   "</serial>")
        self.assertEqual('/l/a.log', self.parse(devices=file_serial)
                         .console_log)
        self.assertEqual('/l/b.log', self.parse(devices=pty_log).console_log)
        self.assertIsNone(self.parse(devices="<serial type='pty'/>")
                          .console_log)

    def test_not_a_domain(self):
        self.assertRaises(ValueError, metadata.parse_domain, '<network/>')
        self.assertRaises(ValueError, metadata.parse_domain, '<domain')


class LibvirtDriverTest(unittest.TestCase):
    """A test-driver node with domains in chosen states and owners."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='crashdump-libvirt-')
        self.console = os.path.join(self.tmp, 'console.log')
        with open(self.console, 'w') as log:
            log.write('booting\n[ 1.0] Kernel panic - not syncing: NMI\n')
        serial = ("<serial type='file'><source path='%s'/>"
                  "<target port='0'/></serial>" % self.console)
        node = os.path.join(self.tmp, 'node.xml')
        with open(node, 'w') as stream:
            stream.write('<node>%s</node>' % ''.join([
                domain_xml('nova-dom', NOVA_UUID, meta=NOVA_METADATA,
                           devices=serial),
                domain_xml('our-dom', OURS_UUID, meta=OUR_METADATA),
                domain_xml('off-dom', OFF_UUID, runstate=5),
                domain_xml('crashed-dom', CRASHED_UUID, runstate=6),
                domain_xml('paused-dom', PAUSED_UUID, runstate=3),
            ]))
        self.driver = libvirt_driver.LibvirtDriver(
            make_conf('test://' + node, default_project_id='fallback'))
        self.changes = threading.Event()
        self.driver.on_inventory_change = self.changes.set
        self.driver.init_host('compute-1')
        self.addCleanup(self.driver.cleanup_host, 'compute-1')

    def records(self):
        return {r['uuid']: r for r in self.driver.list_instances()}

    def test_every_domain_is_a_server(self):
        records = self.records()
        self.assertEqual({NOVA_UUID, OURS_UUID, OFF_UUID, CRASHED_UUID,
                          PAUSED_UUID}, set(records))
        nova = records[NOVA_UUID]
        self.assertEqual(
            ('web-1', 'nova-project', 'nova-user', 'compute-1', False),
            (nova['display_name'], nova['project_id'], nova['user_id'],
             nova['host'], nova['locked']))
        self.assertEqual({'instance_name': 'nova-dom',
                          'console_log': self.console,
                          'owner_source': 'nova'}, nova['driver_info'])
        ours = records[OURS_UUID]
        self.assertEqual(('our-project', True, 'admin'),
                         (ours['project_id'], ours['locked'],
                          ours['locked_by']))
        self.assertEqual('fallback', records[OFF_UUID]['project_id'])

    def test_states_follow_nova(self):
        records = self.records()
        self.assertEqual(
            {NOVA_UUID: (vm_states.ACTIVE, vm_states.RUNNING),
             OURS_UUID: (vm_states.ACTIVE, vm_states.RUNNING),
             # Shut off stays triggerable; libvirt then says not running.
             OFF_UUID: (vm_states.ACTIVE, vm_states.SHUTDOWN),
             CRASHED_UUID: (vm_states.ERROR, vm_states.CRASHED),
             PAUSED_UUID: (vm_states.PAUSED, vm_states.PAUSED_POWER)},
            {uuid: (r['vm_state'], r['power_state'])
             for uuid, r in records.items()})

    def test_trigger_on_running_domain(self):
        self.assertIsNone(self.driver.trigger_crash_dump(instance(NOVA_UUID)))

    def test_trigger_on_shut_off_domain_is_not_running(self):
        exc = self.assertRaisesRegex(
            exception.InstanceNotRunning, 'Instance %s is not running.'
            % OFF_UUID, self.driver.trigger_crash_dump, instance(OFF_UUID))
        self.assertEqual('Instance %s is not running.' % OFF_UUID,
                         exc.message)

    def assertRaisesRegex(self, cls, pattern, func, *args):
        with super().assertRaisesRegex(cls, pattern) as caught:
            func(*args)
        return caught.exception

    def test_trigger_on_unknown_domain_is_not_found(self):
        self.assertRaises(exception.InstanceNotFound,
                          self.driver.trigger_crash_dump,
                          instance('00000000-0000-0000-0000-000000000000'))
        self.assertTrue(self.changes.is_set())

    def patched_inject(self, error):
        dom = mock.Mock()
        dom.injectNMI.side_effect = error
        return mock.patch.object(self.driver, '_domain', return_value=dom)

    def test_no_support_is_not_supported(self):
        with self.patched_inject(libvirt_error(libvirt.VIR_ERR_NO_SUPPORT)):
            self.assertRaisesRegex(
                exception.TriggerCrashDumpNotSupported,
                '^Triggering crash dump is not supported$',
                self.driver.trigger_crash_dump, instance(NOVA_UUID))

    def test_other_errors_name_the_libvirt_code(self):
        error = libvirt_error(libvirt.VIR_ERR_OPERATION_DENIED,
                              message='read-only connection')
        with self.patched_inject(error), \
                self.assertLogs(libvirt_driver.LOG.logger, 'ERROR') as logs:
            exc = self.assertRaisesRegex(
                exception.CrashdumpException, 'libvirt error code 29',
                self.driver.trigger_crash_dump, instance(NOVA_UUID))
        self.assertIn('read-only connection', exc.message)
        self.assertIn('error code 29', logs.output[0])

    def test_disconnect_during_call_is_driver_unavailable(self):
        error = libvirt_error(libvirt.VIR_ERR_INTERNAL_ERROR,
                              domain=libvirt.VIR_FROM_RPC,
                              message='client socket is closed')
        with self.patched_inject(error):
            self.assertRaisesRegex(
                exception.DriverUnavailable, 'libvirt is unavailable',
                self.driver.trigger_crash_dump, instance(NOVA_UUID))
        # The next call connects again on the spot.
        self.assertIsNone(self.driver.trigger_crash_dump(instance(NOVA_UUID)))

    def test_console_output_reads_the_log(self):
        output = self.driver.get_console_output(instance(NOVA_UUID))
        self.assertIn('Kernel panic - not syncing: NMI', output)

    def test_console_output_without_log_is_not_available(self):
        self.assertRaises(exception.ConsoleNotAvailable,
                          self.driver.get_console_output,
                          instance(OURS_UUID))

    def test_console_output_from_recorded_path_when_domain_is_gone(self):
        gone = instance('00000000-0000-0000-0000-000000000000',
                        console_log=self.console)
        self.assertIn('Kernel panic',
                      self.driver.get_console_output(gone))

    def test_lifecycle_event_asks_for_a_sync(self):
        self.changes.clear()
        conn = self.driver.connection.get()
        conn.lookupByUUIDString(NOVA_UUID).suspend()
        self.assertTrue(self.changes.wait(5), 'no inventory change signal')


class UnreachableDaemonTest(unittest.TestCase):

    def test_unreachable_daemon_fails_fast_and_keeps_inventory(self):
        uri = 'qemu+unix:///system?socket=/nonexistent/libvirt-sock'
        driver = libvirt_driver.LibvirtDriver(
            make_conf(uri, reconnect_interval=0.2))
        driver.init_host('compute-1')
        self.addCleanup(driver.cleanup_host, 'compute-1')
        started = time.monotonic()
        exc = self.assertRaises(exception.DriverUnavailable,
                                driver.trigger_crash_dump,
                                instance(NOVA_UUID))
        self.assertLess(time.monotonic() - started, 2)
        self.assertIn('cannot reach libvirtd at %s' % uri, exc.message)
        # Raising (not returning []) keeps the agent from marking every
        # server deleted while the daemon restarts.
        self.assertRaises(exception.DriverUnavailable, driver.list_instances)

    def assertRaises(self, cls, func, *args):
        with super().assertRaises(cls) as caught:
            func(*args)
        return caught.exception

    def test_missing_binding_is_a_config_error(self):
        with mock.patch.object(libvirt_driver, 'libvirt', None):
            self.assertRaisesRegex(exception.ConfigError, 'libvirt-python|'
                                   r'crashdump-server\[libvirt\]',
                                   libvirt_driver.LibvirtDriver,
                                   make_conf('test:///default'))


if __name__ == '__main__':
    unittest.main()
