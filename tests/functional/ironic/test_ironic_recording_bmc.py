"""The Ironic driver against a real Ironic, with BMCs that need no guest:
the project's recording BMC (one log line per NMI) and fake-hardware.

crashdump-all (ironic driver) -> python-ironicclient -> Ironic API ->
ipmitool -> recording BMC, driven by the real ``nova trigger-crash``.
"""
from tests.functional import base
from tests.functional.ironic import base as ironic_base
from tests.functional.ironic import realparts

RECORDED = '20000000-0000-4000-8000-000000000001'
FAKE = '20000000-0000-4000-8000-000000000002'
DOWN = '20000000-0000-4000-8000-000000000003'
LOCKED = '20000000-0000-4000-8000-000000000004'
LEASED = '20000000-0000-4000-8000-000000000005'
OTHER_PROJECT = 'other'
LESSEE = 'tenant-b'


class TestIronicWithRecordingBMC(ironic_base.IronicTestCase):

    @classmethod
    def enroll_nodes(cls, stack):
        cls.bmcs = {}
        for uuid in (RECORDED, DOWN, LOCKED, LEASED):
            cls.bmcs[uuid] = stack.recording_bmc()
        stack.enroll_ipmi(cls.bmcs[RECORDED][0], RECORDED,
                          name='node-recorded', display_name='bm-recorded',
                          owner=base.PROJECT)
        stack.enroll('fake-hardware', FAKE, name='node-fake',
                     display_name='bm-fake', lessee=base.PROJECT)
        stack.enroll_ipmi(cls.bmcs[DOWN][0], DOWN, name='node-down',
                          display_name='bm-down', owner=base.PROJECT)
        locked = stack.enroll_ipmi(cls.bmcs[LOCKED][0], LOCKED,
                                   name='node-locked',
                                   display_name='bm-locked',
                                   owner=base.PROJECT)
        # Owner is the hardware's, lessee the tenant's: the lessee wins.
        stack.enroll_ipmi(cls.bmcs[LEASED][0], LEASED, name='node-leased',
                          display_name='bm-leased', owner=base.PROJECT,
                          lessee=LESSEE)
        # Enrollment needed the BMC (Ironic checks power on "manage");
        # now it is gone, as a dead BMC is.
        stack.stop_bmc('recording', cls.bmcs[DOWN][0])
        stack.hold_lock(locked['uuid'])

    def nmis(self, uuid):
        return realparts.recorded_nmis(self.bmcs[uuid][1])

    def test_one_nmi_per_accepted_request(self):
        for count in (1, 2):
            outcome, request_id, _, result = self.trigger_and_wait(
                'bm-recorded', user=base.OWNER, project=base.PROJECT)
            self.assertEqual('Success', outcome, result.describe())
            self.assertEqual(count, len(self.nmis(RECORDED)),
                             self.nmis(RECORDED))
        actions = self.recorded_actions(RECORDED)
        self.assertEqual(2, len(actions), actions)
        self.assertEqual(request_id, actions[0]['request_id'])

    def test_server_is_the_node_instance(self):
        server = self.api_get('/servers/%s' % RECORDED)['server']
        self.assertEqual(
            ('bm-recorded', base.PROJECT, 'ACTIVE', 1),
            (server['name'], server['tenant_id'], server['status'],
             server['OS-EXT-STS:power_state']), server)

    def test_fake_hardware_is_accepted_then_not_supported(self):
        outcome, request_id, _, result = self.trigger_and_wait(FAKE)
        self.assertFailed(result)
        self.assertEqual(
            'Error: Triggering crash dump is not supported: Driver '
            'fake-hardware does not support inject_nmi (disabled or not '
            'implemented).', outcome, result.describe())

    def test_bmc_down_fails_within_deadline_with_ironic_reason(self):
        outcome, request_id, seconds, result = self.trigger_and_wait(DOWN)
        self.assertFailed(result)
        self.assertTrue(outcome.startswith(
            'Error: Ironic could not inject an NMI into node '), outcome)
        self.assertIn('(HTTP 500): IPMI call failed: power diag.', outcome)
        # The CLI polls and starts a process: allow it some seconds.
        self.assertLess(seconds, ironic_base.TRIGGER_TIMEOUT + 10)

    def test_locked_node_retries_a_bounded_number_of_times(self):
        outcome, request_id, seconds, result = self.trigger_and_wait(
            LOCKED)
        self.assertFailed(result)
        self.assertTrue(outcome.startswith('Error: Ironic node '), outcome)
        self.assertIn('is locked by another operation; gave up after %d '
                      'attempts' % (ironic_base.MAX_RETRIES + 1), outcome)
        self.assertIn('locked by host crashdump-ironic', outcome)
        self.assertEqual([], self.nmis(LOCKED))

    def test_lessee_owns_the_server(self):
        # The node's owner project no longer sees the leased server...
        result = self.nova('trigger-crash', 'bm-leased', user=base.OWNER,
                           project=base.PROJECT)
        self.assertFailed(result)
        result = self.nova('trigger-crash', LEASED, user=base.OWNER,
                           project=base.PROJECT)
        self.assertFailed(result)
        self.assertPrinted('No server with a name or ID', result)
        # ...nor does any other project's member...
        result = self.nova('trigger-crash', LEASED, user='mallory',
                           project=OTHER_PROJECT)
        self.assertFailed(result)
        self.assertEqual([], self.nmis(LEASED))
        # ...the lessee's member does, and the NMI arrives.
        outcome, _, _, result = self.trigger_and_wait(
            'bm-leased', user='bob', project=LESSEE)
        self.assertEqual('Success', outcome, result.describe())
        self.assertEqual(1, len(self.nmis(LEASED)))
