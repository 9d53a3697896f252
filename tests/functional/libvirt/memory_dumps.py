"""What the memory dump tests of real guests share: marker guests, a
crashdump-all on the libvirt host that knows them, and readers of dumps.

The marker guest (tools/realparts/libvirt/build-marker-guest.sh) does not
set ``unknown_nmi_panic``, so an NMI alone only makes it log "Uhhuh. NMI
received for unknown reason": nothing is captured. It keeps a marker string
in its memory that exists nowhere else.
"""
import hashlib
import os
import struct
import subprocess
import sys
import uuid as uuid_module

from keystoneauth1 import session as ks_session
from keystoneauth1.token_endpoint import Token
from novaclient import api_versions
from novaclient import client as nova_client

from crashdump_client.v2 import memory_dumps
from tests.functional.libvirt import host
from tests.functional.libvirt import test_libvirt_driver as driver_tests
from tests.lib import embedded
from tests.lib import process

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


def restart(server, timeout=60):
    """Start ``server``'s crashdump-all again on its state and config."""
    with open(server.output_path) as stream:
        before = len(stream.read())
    with open(server.output_path, 'a') as output:
        server.process = subprocess.Popen(
            [sys.executable, '-m', 'crashdump_server.cmd.all',
             '--config-file', os.path.join(server.workdir, 'crashdump.conf')],
            stdout=output, stderr=subprocess.STDOUT,
            preexec_fn=process.die_with_parent)

    def serving():
        if server.process.poll() is not None:
            raise AssertionError('crashdump-all did not restart:\n'
                                 + server.output()[before:])
        match = embedded._URL.search(server.output()[before:])
        return match.group(1) if match else None

    server.url = process.wait_for(serving, timeout, 'crashdump-all serving')
    process.wait_for(server._answers, timeout, 'crashdump-all answering')
