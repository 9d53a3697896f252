"""The whole bare-metal chain into a real guest kernel:

crashdump-all (ironic driver) -> python-ironicclient -> Ironic API ->
  ipmi:    ipmitool chassis power diag -> VirtualBMC -> libvirt -> QEMU
  redfish: ComputerSystem.Reset {ResetType: Nmi} -> sushy-tools -> libvirt
-> the guest kernel panics on the NMI, as its console log shows.

The guests come from tools/realparts/libvirt (a kernel that panics on an
unknown NMI); the libvirt host is shared with the libvirt tests through
tests.functional.libvirt.host (set up once, held exclusively per test).
"""
import os

from tests.functional.ironic import base as ironic_base
from tests.functional.libvirt import host

IPMI_SERVER = '30000000-0000-4000-8000-000000000001'
REDFISH_SERVER = '30000000-0000-4000-8000-000000000002'
PANIC_TIMEOUT = 30


class TestIronicGuestChain(ironic_base.IronicTestCase):
    # Emulated BMCs in front of emulated guests answer slowly on a loaded
    # 2-core machine: an NMI through sushy-tools has taken over 15 s.
    REQUEST_TIMEOUT = 60
    TRIGGER_TIMEOUT = 80

    @classmethod
    def enroll_nodes(cls, stack):
        host.acquire()
        cls.guests = host.Guests('cd-ironic-%d-' % os.getpid())
        try:
            with host.exclusive():
                cls.ipmi_guest, _ = cls.guests.define('ipmi')
                cls.redfish_guest, redfish_uuid = cls.guests.define(
                    'redfish')
                for guest in (cls.ipmi_guest, cls.redfish_guest):
                    cls.guests.start(guest)
            stack.enroll_ipmi(stack.virtualbmc(cls.ipmi_guest), IPMI_SERVER,
                              name='node-vbmc', display_name='bm-vbmc',
                              owner='demo')
            stack.enroll_redfish(stack.sushy(), redfish_uuid,
                                 REDFISH_SERVER, name='node-redfish',
                                 display_name='bm-redfish', owner='demo')
        except BaseException:
            cls._release_guests()
            raise

    @classmethod
    def _release_guests(cls):
        try:
            with host.exclusive():
                cls.guests.remove_all()
        finally:
            host.release()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls._release_guests()

    def assertGuestPanics(self, server, guest):
        before = host.console_log(guest).count(host.PANIC_LINE)
        with host.exclusive():
            outcome, _, _, result = self.trigger_and_wait(
                server, user='alice', project='demo')
        self.assertEqual('Success', outcome, result.describe())
        host.wait_for(
            lambda: host.console_log(guest).count(host.PANIC_LINE) > before,
            PANIC_TIMEOUT, 'the panic of %s on its console' % guest)

    def test_ipmi_through_virtualbmc_panics_the_guest(self):
        self.assertGuestPanics('bm-vbmc', self.ipmi_guest)

    def test_redfish_through_sushy_tools_panics_the_guest(self):
        self.assertGuestPanics('bm-redfish', self.redfish_guest)
