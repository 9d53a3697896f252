"""Host-side memory dumps of a real QEMU guest that cannot dump itself.

The dumps must hold the guest's marker string, with one NT_PRSTATUS note
(the registers) per vCPU; kdump files must carry a valid (flattened)
kdump header. One guest serves every test of the class.

``crash`` with the guest kernel's debug symbols is not run here: see
doc/source/admin/memory-dumps.rst for what it does with these dumps.
"""
import os
import re
import signal
import subprocess

from tests.functional.libvirt import host
from tests.functional.libvirt import memory_dumps as md
from tests.functional.libvirt import test_libvirt_driver as driver_tests


class MemoryDumpGuestTest(md.MemoryDumpGuestTestCase):

    # A 256 MiB guest with 2 vCPUs for the formats; a 1 GiB one whose ELF
    # dump takes long enough to be deleted or interrupted.
    GUESTS = ((256, 2, True), (1024, 1, True))

    def test_nova_dumps_kdump_zlib_then_sends_the_nmi(self):
        name, uuid, _marker = self.guests_made[0]
        self.assertNotIn(md.UNKNOWN_NMI_LINE, host.console_log(name))

        result = self.nova('trigger-crash', name, '--memory-dump', '--wait',
                           '--timeout', str(md.DUMP_TIMEOUT),
                           '--poll-interval', '0.5', user=md.ADMIN,
                           project=md.PROJECT)

        self.assertSucceeded(result)
        match = re.search(r'memory dump (\S+) available \(kdump-zlib, (\d+) '
                          r'bytes, sha256 ([0-9a-f]{64})\); NMI: Success',
                          result.stdout)
        self.assertIsNotNone(match, result.describe())
        dump_id, size, sha256 = match.groups()
        # The NMI came after the dump; the guest logged it and goes on.
        host.wait_for(lambda: md.UNKNOWN_NMI_LINE in host.console_log(name),
                      driver_tests.PANIC_TIMEOUT, 'the unknown NMI line')
        self.assertNoPanic(name)
        self.assertEqual('running', host.virsh('domstate', name))
        dump = self.show(uuid, dump_id)
        events = self.recorded_action(uuid, dump['request_id'])['events']
        self.assertEqual({('compute_memory_dump', 'Success'),
                          ('compute_trigger_crash_dump', 'Success')},
                         {(e['event'], e['result']) for e in events})
        dumped = [e for e in events if e['event'] == 'compute_memory_dump']
        nmi = [e for e in events if e['event'] != 'compute_memory_dump']
        self.assertLessEqual(dumped[0]['finish_time'], nmi[0]['start_time'])

        path = os.path.join(self.home, 'zlib.kdump')
        self.addCleanup(os.unlink, path)
        self.assertSucceeded(self.nova(
            'memory-dump-download', name, dump_id, '--file', path,
            user=md.ADMIN, project=md.PROJECT))
        self.assertEqual(int(size), os.path.getsize(path))
        self.assertEqual(sha256, md.sha256_of(path))
        signature, version, status, block_size, cpus = (
            md.flattened_kdump_header(path))
        # Status 1: DUMP_DH_COMPRESSED_ZLIB.
        self.assertEqual((b'KDUMP   ', 1, 4096, 2),
                         (signature, status, block_size, cpus))
        self.assertGreater(version, 0)
        # The guest's memory is far larger than its compressed dump.
        self.assertLess(int(size), 256 << 20)

    def test_elf_dump_has_the_registers_of_each_vcpu_and_the_marker(self):
        name, uuid, marker = self.guests_made[0]
        dump = self.wait_finished(uuid, self.create(uuid, 'elf')['id'])
        self.assertEqual('available', dump['status'], dump)

        path, size, sha256 = self.download(uuid, dump['id'], 'guest.elf')

        self.assertEqual((dump['size'], dump['sha256']), (size, sha256))
        notes = subprocess.run(['readelf', '-n', path], capture_output=True,
                               text=True, check=True).stdout
        self.assertEqual(2, notes.count('NT_PRSTATUS'), notes)
        self.assertTrue(md.contains(path, marker), 'marker not in the dump')
        self.assertGreaterEqual(size, 256 << 20)

    def test_resumed_download_with_range(self):
        _name, uuid, _marker = self.guests_made[0]
        dump = self.wait_finished(uuid, self.create(uuid, 'kdump-zlib')[
            'id'])
        self.assertEqual('available', dump['status'], dump)
        path = os.path.join(self.home, 'resumed.kdump')
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))
        # A transfer that broke halfway left this part behind.
        whole, _size, _sha = self.download(uuid, dump['id'], 'whole.kdump')
        with open(whole, 'rb') as stream:
            half = stream.read(dump['size'] // 2)
        with open(path + '.part', 'wb') as part:
            part.write(half)
        received = []
        size, sha256 = self.python_api().download(
            uuid, dump['id'], path,
            progress=lambda done, total: received.append(done))
        self.assertEqual((dump['size'], dump['sha256']), (size, sha256))
        self.assertEqual(sha256, md.sha256_of(path))
        # Only the rest crossed the network.
        self.assertGreater(received[0], len(half))

    def test_formats_this_qemu_lacks_are_not_supported(self):
        # Debian 12's QEMU is built with neither lzo nor snappy.
        _name, uuid, _marker = self.guests_made[0]
        for dump_format in ('kdump-lzo', 'kdump-snappy'):
            dump = self.wait_finished(uuid, self.create(uuid, dump_format)[
                'id'])
            self.assertEqual('error', dump['status'], dump)
            self.assertIn('Memory dumps are not supported: ', dump['error'])
            self.assertIn("unsupported dumpformat '%s'" % dump_format,
                          dump['error'])

    def test_member_is_refused_by_default(self):
        name, uuid, _marker = self.guests_made[0]
        result = self.nova('trigger-crash', name, '--memory-dump', '--wait')
        self.assertFailed(result)
        self.assertPrinted("Policy doesn't allow "
                           "crashdump:memory_dumps:create", result)
        status, body = self.api('POST', md.PATH % uuid,
                                {'memory_dump': {'format': 'elf'}})
        self.assertEqual(403, status, body)

    def test_delete_while_creating_aborts_the_dump(self):
        name, uuid, _marker = self.guests_made[1]
        dump = self.create(uuid, 'elf')
        self.wait_partial(uuid, dump)

        status, body = self.admin_api('DELETE',
                                      md.PATH % uuid + '/' + dump['id'])

        self.assertEqual(204, status, body)
        status, _ = self.admin_api('GET', md.PATH % uuid + '/' + dump['id'])
        self.assertEqual(404, status)
        self.assertEqual([], [n for n in self.dump_files()
                              if n.startswith(dump['id'])])
        details = [e.get('details') for e in self.recorded_action(
            uuid, dump['request_id'])['events']]
        self.assertIn('The memory dump was aborted: ', ' '.join(
            d or '' for d in details))
        host.wait_for(lambda: host.virsh('domstate', name) == 'running', 30,
                      'the guest running again')

    def test_agent_killed_mid_dump_is_recovered_at_restart(self):
        name, uuid, _marker = self.guests_made[1]
        dump = self.create(uuid, 'elf')
        self.wait_partial(uuid, dump)

        self.server.process.send_signal(signal.SIGKILL)
        self.server.process.wait()
        md.restart(self.server)

        shown = self.show(uuid, dump['id'])
        self.assertEqual('error', shown['status'], shown)
        self.assertIn('stopped while the dump was being created',
                      shown['error'])
        self.assertEqual([], [n for n in self.dump_files()
                              if n.startswith(dump['id'])])
        host.wait_for(lambda: host.virsh('domstate', name) == 'running', 60,
                      'the guest running again')
