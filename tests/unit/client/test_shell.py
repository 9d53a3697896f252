"""The nova shell commands, run in-process through novaclient's own main().

The command line is the one documented for a noauth crashdump endpoint:
keystoneauth's ``admin_token`` plugin sends ``--os-token`` as X-Auth-Token to
``--os-endpoint``; novaclient 18 still insists on a project and an auth URL
being set, though neither is used with that plugin. The extension is found
through its installed entry point, so these tests need
``pip install -e client``.
"""

import contextlib
import io
import json
import os

import fixtures
from novaclient import shell
import testtools

from . import fakes

NOAUTH_ARGS = ["--os-auth-type", "admin_token", "--os-endpoint",
               fakes.ENDPOINT, "--os-token", fakes.TOKEN]


class ShellTestCase(testtools.TestCase):

    max_version = "2.104"

    def setUp(self):
        super().setUp()
        for name in list(os.environ):
            if name.startswith(("OS_", "NOVA")):
                self.useFixture(fixtures.EnvironmentVariable(name))
        self.useFixture(fixtures.EnvironmentVariable("OS_PROJECT_ID", "demo"))
        self.useFixture(fixtures.EnvironmentVariable(
            "OS_AUTH_URL", "http://unused.invalid/identity"))
        self.api = self.useFixture(fakes.ComputeAPI(self.max_version))

    def nova(self, *argv):
        """Run ``nova <argv>``; return (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                shell.main(NOAUTH_ARGS + list(argv))
            except SystemExit as exit:
                code = exit.code
        return code, out.getvalue(), err.getvalue()


class TestHelp(ShellTestCase):

    def test_help_lists_our_commands_beside_novas(self):
        code, out, _ = self.nova("help")
        self.assertEqual(0, code)
        for command in ("trigger-crash ", "crash-list ", "crash-show ",
                        "trigger-crash-dump "):
            self.assertIn(command, out)
        self.assertEqual([], self.api.mock.request_history)

    def test_help_of_trigger_crash(self):
        code, out, _ = self.nova("help", "trigger-crash")
        self.assertEqual(0, code)
        self.assertIn("usage: nova trigger-crash [--wait]", out)
        self.assertIn("--timeout <seconds>", out)


class TestTriggerCrash(ShellTestCase):

    def test_by_id_prints_the_request_id(self):
        self.api.add_server()
        self.api.accept_action()
        code, out, _ = self.nova("trigger-crash", fakes.SERVER_ID)
        self.assertEqual(0, code)
        self.assertEqual("Crash dump requested for server web-1 (%s): "
                         "request %s\n" % (fakes.SERVER_ID, fakes.REQUEST_ID),
                         out)
        [post] = self.api.requests("POST")
        self.assertEqual({"trigger_crash_dump": None}, json.loads(post.text))
        # "2.latest" negotiates to novaclient 18's cap, not the server's 2.104.
        self.assertEqual("compute 2.96", post.headers["OpenStack-API-Version"])
        self.assertEqual(fakes.TOKEN, post.headers["X-Auth-Token"])

    def test_by_name(self):
        # novaclient searches by name, then reads each exact match by id.
        self.api.add_servers_named("web-1", (fakes.SERVER_ID, "web-1"))
        self.api.add_server()
        self.api.accept_action()
        code, out, _ = self.nova("trigger-crash", "web-1")
        self.assertEqual(0, code)
        self.assertIn("request %s" % fakes.REQUEST_ID, out)

    def test_ambiguous_name_fails_that_server(self):
        self.api.add_servers_named("web", (fakes.SERVER_ID, "web"),
                                   (fakes.OTHER_ID, "web"))
        self.api.add_server(fakes.SERVER_ID, "web")
        self.api.add_server(fakes.OTHER_ID, "web")
        code, out, err = self.nova("trigger-crash", "web")
        self.assertEqual(1, code)
        self.assertEqual("Crash dump for server web failed: Multiple server "
                         "matches found for 'web', use an ID to be more "
                         "specific.\n", out)
        self.assertIn("ERROR (CommandError): Crash dump failed for 1 of 1 "
                      "server(s): web.", err)
        self.assertEqual([], self.api.requests("POST"))

    def test_continues_past_a_missing_server_and_exits_1(self):
        self.api.add_missing_server(fakes.OTHER_ID)
        self.api.add_servers_named(fakes.OTHER_ID)
        self.api.add_server()
        self.api.accept_action()
        code, out, err = self.nova("trigger-crash", fakes.OTHER_ID,
                                   fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertEqual([
            "Crash dump for server %s failed: No server with a name or ID "
            "of '%s' exists." % (fakes.OTHER_ID, fakes.OTHER_ID),
            "Crash dump requested for server web-1 (%s): request %s" % (
                fakes.SERVER_ID, fakes.REQUEST_ID)], out.splitlines())
        self.assertIn("Crash dump failed for 1 of 2 server(s): %s." %
                      fakes.OTHER_ID, err)
        self.assertEqual(1, len(self.api.requests("POST")))

    def test_locked_server(self):
        self.api.add_server()
        self.api.refuse_action(fakes.SERVER_ID, 409, "conflictingRequest",
                               "Instance %s is locked" % fakes.SERVER_ID)
        code, out, _ = self.nova("trigger-crash", fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertIn("failed: Instance %s is locked (HTTP 409)" %
                      fakes.SERVER_ID, out)

    def test_pinned_version_too_low(self):
        self.api.add_server()
        code, out, err = self.nova("--os-compute-api-version", "2.10",
                                   "trigger-crash", fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertEqual("", out)
        self.assertIn("ERROR (UnsupportedVersion): Triggering a crash dump "
                      "needs compute API microversion 2.17 or later; this "
                      "client was asked for 2.10", err)
        self.assertNotIn("Traceback", err)
        self.assertEqual([], self.api.requests())


class TestTriggerCrashOldServer(ShellTestCase):

    max_version = "2.10"

    def test_server_too_old(self):
        self.api.add_server()
        code, out, err = self.nova("trigger-crash", fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertEqual(
            "ERROR (UnsupportedVersion): Triggering a crash dump needs "
            "compute API microversion 2.17 or later; the server supports up "
            "to 2.10.", err.splitlines()[-1])
        self.assertEqual([], self.api.requests())


class TestTriggerCrashWait(ShellTestCase):

    def setUp(self):
        super().setUp()
        self.api.add_server()
        self.api.accept_action()

    def trigger_and_wait(self, *extra):
        return self.nova("trigger-crash", fakes.SERVER_ID, "--wait",
                         "--poll-interval", "0.01", *extra)

    def test_success(self):
        self.api.add_action(fakes.action(events=[fakes.event()]),
                            fakes.action(events=[fakes.event("Success")]))
        code, out, _ = self.trigger_and_wait()
        self.assertEqual(0, code)
        self.assertEqual("Crash dump for server web-1 (%s): Success "
                         "(request %s)\n" % (fakes.SERVER_ID,
                                             fakes.REQUEST_ID), out)

    def test_error_with_details(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", "Instance %s is not running." %
                        fakes.SERVER_ID)]))
        code, out, err = self.trigger_and_wait()
        self.assertEqual(1, code)
        self.assertEqual("Crash dump for server web-1 (%s): Error: Instance "
                         "%s is not running. (request %s)\n" % (
                             fakes.SERVER_ID, fakes.SERVER_ID,
                             fakes.REQUEST_ID), out)
        self.assertIn("Crash dump failed for 1 of 1 server(s)", err)

    def test_timeout(self):
        self.api.add_action(fakes.action(events=[fakes.event()]))
        code, out, _ = self.trigger_and_wait("--timeout", "0.05")
        self.assertEqual(1, code)
        self.assertIn("failed: No outcome recorded for crash dump request "
                      "%s within 0.05 seconds" % fakes.REQUEST_ID, out)


class TestCrashListAndShow(ShellTestCase):

    def setUp(self):
        super().setUp()
        self.api.add_server()

    def test_list_shows_each_result(self):
        self.api.add_crash_dump_history()
        code, out, _ = self.nova("crash-list", fakes.SERVER_ID)
        self.assertEqual(0, code)
        rows = [[cell.strip() for cell in line.split("|")[1:-1]]
                for line in out.splitlines() if line.startswith("|")]
        self.assertEqual([
            ["Request ID", "Start Time", "Message", "Result"],
            ["req-2", "2024-05-01T10:00:00.000000", "-", "In progress"],
            ["req-1", "2024-05-01T10:00:00.000000", "Error",
             "Error: NotImplementedError"]], rows)

    def test_show_prints_the_action_and_its_events(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", "NotImplementedError")]))
        code, out, _ = self.nova("crash-show", fakes.SERVER_ID,
                                 fakes.REQUEST_ID)
        self.assertEqual(0, code)
        self.assertIn("| result ", out)
        self.assertIn("Error: NotImplementedError", out)
        self.assertIn("| compute_trigger_crash_dump |", out)

    def test_show_refuses_another_action(self):
        self.api.add_action(fakes.action(name="reboot"))
        code, _, err = self.nova("crash-show", fakes.SERVER_ID,
                                 fakes.REQUEST_ID)
        self.assertEqual(1, code)
        self.assertIn("is a reboot action, not a crash dump.", err)
