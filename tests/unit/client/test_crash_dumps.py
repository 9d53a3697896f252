"""The Python API: exact requests, version checks, results and waiting."""

import json

from keystoneauth1 import session
from keystoneauth1 import token_endpoint
from novaclient import client
from novaclient import exceptions
from novaclient import extension
import testtools

from crashdump_client import novaclient_ext
from crashdump_client import waiting

from . import fakes


def make_client(version="2.96"):
    auth = token_endpoint.Token(fakes.ENDPOINT, fakes.TOKEN)
    return client.Client(
        version, session=session.Session(auth=auth),
        extensions=[extension.Extension("crash_dumps", novaclient_ext)])


class TestExtensionModule(testtools.TestCase):

    def test_module_offers_exactly_one_manager(self):
        ext = extension.Extension("crash_dumps", novaclient_ext)
        self.assertEqual("CrashDumpManager", ext.manager_class.__name__)

    def test_installed_entry_point_gives_client_attribute(self):
        found = {e.name: e for e in client.discover_extensions("2.96")}
        self.assertIn("crash_dumps", found)
        self.assertIs(novaclient_ext, found["crash_dumps"].module)

    def test_no_command_clashes_with_novaclient(self):
        from novaclient.v2 import shell as nova_shell
        ours = {name for name in dir(novaclient_ext)
                if name.startswith("do_")}
        self.assertEqual({"do_trigger_crash", "do_crash_list",
                          "do_crash_show"}, ours)
        self.assertEqual(set(), ours & set(dir(nova_shell)))


class TestTrigger(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.ComputeAPI())

    def test_posts_the_action_and_returns_the_request_id(self):
        self.api.accept_action()
        request_id = make_client("2.96").crash_dumps.trigger(fakes.SERVER_ID)

        self.assertEqual(fakes.REQUEST_ID, request_id)
        [sent] = self.api.requests()
        self.assertEqual("POST", sent.method)
        self.assertEqual("/v2.1/servers/%s/action" % fakes.SERVER_ID,
                         sent.path)
        self.assertEqual({"trigger_crash_dump": None}, json.loads(sent.text))
        self.assertEqual("compute 2.96", sent.headers["OpenStack-API-Version"])
        self.assertEqual("2.96", sent.headers["X-OpenStack-Nova-API-Version"])
        self.assertEqual(fakes.TOKEN, sent.headers["X-Auth-Token"])

    def test_request_id_from_legacy_header(self):
        self.api.accept_action(header="x-compute-request-id")
        self.assertEqual(fakes.REQUEST_ID,
                         make_client("2.17").crash_dumps.trigger(
                             fakes.SERVER_ID))
        [sent] = self.api.requests()
        # novaclient sends the newer header only from 2.27, as Nova reads it.
        self.assertEqual("2.17", sent.headers["X-OpenStack-Nova-API-Version"])
        self.assertNotIn("OpenStack-API-Version", sent.headers)

    def test_refusal_is_novaclient_exception(self):
        self.api.refuse_action(fakes.SERVER_ID, 409, "conflictingRequest",
                               "Instance %s is locked" % fakes.SERVER_ID)
        error = self.assertRaises(
            exceptions.Conflict,
            make_client().crash_dumps.trigger, fakes.SERVER_ID)
        self.assertIn("is locked", str(error))

    def test_version_below_2_17_is_refused_before_posting(self):
        error = self.assertRaises(
            exceptions.UnsupportedVersion,
            make_client("2.10").crash_dumps.trigger, fakes.SERVER_ID)
        self.assertEqual(
            "Triggering a crash dump needs compute API microversion 2.17 or "
            "later; this client was asked for 2.10 (the server supports up "
            "to 2.104), so choose a later --os-compute-api-version or leave "
            "it out to negotiate one.", str(error))
        self.assertEqual([], self.api.requests("POST"))


class TestServerTooOld(testtools.TestCase):

    def test_message_names_the_server_maximum(self):
        api = self.useFixture(fakes.ComputeAPI(max_version="2.10"))
        error = self.assertRaises(
            exceptions.UnsupportedVersion,
            make_client("2.10").crash_dumps.trigger, fakes.SERVER_ID)
        self.assertEqual(
            "Triggering a crash dump needs compute API microversion 2.17 or "
            "later; the server supports up to 2.10.", str(error))
        self.assertEqual([], api.requests("POST"))

    def test_server_without_microversions(self):
        self.useFixture(fakes.ComputeAPI(max_version=""))
        error = self.assertRaises(
            exceptions.UnsupportedVersion,
            make_client("2.0").crash_dumps.trigger, fakes.SERVER_ID)
        self.assertIn("the server does not support microversions",
                      str(error))


class TestListAndGet(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.ComputeAPI())

    def test_list_keeps_only_crash_dump_actions(self):
        self.api.add_action_list(
            fakes.action("req-3"), fakes.action("req-2", name="reboot"),
            fakes.action("req-1"))
        actions = make_client().crash_dumps.list(fakes.SERVER_ID)
        self.assertEqual(["req-3", "req-1"],
                         [a.request_id for a in actions])
        [sent] = self.api.requests()
        self.assertEqual("/v2.1/servers/%s/os-instance-actions" %
                         fakes.SERVER_ID, sent.path)

    def test_get_returns_the_action_with_events(self):
        self.api.add_action(fakes.action(events=[fakes.event("Success")]))
        found = make_client().crash_dumps.get(fakes.SERVER_ID,
                                              fakes.REQUEST_ID)
        self.assertEqual("Success", found.events[0]["result"])
        [sent] = self.api.requests()
        self.assertEqual("GET", sent.method)
        self.assertEqual("/v2.1/servers/%s/os-instance-actions/%s" % (
            fakes.SERVER_ID, fakes.REQUEST_ID), sent.path)


class TestWait(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = self.useFixture(fakes.ComputeAPI())

    def wait(self, version="2.96", timeout=5):
        return make_client(version).crash_dumps.wait(
            fakes.SERVER_ID, fakes.REQUEST_ID, timeout=timeout,
            interval=0.01)

    def test_polls_until_the_event_finishes(self):
        self.api.add_action(fakes.action(events=[]),
                            fakes.action(events=[fakes.event()]),
                            fakes.action(events=[fakes.event("Success")]))
        outcome = self.wait()
        self.assertTrue(outcome.succeeded)
        self.assertEqual("Success", str(outcome))
        self.assertEqual(3, len(self.api.requests("GET")))

    def test_error_with_details(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", "Triggering crash dump is not supported")]))
        outcome = self.wait()
        self.assertFalse(outcome.succeeded)
        self.assertEqual("Error: Triggering crash dump is not supported",
                         str(outcome))

    def test_error_details_hidden_by_policy(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", with_details=False)]))
        outcome = self.wait("2.96")
        self.assertIsNone(outcome.details)
        self.assertIn("visible to administrators only", str(outcome))

    def test_error_details_need_2_84(self):
        self.api.add_action(fakes.action(message="Error", events=[
            fakes.event("Error", with_details=False)]))
        outcome = self.wait("2.60")
        self.assertEqual(
            "Error: (error details need compute API microversion 2.84 or "
            "later, this request used 2.60)", str(outcome))

    def test_events_not_visible_and_not_failed(self):
        self.api.add_action(fakes.action(events=None))
        error = self.assertRaises(waiting.EventsNotVisible, self.wait, "2.40")
        self.assertIn("from 2.51", str(error))

    def test_events_not_visible_but_action_failed(self):
        self.api.add_action(fakes.action(message="Error", events=None))
        outcome = self.wait("2.40")
        self.assertEqual("Error", outcome.result)

    def test_timeout(self):
        self.api.add_action(fakes.action(events=[fakes.event()]))
        error = self.assertRaises(waiting.WaitTimeout, self.wait,
                                  timeout=0.05)
        self.assertEqual(
            "No outcome recorded for crash dump request %s within 0.05 "
            "seconds; it may still be recorded later." % fakes.REQUEST_ID,
            str(error))
        self.assertGreater(len(self.api.requests("GET")), 1)
