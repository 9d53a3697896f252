"""The libvirt host scripts on the real host: ``daemons.sh stop`` destroys
only the guests crashdump's scripts created, and ``chain.sh`` (the demo's
libvirt part) says each phase and removes its guest.
"""
import os
import shutil
import subprocess
import tempfile

import testtools

from tests.functional.libvirt import host

CACHE = os.environ.get('CRASHDUMP_GUEST_CACHE', '/var/cache/crashdump-guest')


class HostScriptsTest(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        host.acquire()

    @classmethod
    def tearDownClass(cls):
        host.release()
        super().tearDownClass()

    def state(self, name):
        return host.virsh('domstate', name, check=False)

    def test_stop_leaves_a_guest_it_did_not_create_and_its_libvirtd(self):
        # daemons.sh stop runs here with a guest cache of the test's own:
        # only the guest defined from it is "created" by the scripts, and
        # every other guest on the shared host -- other tests' too -- is
        # one it must not touch.
        own_cache = tempfile.mkdtemp(prefix='crashdump-own-guest-')
        self.addCleanup(shutil.rmtree, own_cache, True)
        for name in ('vmlinuz', 'initramfs.img'):
            shutil.copy(os.path.join(CACHE, name), own_cache)
        env = dict(os.environ, CRASHDUMP_GUEST_CACHE=own_cache)

        def scripts(*argv, timeout=180):
            return subprocess.run(
                ['bash', os.path.join(host.SCRIPTS, argv[0])] +
                list(argv[1:]), env=env, capture_output=True, text=True,
                timeout=timeout)

        with host.exclusive():
            self.assertTrue(
                os.path.exists(os.path.join(host.RUN_DIR, 'libvirtd.pid')),
                'libvirtd was not started by daemons.sh, so stop would '
                'not act: nothing to test')
            guests = host.Guests('cdft%d-stop-' % os.getpid())
            self.addCleanup(guests.remove_all)
            other, _ = guests.define('other')
            guests.start(other)
            ours = 'cdft%d-stop-ours' % os.getpid()
            self.addCleanup(host.script, 'domain.sh', 'remove', ours)
            for argv in (('domain.sh', 'define', ours),
                         ('domain.sh', 'start', ours, '120')):
                done = scripts(*argv)
                self.assertEqual(0, done.returncode, done.stderr)
            # Whatever happens, the other tests get their daemons back.
            self.addCleanup(host.script, 'daemons.sh', 'start')

            result = scripts('daemons.sh', 'stop', timeout=120)

            self.assertEqual(0, result.returncode, result.stderr)
            self.assertIn('libvirtd left running: it runs guests crashdump '
                          'did not create (', result.stderr)
            self.assertIn(other, result.stderr)
            self.assertEqual('running', self.state(other))
            self.assertEqual('shut off', self.state(ours))
            self.assertEqual(0, scripts('daemons.sh', 'status').returncode)

    def test_chain_prints_its_phases_and_removes_its_guest(self):
        bin_dir = os.path.dirname(shutil.which('crashdump-all'))
        # chain.sh takes the host lock itself.
        result = subprocess.run(
            ['bash', os.path.join(host.SCRIPTS, 'chain.sh'), bin_dir],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        for phase in ('libvirt: starting virtlogd and libvirtd',
                      'booting a guest', 'starting crashdump-all',
                      'triggering: nova trigger-crash', 'stopping'):
            self.assertRegex(result.stderr,
                             r'==> %s.*: \d+\.\d s' % phase)
        self.assertIn(host.PANIC_LINE, result.stdout)
        self.assertNotIn('crashdump-chain-',
                         host.virsh('list', '--all', '--name'))
