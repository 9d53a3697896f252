"""The drivers' memory dump hooks: libvirt (against libvirt's test driver
and a scripted domain), ironic and fake."""
import os
import tempfile
import threading
import time
import types
import unittest
from unittest import mock

import libvirt

from crashdump_server.compute import dump_formats
from crashdump_server import exception
from crashdump_server.virt import driver as virt_driver
from crashdump_server.virt.libvirt import driver as libvirt_driver
from crashdump_server.virt.libvirt import memory_dump
from tests.unit.server import test_libvirt_driver as helpers

TEST_DOMAIN = helpers.TEST_DOMAIN_UUID


class ScriptedDomain:
    """A domain whose dump takes ``steps`` job-info reads, each one
    further; records abortJob."""

    def __init__(self, steps=3, error=None):
        self.steps = steps
        self.error = error
        self.reads = 0
        self.aborted = threading.Event()
        self.calls = []

    def coreDumpWithFormat(self, path, fmt, flags):
        self.calls.append((path, fmt, flags))
        deadline = time.monotonic() + 10
        while self.reads < self.steps and time.monotonic() < deadline:
            if self.aborted.is_set():
                raise helpers.libvirt_error(libvirt.VIR_ERR_OPERATION_ABORTED,
                                            message='job aborted')
            time.sleep(0.01)
        if self.error is not None:
            raise self.error
        with open(path, 'wb') as dump:
            dump.write(b'makedumpfile')

    def jobStats(self):
        self.reads += 1
        return {'memory_total': 400, 'memory_processed': 100 * self.reads}

    def abortJob(self):
        self.aborted.set()


class LibvirtMemoryDumpTest(unittest.TestCase):

    def setUp(self):
        self.driver = libvirt_driver.LibvirtDriver(
            helpers.make_conf('test:///default'))
        self.driver.init_host('compute-1')
        self.addCleanup(self.driver.cleanup_host, 'compute-1')
        self.tmp = tempfile.mkdtemp(prefix='crashdump-dump-')
        self.path = os.path.join(self.tmp, 'dump.part')
        patcher = mock.patch.object(memory_dump, 'POLL_INTERVAL', 0.01)
        patcher.start()
        self.addCleanup(patcher.stop)

    def scripted(self, domain):
        return mock.patch.object(self.driver, '_domain',
                                 return_value=domain)

    def test_guest_memory_is_the_domains_maximum(self):
        self.assertEqual(8 * 1024 ** 3, self.driver.guest_memory_bytes(
            helpers.instance(TEST_DOMAIN)))

    def test_memory_only_with_the_format_and_progress(self):
        domain = ScriptedDomain(steps=3)
        seen = []
        with self.scripted(domain):
            self.driver.dump_memory(helpers.instance(TEST_DOMAIN), self.path,
                                    dump_formats.KDUMP_ZLIB,
                                    progress=seen.append)
        self.assertEqual([(self.path,
                           libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
                           libvirt.VIR_DUMP_MEMORY_ONLY)], domain.calls)
        self.assertEqual([25, 50, 75], seen[:3])
        self.assertTrue(os.path.exists(self.path))

    def test_every_format_has_a_libvirt_value(self):
        self.assertEqual(
            [libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
             libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
             libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_KDUMP_SNAPPY,
             libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
             libvirt.VIR_DOMAIN_CORE_DUMP_FORMAT_WIN_DMP],
            [memory_dump.libvirt_format(f) for f in dump_formats.FORMATS])

    def test_abort_stops_the_job(self):
        domain = ScriptedDomain(steps=10 ** 6)
        abort = threading.Event()
        abort.set()
        with self.scripted(domain):
            self.assertRaisesRegex(
                exception.MemoryDumpAborted, 'deleted while being created',
                self.driver.dump_memory, helpers.instance(TEST_DOMAIN),
                self.path, dump_formats.ELF, abort=abort)
        self.assertTrue(domain.aborted.is_set())

    def test_test_driver_refusal_is_not_supported_in_libvirts_words(self):
        # libvirt's test driver knows no VIR_DUMP_MEMORY_ONLY.
        with self.assertRaises(exception.MemoryDumpNotSupported) as caught:
            self.driver.dump_memory(helpers.instance(TEST_DOMAIN), self.path,
                                    dump_formats.ELF)
        self.assertIn('unsupported flags', caught.exception.message)

    def test_errors_are_mapped(self):
        for code, expected in (
                (libvirt.VIR_ERR_OPERATION_INVALID,
                 exception.InstanceNotRunning),
                (libvirt.VIR_ERR_NO_SUPPORT, exception.MemoryDumpNotSupported),
                (libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
                 exception.MemoryDumpNotSupported),
                (libvirt.VIR_ERR_SYSTEM_ERROR, exception.MemoryDumpFailed)):
            domain = ScriptedDomain(steps=0,
                                    error=helpers.libvirt_error(code))
            with self.scripted(domain):
                self.assertRaises(expected, self.driver.dump_memory,
                                  helpers.instance(TEST_DOMAIN), self.path,
                                  dump_formats.ELF)

    def test_unknown_domain(self):
        self.assertRaises(exception.InstanceNotFound,
                          self.driver.dump_memory,
                          helpers.instance(helpers.NOVA_UUID), self.path,
                          dump_formats.ELF)


class OtherDriversTest(unittest.TestCase):

    def test_base_driver_says_not_supported(self):
        base = virt_driver.ComputeDriver(conf=None)
        self.assertRaisesRegex(
            exception.MemoryDumpNotSupported, 'cannot dump guest memory',
            base.dump_memory, None, '/nonexistent', dump_formats.ELF)
        self.assertIsNone(base.guest_memory_bytes(None))

    def test_ironic_says_not_supported_for_bare_metal(self):
        from crashdump_server.virt.ironic import driver as ironic_driver
        ironic = ironic_driver.IronicDriver(
            types.SimpleNamespace(host='conductor-1'))
        with self.assertRaises(exception.MemoryDumpNotSupported) as caught:
            ironic.dump_memory(types.SimpleNamespace(uuid='x'),
                               '/nonexistent', dump_formats.KDUMP_ZLIB)
        self.assertIn('not supported for bare metal',
                      caught.exception.message)
        self.assertEqual(400, caught.exception.code)


class AbortLeftoverJobTest(unittest.TestCase):

    def test_only_a_dump_job_is_aborted(self):
        dom = mock.Mock()
        dom.jobStats.return_value = {
            'operation': libvirt.VIR_DOMAIN_JOB_OPERATION_DUMP}
        self.assertTrue(memory_dump.abort_dump_job(dom))
        dom.abortJob.assert_called_once_with()
        dom = mock.Mock()
        dom.jobStats.return_value = {'operation': 0}
        self.assertFalse(memory_dump.abort_dump_job(dom))
        dom.abortJob.assert_not_called()

    def test_errors_are_no_abort(self):
        dom = mock.Mock()
        dom.jobStats.side_effect = helpers.libvirt_error(
            libvirt.VIR_ERR_NO_SUPPORT)
        self.assertFalse(memory_dump.abort_dump_job(dom))
