"""A full disk, for real: the dump directory is a tiny tmpfs."""
import os
import subprocess

from tests.functional.libvirt import memory_dumps as md
from tests.functional.libvirt import test_libvirt_driver as driver_tests


class TinyDiskTest(md.MemoryDumpGuestTestCase):
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
