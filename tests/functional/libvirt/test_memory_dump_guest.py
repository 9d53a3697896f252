"""Host-side memory dumps of a real QEMU guest that cannot dump itself.

The guest (tools/realparts/libvirt/build-marker-guest.sh) does not set
``unknown_nmi_panic``, so an NMI alone only makes it log "Uhhuh. NMI
received for unknown reason": nothing is captured. It keeps a marker string
in its memory that exists nowhere else. The dumps must hold it, with one
NT_PRSTATUS note (the registers) per vCPU.

One guest serves every test of a class. ``crash`` with the guest kernel's
debug symbols is not run here: see doc/source/admin/memory-dumps.rst.
"""
import hashlib
import os
import re
import signal
import struct
import subprocess
import sys
import time
import uuid as uuid_module

from keystoneauth1 import session as ks_session
from keystoneauth1.token_endpoint import Token
from novaclient import api_versions
from novaclient import client as nova_client

from crashdump_client.v2 import memory_dumps
from tests.functional.libvirt import host
from tests.functional.libvirt import test_libvirt_driver as driver_tests
from tests.lib import embedded

ADMIN = 'admin'
PROJECT = driver_tests.PROJECT
UNKNOWN_NMI_LINE = 'NMI received for unknown reason'
DUMP_TIMEOUT = 300
PATH = '/servers/%s/crashdump-memory-dumps'


def marker_guest(prefix, memory, vcpus, start=True):
    """Define (and start) a marker guest; (name, uuid, marker bytes)."""
    initrd = host.script('build-marker-guest.sh').strip()
    seed = uuid_module.uuid4().hex
    name = prefix + 'guest%d' % memory
    uuid = host.script('domain.sh', 'define', name, '--project', PROJECT,
                       '--user', driver_tests.OWNER, '--memory', str(memory),
                       '--vcpus', str(vcpus), '--initrd', initrd,
                       '--cmdline', 'crashdump.seed=' + seed).strip()
    if start:
        host.script('domain.sh', 'start', name, '180')
    return name, uuid, ('CRASHDUMP-MARKER-%s-IN-GUEST-MEMORY' % seed).encode()


def contains(path, needle):
    """True when the file at ``path`` holds the bytes ``needle``."""
    with open(path, 'rb') as stream:
        tail = b''
        for block in iter(lambda: stream.read(1 << 22), b''):
            if needle in tail + block:
                return True
            tail = block[-len(needle):]
    return False


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(1 << 22), b''):
            digest.update(block)
    return digest.hexdigest()


def flattened_kdump_header(path):
    """The kdump header inside a makedumpfile flattened file: (signature,
    header_version, status, block_size, nr_cpus), as makedumpfile's
    disk_dump_header lays them out. Raises AssertionError when the file is
    not flattened (QEMU writes kdump formats flattened through libvirt's
    pipe)."""
    with open(path, 'rb') as stream:
        head = stream.read(4096)
        if head[:16] != b'makedumpfile\0\0\0\0':
            raise AssertionError('no flattened makedumpfile header: %r'
                                 % head[:16])
        kind, version = struct.unpack('>qq', head[16:32])
        if (kind, version) != (1, 1):
            raise AssertionError('flat header type/version %s/%s'
                                 % (kind, version))
        offset, size = struct.unpack('>qq', stream.read(16))
        if offset != 0 or size < 16:
            raise AssertionError('first segment at %s (%s bytes)'
                                 % (offset, size))
        header = stream.read(size)
    (header_version,) = struct.unpack('<i', header[8:12])
    status, block_size = struct.unpack('<Ii', header[424:432])
    (nr_cpus,) = struct.unpack('<i', header[460:464])
    return header[:8], header_version, status, block_size, nr_cpus


class MemoryDumpGuestTestCase(driver_tests.LibvirtTestCase):
    """crashdump-all on the libvirt host with marker guests of its own."""

    GUESTS = ()  # (memory MiB, vCPUs, start)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prefix = 'cdft%d-md%s-' % (os.getpid(), cls.__name__[:4].lower())
        cls.guests_made = []
        try:
            with host.exclusive():
                for memory, vcpus, start in cls.GUESTS:
                    cls.guests_made.append(
                        marker_guest(cls.prefix, memory, vcpus, start))
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            with host.exclusive():
                host.script('domain.sh', 'remove-all', cls.prefix)
        finally:
            super().tearDownClass()

    def setUp(self):
        super().setUp()
        for _name, uuid, _marker in self.guests_made:
            self.wait_listed(uuid)

    def admin_api(self, method, path, body=None):
        return self.api(method, path, body, user=ADMIN, project=PROJECT)

    def create(self, server_id, dump_format, **options):
        status, body = self.admin_api(
            'POST', PATH % server_id,
            {'memory_dump': dict(options, format=dump_format)})
        self.assertEqual(202, status, body)
        return body['memory_dump']

    def show(self, server_id, dump_id):
        status, body = self.admin_api('GET', PATH % server_id + '/' + dump_id)
        self.assertEqual(200, status, body)
        return body['memory_dump']

    def wait_for(self, server_id, dump_id, predicate, what,
                 timeout=DUMP_TIMEOUT):
        return host.wait_for(
            lambda: (lambda d: d if predicate(d) else None)(
                self.show(server_id, dump_id)), timeout, what)

    def wait_finished(self, server_id, dump_id):
        return self.wait_for(server_id, dump_id,
                             lambda d: d['status'] != 'creating',
                             'dump %s finished' % dump_id)

    def python_api(self):
        session = ks_session.Session(auth=Token(
            self.server.compute_url, '%s:%s' % (ADMIN, PROJECT)))
        return memory_dumps.MemoryDumpManager(nova_client.Client(
            api_versions.APIVersion('2.96'), session=session))

    def download(self, server_id, dump_id, name):
        path = os.path.join(self.home, name)
        size, sha256 = self.python_api().download(server_id, dump_id, path)
        self.addCleanup(os.unlink, path)
        return path, size, sha256

    @property
    def dump_directory(self):
        return os.path.join(self.server.workdir, 'state', 'memory-dumps')

    def dump_files(self, directory=None):
        directory = directory or self.dump_directory
        return sorted(os.listdir(directory)) if os.path.isdir(
            directory) else []

    def wait_partial(self, server_id, dump, directory=None):
        """Until the dump's partial file is being written."""
        def writing():
            names = self.dump_files(directory)
            return any(n.startswith(dump['id']) and n.endswith('.part')
                       for n in names)
        host.wait_for(writing, 60, 'the partial file of %s' % dump['id'])


class MemoryDumpGuestTest(MemoryDumpGuestTestCase):

    # A 256 MiB guest with 2 vCPUs for the formats; a 1 GiB one whose ELF
    # dump takes long enough to be deleted or interrupted.
    GUESTS = ((256, 2, True), (1024, 1, True))

    def test_nova_dumps_kdump_zlib_then_sends_the_nmi(self):
        name, uuid, _marker = self.guests_made[0]
        self.assertNotIn(UNKNOWN_NMI_LINE, host.console_log(name))

        result = self.nova('trigger-crash', name, '--memory-dump', '--wait',
                           '--timeout', str(DUMP_TIMEOUT), '--poll-interval',
                           '0.5', user=ADMIN, project=PROJECT)

        self.assertSucceeded(result)
        match = re.search(r'memory dump (\S+) available \(kdump-zlib, (\d+) '
                          r'bytes, sha256 ([0-9a-f]{64})\); NMI: Success',
                          result.stdout)
        self.assertIsNotNone(match, result.describe())
        dump_id, size, sha256 = match.groups()
        # The NMI came after the dump; the guest logged it and goes on.
        host.wait_for(lambda: UNKNOWN_NMI_LINE in host.console_log(name),
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
            user=ADMIN, project=PROJECT))
        self.assertEqual(int(size), os.path.getsize(path))
        self.assertEqual(sha256, sha256_of(path))
        signature, version, status, block_size, cpus = (
            flattened_kdump_header(path))
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
        self.assertTrue(contains(path, marker), 'marker not in the dump')
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
        self.assertEqual(sha256, sha256_of(path))
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
        status, body = self.api('POST', PATH % uuid,
                                {'memory_dump': {'format': 'elf'}})
        self.assertEqual(403, status, body)

    def test_delete_while_creating_aborts_the_dump(self):
        name, uuid, _marker = self.guests_made[1]
        dump = self.create(uuid, 'elf')
        self.wait_partial(uuid, dump)

        status, body = self.admin_api('DELETE', PATH % uuid + '/' + dump['id'])

        self.assertEqual(204, status, body)
        status, _ = self.admin_api('GET', PATH % uuid + '/' + dump['id'])
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
        restart(self.server)

        shown = self.show(uuid, dump['id'])
        self.assertEqual('error', shown['status'], shown)
        self.assertIn('stopped while the dump was being created',
                      shown['error'])
        self.assertEqual([], [n for n in self.dump_files()
                              if n.startswith(dump['id'])])
        host.wait_for(lambda: host.virsh('domstate', name) == 'running', 60,
                      'the guest running again')


def restart(server, timeout=60):
    """Start ``server``'s crashdump-all again on its state and config."""
    with open(server.output_path) as stream:
        before = len(stream.read())
    with open(server.output_path, 'a') as output:
        server.process = subprocess.Popen(
            [sys.executable, '-m', 'crashdump_server.cmd.all',
             '--config-file', os.path.join(server.workdir, 'crashdump.conf')],
            stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=embedded.die_with_parent)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = embedded._URL.search(server.output()[before:])
        if match:
            server.url = match.group(1)
            server._wait_ready(deadline)
            return
        if server.process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError('crashdump-all did not restart:\n'
                         + server.output()[before:])


class TinyDiskTest(MemoryDumpGuestTestCase):
    """The dump directory is a 24 MiB tmpfs: a full disk, for real."""

    GUESTS = ((160, 1, True), (1024, 1, False))
    TMPFS = '/run/crashdump-libvirt/md-tmpfs-%d' % os.getpid()
    OPTIONS = dict(driver_tests.LibvirtTestCase.OPTIONS, **{
        'memory_dump.directory': TMPFS,
        # 10 % of the guest's memory: the 160 MiB guest passes the check
        # (16 MiB), its ELF dump does not fit; the 1 GiB one is refused.
        'memory_dump.free_space_margin': '0.1'})

    @classmethod
    def setUpClass(cls):
        os.makedirs(cls.TMPFS, exist_ok=True)
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=24m',
                        'crashdump-md', cls.TMPFS], check=True)
        try:
            super().setUpClass()
        except Exception:
            subprocess.run(['umount', cls.TMPFS])
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            subprocess.run(['umount', cls.TMPFS])
            os.rmdir(cls.TMPFS)

    def test_disk_full_mid_dump_is_an_error_without_partial_file(self):
        _name, uuid, _marker = self.guests_made[0]
        dump = self.wait_finished(uuid, self.create(uuid, 'elf')['id'])
        self.assertEqual('error', dump['status'], dump)
        self.assertIn('No space left on device', dump['error'])
        self.assertEqual([], self.dump_files(self.TMPFS))

    def test_too_little_free_space_is_refused_before_dumping(self):
        _name, uuid, _marker = self.guests_made[1]
        dump = self.wait_finished(uuid, self.create(uuid, 'kdump-zlib')[
            'id'])
        self.assertEqual('error', dump['status'], dump)
        self.assertIn('Not enough free space in %s' % self.TMPFS,
                      dump['error'])
        self.assertIn('102 MiB needed', dump['error'])
        self.assertEqual([], self.dump_files(self.TMPFS))
