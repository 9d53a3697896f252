"""``openstack server crash-dump trigger|list|show``: requests, rows, exit
status and output formats, run through OpenStackClient's own main()."""

import json
import uuid
from importlib import metadata

import yaml

from crashdump_client.osc import plugin
from crashdump_client import bulk

from . import fakes
from . import osc_base

SECOND_ID = fakes.OTHER_ID
REQUEST_2 = "req-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"


def entry_points(group):
    return {ep.name: ep.value for ep in metadata.entry_points(group=group)}


class TestRegistration(osc_base.OpenStackTestCase):

    def test_plugin_and_commands_are_entry_points(self):
        self.assertEqual("crashdump_client.osc.plugin", entry_points(
            "openstack.cli.extension").get("crashdump"))
        commands = entry_points("openstack.crashdump.v2")
        self.assertEqual({
            "server_crash-dump_trigger":
                "crashdump_client.osc.v2.crash_dump:TriggerCrashDump",
            "server_crash-dump_list":
                "crashdump_client.osc.v2.crash_dump:ListCrashDump",
            "server_crash-dump_show":
                "crashdump_client.osc.v2.crash_dump:ShowCrashDump",
            **{"server_memory-dump_%s" % verb.lower():
               "crashdump_client.osc.v2.memory_dump:%sMemoryDump" % verb
               for verb in ("Create", "List", "Show", "Save", "Delete")}},
            commands)

    def test_compute_client_is_left_to_openstackclient(self):
        from openstackclient.common import clientmanager
        names = [module.API_NAME for module in clientmanager.PLUGIN_MODULES]
        self.assertEqual(1, names.count("compute"))
        self.assertEqual(1, names.count(plugin.API_NAME))
        self.assertNotEqual("compute", plugin.API_NAME)

    def test_help_needs_no_request(self):
        code, out, _ = self.openstack("help", "server", "crash-dump",
                                      "trigger")
        self.assertEqual(0, code)
        # cliff fixes the program name from argv[0] when it is imported.
        self.assertIn(" server crash-dump trigger [-h]", out)
        for option in ("--wait", "--timeout <seconds>", "--concurrency",
                       "-f {csv,json,table,value,yaml}"):
            self.assertIn(option, out)
        self.assertEqual([], self.api.mock.request_history)

    def test_builtin_dump_create_still_there(self):
        code, out, _ = self.openstack("help", "server", "dump", "create")
        self.assertEqual(0, code)
        self.assertIn(" server dump create [-h]", out)


class TestTrigger(osc_base.OpenStackTestCase):

    def setUp(self):
        super().setUp()
        self.api.add_server()
        self.api.accept_action()

    def test_one_server_as_json(self):
        code, out, err = self.openstack("server", "crash-dump", "trigger",
                                        fakes.SERVER_ID, "-f", "json")
        self.assertEqual((0, ""), (code, err))
        self.assertEqual([{"Server": "web-1", "ID": fakes.SERVER_ID,
                           "Request ID": fakes.REQUEST_ID,
                           "Result": "Requested"}], json.loads(out))
        [post] = self.api.requests("POST")
        self.assertEqual({"trigger_crash_dump": None}, json.loads(post.text))
        self.assertSentVersion("2.96", post)

    def test_value_and_yaml_formats(self):
        code, out, _ = self.openstack("server", "crash-dump", "trigger",
                                      fakes.SERVER_ID, "-f", "value")
        self.assertEqual(0, code)
        self.assertEqual("web-1 %s %s Requested\n" % (
            fakes.SERVER_ID, fakes.REQUEST_ID), out)
        code, out, _ = self.openstack("server", "crash-dump", "trigger",
                                      fakes.SERVER_ID, "-f", "yaml",
                                      "-c", "Request ID")
        self.assertEqual(0, code)
        self.assertEqual([{"Request ID": fakes.REQUEST_ID}],
                         yaml.safe_load(out))

    def test_table_has_one_row_per_server(self):
        code, out, _ = self.openstack("server", "crash-dump", "trigger",
                                      fakes.SERVER_ID)
        self.assertEqual(0, code)
        rows = [[cell.strip() for cell in line.split("|")[1:-1]]
                for line in out.splitlines() if line.startswith("|")]
        self.assertEqual([["Server", "ID", "Request ID", "Result"],
                          ["web-1", fakes.SERVER_ID, fakes.REQUEST_ID,
                           "Requested"]], rows)

    def test_failures_do_not_stop_the_others_and_fail_the_command(self):
        self.api.add_server(SECOND_ID, "db-1")
        self.api.refuse_action(SECOND_ID, 409, "conflictingRequest",
                               "Instance %s is locked" % SECOND_ID)
        self.api.add_missing_server("web-9")
        self.api.add_servers_named("web-9")
        code, out, err = self.openstack(
            "server", "crash-dump", "trigger", "web-9", fakes.SERVER_ID,
            SECOND_ID, "-f", "json")
        self.assertEqual(1, code)
        rows = json.loads(out)
        self.assertEqual(["web-9", "web-1", "db-1"],
                         [row["Server"] for row in rows])
        self.assertEqual("Failed: No server with a name or ID of 'web-9' "
                         "exists.", rows[0]["Result"])
        self.assertEqual((fakes.REQUEST_ID, "Requested"),
                         (rows[1]["Request ID"], rows[1]["Result"]))
        self.assertIsNone(rows[2]["Request ID"])
        self.assertIn("Failed: Instance %s is locked (HTTP 409)" % SECOND_ID,
                      rows[2]["Result"])
        self.assertEqual("Crash dump failed for 2 of 3 server(s): web-9, "
                         "%s.\n" % SECOND_ID, err)
        self.assertEqual(2, len(self.api.requests("POST")))

    def test_name_matching_two_servers_fails_that_server(self):
        self.api.add_missing_server("twin")
        self.api.add_servers_named("twin", (fakes.SERVER_ID, "twin"),
                                   (SECOND_ID, "twin"))
        # novaclient reads each match before comparing names exactly.
        self.api.add_server(fakes.SERVER_ID, "twin")
        self.api.add_server(SECOND_ID, "twin")
        code, out, _ = self.openstack("server", "crash-dump", "trigger",
                                      "twin", "-f", "value", "-c", "Result")
        self.assertEqual(1, code)
        self.assertIn("Multiple server matches found for 'twin'", out)
        self.assertEqual([], self.api.requests("POST"))

    def test_wait_reports_success(self):
        self.api.add_action(fakes.action(events=[fakes.event()]),
                            fakes.action(events=[fakes.event("Success")]))
        code, out, _ = self.openstack(
            "server", "crash-dump", "trigger", fakes.SERVER_ID, "--wait",
            "--poll-interval", "0.01", "-f", "value", "-c", "Result")
        self.assertEqual((0, "Success\n"), (code, out))

    def test_wait_reports_error_details(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", "Instance %s is not running." %
                        fakes.SERVER_ID)]))
        code, out, err = self.openstack(
            "server", "crash-dump", "trigger", fakes.SERVER_ID, "--wait",
            "-f", "value", "-c", "Result")
        self.assertEqual(1, code)
        self.assertEqual("Error: Instance %s is not running.\n" %
                         fakes.SERVER_ID, out)
        self.assertIn("Crash dump failed for 1 of 1 server(s)", err)

    def test_wait_explains_hidden_details(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", with_details=False)]))
        code, out, _ = self.openstack(
            "server", "crash-dump", "trigger", fakes.SERVER_ID, "--wait",
            "-f", "value", "-c", "Result")
        self.assertEqual(1, code)
        self.assertIn("Error: (error details are visible to administrators "
                      "only", out)

    def test_wait_timeout(self):
        self.api.add_action(fakes.action(events=[fakes.event()]))
        code, out, _ = self.openstack(
            "server", "crash-dump", "trigger", fakes.SERVER_ID, "--wait",
            "--timeout", "0.05", "--poll-interval", "0.01", "-f", "value",
            "-c", "Result")
        self.assertEqual(1, code)
        self.assertEqual("Failed: No outcome recorded for crash dump request "
                         "%s within 0.05 seconds; it may still be recorded "
                         "later.\n" % fakes.REQUEST_ID, out)

    def test_quiet_on_stderr_when_not_a_terminal(self):
        ids = [str(uuid.uuid4()) for _ in range(5)]
        for server_id in ids:
            self.api.add_server(server_id, server_id)
            self.api.accept_action(server_id)
        code, _, err = self.openstack("server", "crash-dump", "trigger",
                                      *ids)
        self.assertEqual((0, ""), (code, err))

    def test_bad_option_values_are_refused(self):
        for option in (("--concurrency", "0"), ("--timeout", "-1"),
                       ("--concurrency", "x")):
            code, _, err = self.openstack("server", "crash-dump", "trigger",
                                          fakes.SERVER_ID, *option)
            self.assertEqual(2, code, option)
            self.assertIn(option[0], err)
        self.assertEqual([], self.api.requests("POST"))


class TestConcurrency(osc_base.OpenStackTestCase):
    """The pool's bound itself is tested in test_results (requests-mock
    answers one request at a time); here, that the option reaches it."""

    def test_concurrency_option_reaches_the_pool(self):
        ids = ["00000000-0000-4000-8000-%012d" % n for n in range(4)]
        for server_id in ids:
            self.api.add_server(server_id, server_id)
            self.api.accept_action(server_id, request_id="req-" + server_id)
        pools = []
        real_pool = bulk.concurrent.futures.ThreadPoolExecutor

        def recording_pool(max_workers):
            pools.append(max_workers)
            return real_pool(max_workers=max_workers)

        self.useFixture(osc_base.fixtures.MonkeyPatch(
            "crashdump_client.bulk.concurrent.futures.ThreadPoolExecutor",
            recording_pool))
        code, out, _ = self.openstack(
            "server", "crash-dump", "trigger", "--concurrency", "3",
            "-f", "value", "-c", "Request ID", *ids)
        self.assertEqual(0, code)
        self.assertEqual([3], pools)
        # Results come back in the order the servers were given.
        self.assertEqual(["req-" + server_id for server_id in ids],
                         out.split())


class TestVersions(osc_base.OpenStackTestCase):

    def setUp(self):
        super().setUp()
        self.api.add_server()
        self.api.accept_action()

    def test_pinned_below_2_17_is_refused_in_one_sentence(self):
        code, out, err = self.openstack(
            "--os-compute-api-version", "2.16", "server", "crash-dump",
            "trigger", fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertEqual("", out)
        self.assertIn("Triggering a crash dump needs compute API "
                      "microversion 2.17 or later; this client was asked for "
                      "2.16 (the server supports up to 2.104), so choose a "
                      "later --os-compute-api-version or leave it out to "
                      "negotiate one.", err)
        self.assertEqual([], self.api.requests())

    def test_pinned_version_is_sent_without_negotiating(self):
        code, _, _ = self.openstack(
            "--os-compute-api-version", "2.60", "server", "crash-dump",
            "trigger", fakes.SERVER_ID)
        self.assertEqual(0, code)
        [post] = self.api.requests("POST")
        self.assertSentVersion("2.60", post)
        self.assertEqual(
            [], [r for r in self.api.mock.request_history
                 if r.url.rstrip("/") == fakes.ENDPOINT])

    def test_environment_variable_pins_too(self):
        self.useFixture(osc_base.fixtures.EnvironmentVariable(
            "OS_COMPUTE_API_VERSION", "2.79"))
        code, _, _ = self.openstack("server", "crash-dump", "trigger",
                                    fakes.SERVER_ID)
        self.assertEqual(0, code)
        self.assertSentVersion("2.79", self.api.requests("POST")[0])

    def test_latest_negotiates(self):
        code, _, _ = self.openstack(
            "--os-compute-api-version", "2.latest", "server", "crash-dump",
            "trigger", fakes.SERVER_ID)
        self.assertEqual(0, code)
        self.assertSentVersion("2.96", self.api.requests("POST")[0])

    def test_malformed_version_is_one_sentence(self):
        code, _, err = self.openstack(
            "--os-compute-api-version", "2.x", "server", "crash-dump",
            "trigger", fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertIn("The compute API version '2.x' is not a version", err)
        self.assertEqual([], self.api.requests())


class TestOldServer(osc_base.OpenStackTestCase):

    max_version = "2.12"

    def test_negotiated_below_2_17_is_refused_in_one_sentence(self):
        self.api.add_server()
        code, _, err = self.openstack("server", "crash-dump", "trigger",
                                      fakes.SERVER_ID)
        self.assertEqual(1, code)
        self.assertIn("Triggering a crash dump needs compute API "
                      "microversion 2.17 or later; the server supports up "
                      "to 2.12.", err)
        self.assertNotIn("Traceback", err)
        self.assertEqual([], self.api.requests())

    def test_list_works_at_the_negotiated_version(self):
        self.api.add_server()
        self.api.add_action_list(fakes.action(message="Error"))
        self.api.add_action(fakes.action(message="Error", events=None))
        code, out, _ = self.openstack("server", "crash-dump", "list",
                                      fakes.SERVER_ID, "-f", "json")
        self.assertEqual(0, code)
        [row] = json.loads(out)
        self.assertIn("not visible to this caller at microversion 2.12",
                      row["Result"])
        # Below 2.27 only the legacy header carries the version.
        self.assertEqual("2.12", self.api.requests()[-1].headers.get(
            "X-OpenStack-Nova-API-Version"))


class TestListAndShow(osc_base.OpenStackTestCase):

    def setUp(self):
        super().setUp()
        self.api.add_server()

    def test_list_rows_with_results(self):
        self.api.add_crash_dump_history()
        code, out, _ = self.openstack("server", "crash-dump", "list",
                                      fakes.SERVER_ID, "-f", "json")
        self.assertEqual(0, code)
        self.assertEqual([
            {"Request ID": "req-2", "Start Time": "2024-05-01T10:00:00.000000",
             "Message": None, "Result": "In progress"},
            {"Request ID": "req-1", "Start Time": "2024-05-01T10:00:00.000000",
             "Message": "Error", "Result": "Error: NotImplementedError"}],
            json.loads(out))

    def test_show_fields_and_events(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", "NotImplementedError")]))
        code, out, _ = self.openstack("server", "crash-dump", "show",
                                      fakes.SERVER_ID, fakes.REQUEST_ID,
                                      "-f", "json")
        self.assertEqual(0, code)
        shown = json.loads(out)
        self.assertEqual(
            ["action", "instance_uuid", "request_id", "user_id",
             "project_id", "start_time", "updated_at", "message", "result",
             "events"], list(shown))
        self.assertEqual("Error: NotImplementedError", shown["result"])
        self.assertEqual([("compute_trigger_crash_dump", "Error",
                           "NotImplementedError")],
                         [(e["event"], e["result"], e["details"])
                          for e in shown["events"]])

    def test_show_table_renders_events(self):
        self.api.add_action(fakes.action(events=[fakes.event("Success")]))
        code, out, _ = self.openstack("server", "crash-dump", "show",
                                      fakes.SERVER_ID, fakes.REQUEST_ID)
        self.assertEqual(0, code)
        self.assertIn("| result ", out)
        self.assertIn("compute_trigger_crash_dump", out)

    def test_show_refuses_another_action(self):
        self.api.add_action(fakes.action(name="reboot"))
        code, _, err = self.openstack("server", "crash-dump", "show",
                                      fakes.SERVER_ID, fakes.REQUEST_ID)
        self.assertEqual(1, code)
        self.assertIn("is a reboot action, not a crash dump.", err)

    def test_show_unknown_request(self):
        self.api.mock.get("%s/servers/%s/os-instance-actions/req-nope" % (
            fakes.ENDPOINT, fakes.SERVER_ID), status_code=404, json=(
                fakes.error_body("itemNotFound", 404,
                                 "Action req-nope not found")))
        code, _, err = self.openstack("server", "crash-dump", "show",
                                      fakes.SERVER_ID, "req-nope")
        self.assertEqual(1, code)
        self.assertIn("Action req-nope not found", err)
