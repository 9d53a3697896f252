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
        with host.exclusive():
            self.assertTrue(
                os.path.exists(os.path.join(host.RUN_DIR, 'libvirtd.pid')),
                'libvirtd was not started by daemons.sh, so stop would '
                'not act: nothing to test')
            guests = host.Guests('cdft%d-stop-' % os.getpid())
            self.addCleanup(guests.remove_all)
            ours, _ = guests.define('ours')
            guests.start(ours)
            # Someone else's guest: the same kernel under another path, so
            # not one that domain.sh defined from the guest cache.
            other_cache = tempfile.mkdtemp(prefix='crashdump-other-guest-')
            self.addCleanup(shutil.rmtree, other_cache, True)
            for name in ('vmlinuz', 'initramfs.img'):
                shutil.copy(os.path.join(CACHE, name), other_cache)
            other = 'cdft%d-stop-other' % os.getpid()
            env = dict(os.environ, CRASHDUMP_GUEST_CACHE=other_cache)
            subprocess.run(['bash', os.path.join(host.SCRIPTS, 'domain.sh'),
                            'define', other], env=env, check=True,
                           capture_output=True, timeout=120)
            self.addCleanup(host.script, 'domain.sh', 'remove', other)
            subprocess.run(['bash', os.path.join(host.SCRIPTS, 'domain.sh'),
                            'start', other, '120'], env=env, check=True,
                           capture_output=True, timeout=180)
            # Whatever happens, the other tests get their daemons back.
            self.addCleanup(host.script, 'daemons.sh', 'start')

            result = subprocess.run(
                ['bash', os.path.join(host.SCRIPTS, 'daemons.sh'), 'stop'],
                capture_output=True, text=True, timeout=120)

            self.assertEqual(0, result.returncode, result.stderr)
            self.assertIn('libvirtd left running: it runs guests crashdump '
                          'did not create (%s)' % other, result.stderr)
            self.assertEqual('running', self.state(other))
            self.assertEqual('shut off', self.state(ours))
            self.assertEqual(0, subprocess.run(
                ['bash', os.path.join(host.SCRIPTS, 'daemons.sh'),
                 'status']).returncode)

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
