"""``--console-lines``: the guest's console under a delivered crash dump.

The console is read through novaclient's own ``servers.get_console_output``
(``os-getConsoleOutput``) against the requests-mock compute API; both CLIs
print what :mod:`crashdump_client.console` made of it.
"""

import json

import fixtures
from novaclient import exceptions
import requests
import testtools

from crashdump_client import console

from . import fakes
from . import osc_base
from .test_crash_dumps import make_client
from .test_shell import ShellTestCase

PANIC = ("[    4.1] Kernel panic - not syncing: NMI: Not continuing\n"
         "[    4.2] ---[ end Kernel panic - not syncing: NMI: Not "
         "continuing ]---\n")
BOOT = "".join("[    0.%d] booting line %d\n" % (n, n) for n in range(8))
NO_CONSOLE = (404, "itemNotFound", "Guest does not have a console available.")
NOT_IMPLEMENTED = (501, "notImplemented",
                   "Action not allowed for this driver.")
FORBIDDEN = (403, "forbidden", "Policy doesn't allow "
             "os_compute_api:os-console-output to be performed.")
SERVER = type("Server", (), {"id": fakes.SERVER_ID, "name": "web-1"})()


class TestReadConsoleTail(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.ComputeAPI())
        self.compute = make_client()

    def read(self, count=3, settle=0.2):
        return console.read_console_tail(self.compute, SERVER, count,
                                         settle=settle, interval=0.01)

    def test_last_lines_through_os_get_console_output(self):
        self.api.add_console(BOOT + PANIC)
        tail = self.read(count=3)
        self.assertEqual(["[    0.7] booting line 7",
                          PANIC.splitlines()[0], PANIC.splitlines()[1]],
                         tail.lines)
        self.assertIsNone(tail.note)
        self.assertTrue(tail.shows_panic)
        self.assertEqual([{"os-getConsoleOutput": {"length": 3}}],
                         self.api.console_requests())

    def test_more_lines_than_asked_are_cut_here_too(self):
        # A server that ignores the length must not flood the terminal.
        self.api.add_console(BOOT + PANIC)
        self.assertEqual(2, len(self.read(count=2).lines))

    def test_control_characters_never_reach_the_terminal(self):
        self.api.add_console("\x1b[2Jcleared\r\n\x9b31mred\x07\ttab\n" +
                             PANIC)
        tail = self.read(count=5)
        self.assertEqual(["[2Jcleared", "31mred\ttab"], tail.lines[:2])
        for line in tail.lines:
            self.assertNotRegex(line, "[\x00-\x08\x0b-\x1f\x7f-\x9f]")

    def test_reads_again_until_the_panic_shows(self):
        self.api.add_console(BOOT, BOOT + "[    4.0] NMI received\n",
                             BOOT + PANIC)
        tail = self.read(count=2, settle=5)
        self.assertTrue(tail.shows_panic)
        self.assertEqual(3, len(self.api.console_requests()))

    def test_no_panic_within_the_settle_time_says_what_to_set(self):
        self.api.add_console("Uhhuh. NMI received for unknown reason 3d\n")
        tail = self.read(count=5, settle=0.05)
        self.assertEqual(["Uhhuh. NMI received for unknown reason 3d"],
                         tail.lines)
        self.assertIn("kernel.unknown_nmi_panic=1", tail.note)
        self.assertGreater(len(self.api.console_requests()), 1)

    def assertUnavailable(self, answer, because):
        self.api.add_console(answer)
        tail = self.read()
        self.assertIsNone(tail.lines)
        self.assertEqual("Console output of server web-1 is not available: "
                         "%s" % because, tail.note)
        self.assertEqual(1, len(self.api.console_requests()))

    def test_no_console_is_one_sentence(self):
        self.assertUnavailable(NO_CONSOLE,
                               "Guest does not have a console available")

    def test_driver_without_consoles_is_one_sentence(self):
        self.assertUnavailable(NOT_IMPLEMENTED, "its compute driver cannot "
                                                "read guest consoles")

    def test_policy_refusal_is_one_sentence(self):
        self.assertUnavailable(FORBIDDEN, "the policy "
                               "os_compute_api:os-console-output does not "
                               "allow you to read it")

    def test_other_errors_say_what_failed(self):
        self.api.add_console((409, "conflictingRequest",
                              "Instance %s is not ready" % fakes.SERVER_ID))
        tail = self.read()
        self.assertIsNone(tail.lines)
        self.assertIn("reading it failed: Instance %s is not ready" %
                      fakes.SERVER_ID, tail.note)

    def test_transport_failure_is_one_sentence(self):
        self.api.mock.post("%s/servers/%s/action" % (
            fakes.ENDPOINT, fakes.SERVER_ID), exc=requests.ConnectionError)
        tail = self.read()
        self.assertIsNone(tail.lines)
        self.assertIn("is not available: reading it failed", tail.note)


class TestConsoleBlock(testtools.TestCase):

    def test_heading_and_indented_lines(self):
        tail = console.ConsoleTail(["a", "Kernel panic - x"])
        self.assertEqual([
            "Console of server web-1 (%s), last 2 line(s):" %
            fakes.SERVER_ID, "    a", "    Kernel panic - x"],
            console.console_block("web-1", fakes.SERVER_ID, tail))

    def test_empty_console(self):
        tail = console.ConsoleTail([], note="hint")
        self.assertEqual(["Console of server web-1 (%s) is empty." %
                          fakes.SERVER_ID, "hint"],
                         console.console_block("web-1", fakes.SERVER_ID,
                                               tail))

    def test_unreadable_console_is_its_sentence(self):
        tail = console.ConsoleTail(note="Console output ... not available")
        self.assertEqual(["Console output ... not available"],
                         console.console_block("web-1", "x", tail))

    def test_options(self):
        self.assertRaises(exceptions.CommandError, console.check_options,
                          False, 5)
        console.check_options(True, 5)
        console.check_options(False, None)
        self.assertEqual(7, console.positive_lines("7"))
        for text in ("0", "-1", "x"):
            self.assertRaises(Exception, console.positive_lines, text)


class WaitingSetUp(object):

    def setUp(self):
        super().setUp()
        self.api.add_server()
        self.api.accept_action()
        self.useFixture(fixtures.MonkeyPatch(
            "crashdump_client.console.SETTLE_SECONDS", 0.05))
        self.useFixture(fixtures.MonkeyPatch(
            "crashdump_client.console.SETTLE_INTERVAL", 0.01))

    def succeed(self):
        self.api.add_action(fakes.action(events=[fakes.event("Success")]))

    def fail_outcome(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", "Instance %s is not running." %
                        fakes.SERVER_ID)]))


class TestNovaConsoleLines(WaitingSetUp, ShellTestCase):

    def trigger(self, *extra):
        return self.nova("trigger-crash", fakes.SERVER_ID, "--wait",
                         "--poll-interval", "0.01", *extra)

    def test_panic_lines_under_the_result(self):
        self.succeed()
        self.api.add_console(BOOT + PANIC)
        code, out, err = self.trigger("--console-lines", "2")
        self.assertEqual(0, code, err)
        self.assertEqual(
            "Crash dump for server web-1 (%s): Success (request %s)\n"
            "Console of server web-1 (%s), last 2 line(s):\n"
            "    %s\n    %s\n" % (
                fakes.SERVER_ID, fakes.REQUEST_ID, fakes.SERVER_ID,
                PANIC.splitlines()[0], PANIC.splitlines()[1]), out)
        self.assertEqual([{"os-getConsoleOutput": {"length": 2}}],
                         self.api.console_requests())

    def test_unavailable_console_keeps_the_exit_code(self):
        for answer, because in ((NO_CONSOLE, "Guest does not have a console "
                                 "available"),
                                (NOT_IMPLEMENTED, "its compute driver"),
                                (FORBIDDEN, "the policy")):
            self.succeed()
            self.api.add_console(answer)
            code, out, err = self.trigger("--console-lines", "5")
            self.assertEqual(0, code, out + err)
            [result, sentence] = out.splitlines()
            self.assertIn(": Success (request", result)
            self.assertTrue(sentence.startswith(
                "Console output of server web-1 is not available: " +
                because), sentence)
            self.assertNotIn("Traceback", out + err)

    def test_failed_crash_dump_reads_no_console(self):
        self.fail_outcome()
        self.api.add_console(PANIC)
        code, out, _ = self.trigger("--console-lines", "5")
        self.assertEqual(1, code)
        self.assertNotIn("Console", out)
        self.assertEqual([], self.api.console_requests())

    def test_off_by_default(self):
        self.succeed()
        self.api.add_console(PANIC)
        code, out, _ = self.trigger()
        self.assertEqual(0, code)
        self.assertEqual(1, len(out.splitlines()))
        self.assertEqual([], self.api.console_requests())

    def test_needs_wait_and_sends_nothing_without_it(self):
        code, out, err = self.nova("trigger-crash", fakes.SERVER_ID,
                                   "--console-lines", "5")
        self.assertEqual(1, code)
        self.assertIn("--console-lines needs --wait", err)
        self.assertNotIn("Traceback", out + err)
        self.assertEqual([], self.api.requests("POST"))

    def test_bad_counts_are_refused(self):
        for value in ("0", "-3", "many"):
            code, _, err = self.trigger("--console-lines", value)
            self.assertEqual(2, code, value)
            self.assertIn("--console-lines", err)
        self.assertEqual([], self.api.requests("POST"))

    def test_help_names_the_option(self):
        code, out, _ = self.nova("help", "trigger-crash")
        self.assertEqual(0, code)
        self.assertIn("--console-lines <count>", out)


class TestOpenStackConsoleLines(WaitingSetUp, osc_base.OpenStackTestCase):

    def trigger(self, *extra):
        return self.openstack("server", "crash-dump", "trigger",
                              fakes.SERVER_ID, "--wait", "--poll-interval",
                              "0.01", *extra)

    def test_table_then_the_console(self):
        self.succeed()
        self.api.add_console(BOOT + PANIC)
        code, out, _ = self.trigger("--console-lines", "2")
        self.assertEqual(0, code)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("+"), out)
        self.assertIn("| Success", out)
        self.assertEqual([
            "Console of server web-1 (%s), last 2 line(s):" %
            fakes.SERVER_ID, "    " + PANIC.splitlines()[0],
            "    " + PANIC.splitlines()[1]], lines[-3:])

    def test_json_has_a_console_column(self):
        self.succeed()
        self.api.add_console(BOOT + PANIC)
        code, out, _ = self.trigger("--console-lines", "2", "-f", "json")
        self.assertEqual(0, code)
        [row] = json.loads(out)
        self.assertEqual(PANIC.rstrip("\n"), row["Console"])
        self.assertEqual("Success", row["Result"])

    def test_unavailable_console_is_one_sentence_exit_zero(self):
        self.succeed()
        self.api.add_console(NOT_IMPLEMENTED)
        code, out, err = self.trigger("--console-lines", "5")
        self.assertEqual(0, code, out + err)
        self.assertEqual("Console output of server web-1 is not available: "
                         "its compute driver cannot read guest consoles",
                         out.splitlines()[-1])
        self.assertNotIn("Traceback", out + err)

    def test_needs_wait(self):
        code, _, err = self.openstack("server", "crash-dump", "trigger",
                                      fakes.SERVER_ID, "--console-lines",
                                      "5")
        self.assertEqual(1, code)
        self.assertIn("--console-lines needs --wait", err)
        self.assertEqual([], self.api.requests("POST"))

    def test_bad_count_is_refused(self):
        code, _, err = self.trigger("--console-lines", "0")
        self.assertEqual(2, code)
        self.assertIn("--console-lines", err)
        self.assertEqual([], self.api.requests("POST"))
