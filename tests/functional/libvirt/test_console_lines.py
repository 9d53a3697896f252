"""``--console-lines`` against a real QEMU guest: the user sees the panic.

The real ``nova`` and ``openstack`` commands trigger a crash dump in a
guest that panics on an NMI and print the last lines of its console under
the result, read back through ``os-getConsoleOutput`` from the guest's
serial console log. Same host, server and guests as
:mod:`tests.functional.libvirt.test_libvirt_driver`.
"""
import os

from tests.functional.libvirt import host
from tests.functional.libvirt import test_libvirt_driver as driver_tests

LINES = 6


class ConsoleLinesTest(driver_tests.LibvirtTestCase):

    def assertConsoleBlock(self, result, name, uuid):
        """The block under the result: heading, then at most LINES lines
        of the guest's console, the panic among them."""
        lines = result.stdout.splitlines()
        heading = 'Console of server %s (%s), last ' % (name, uuid)
        starts = [i for i, line in enumerate(lines)
                  if line.startswith(heading)]
        self.assertEqual(1, len(starts), result.describe())
        block = lines[starts[0] + 1:]
        console_lines = [line[4:] for line in block
                         if line.startswith('    ')]
        self.assertLessEqual(len(console_lines), LINES, result.describe())
        self.assertIn(host.PANIC_LINE, '\n'.join(console_lines),
                      result.describe())
        # What was printed is what the guest wrote.
        log = host.console_log(name)
        for line in console_lines:
            self.assertIn(line.strip(), log)

    def test_nova_prints_the_panic_under_the_result(self):
        name, uuid = self.running_guest('nova')

        result = self.nova('trigger-crash', name, '--wait',
                           '--poll-interval', '0.2', '--console-lines',
                           str(LINES))

        self.assertSucceeded(result)
        self.assertIn('Crash dump for server %s (%s): Success' % (name, uuid),
                      result.stdout.splitlines()[0])
        self.assertConsoleBlock(result, name, uuid)

    def test_openstack_prints_the_panic_after_the_table(self):
        name, uuid = self.running_guest('osc')

        result = self.openstack('server', 'crash-dump', 'trigger', name,
                                '--wait', '--poll-interval', '0.2',
                                '--console-lines', str(LINES))

        self.assertSucceeded(result)
        self.assertIn('| Success', result.stdout)
        self.assertConsoleBlock(result, name, uuid)

    def test_missing_console_log_is_one_sentence_and_success(self):
        name, uuid = self.running_guest('nolog')
        # QEMU keeps writing to the unlinked file; the server cannot open it.
        os.unlink(os.path.join(host.GUEST_LOGS, name + '.log'))

        result = self.nova('trigger-crash', name, '--wait',
                           '--poll-interval', '0.2', '--console-lines',
                           str(LINES))

        self.assertSucceeded(result)
        self.assertEqual(
            ['Crash dump for server %s (%s): Success (request %s)' % (
                name, uuid, self.only_request_id(uuid)),
             'Console output of server %s is not available: Guest does not '
             'have a console available' % name],
            result.stdout.splitlines(), result.describe())
        self.assertNotIn('Traceback', result.stdout + result.stderr)

    def only_request_id(self, uuid):
        [action] = self.recorded_actions(uuid)
        return action['request_id']
