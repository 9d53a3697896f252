"""The per-server logic both CLIs share: bounded concurrency, order, the
closing sentence, waiting in rounds, and the progress display."""

import io
import threading
import time
import types

import fixtures
from novaclient import api_versions
from novaclient import exceptions
import testtools

from crashdump_client import progress
from crashdump_client import bulk
from crashdump_client import novaclient_ext
from crashdump_client import waiting

from . import fakes
from .test_crash_dumps import make_client


class FakeCompute(object):
    """Just enough of a novaclient Client for trigger_crash_dumps: servers
    are found by id, triggering takes ``delay`` seconds and counts how many
    triggers are in flight at once."""

    def __init__(self, delay=0.0, refuse=(), version="2.96", listing=()):
        self.api_version = api_versions.APIVersion(version)
        self.listing = listing
        self.listings = []
        self.delay = delay
        self.refuse = set(refuse)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        self.servers = types.SimpleNamespace(
            trigger_crash_dump=self._trigger, list=self._list)

    def _list(self, **kwargs):
        self.listings.append(kwargs)
        if isinstance(self.listing, Exception):
            raise self.listing
        return [types.SimpleNamespace(id=server_id, name=name)
                for server_id, name in self.listing]

    def _trigger(self, server):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            if server.id in self.refuse:
                raise exceptions.Conflict(409, "Instance %s is locked" %
                                          server.id)
            return types.SimpleNamespace(request_ids=["req-" + server.id])
        finally:
            with self.lock:
                self.in_flight -= 1


class TriggerTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.looked_up = []
        self.useFixture(fixtures.MonkeyPatch(
            "crashdump_client.bulk.utils.find_resource", self._lookup))

    def _lookup(self, manager, name_or_id):
        self.looked_up.append(name_or_id)
        return types.SimpleNamespace(id=name_or_id, name="name-" + name_or_id)


class TestTriggerCrashDumps(TriggerTestCase):

    def test_pool_is_bounded_and_used(self):
        compute = FakeCompute(delay=0.05)
        ids = ["s%02d" % n for n in range(12)]
        outcome = bulk.trigger_crash_dumps(compute, ids, concurrency=3)
        self.assertEqual(3, compute.most_in_flight)
        self.assertEqual(["req-" + server_id for server_id in ids],
                         [result.request_id for result in outcome])

    def test_concurrency_one_is_serial(self):
        compute = FakeCompute(delay=0.01)
        bulk.trigger_crash_dumps(compute, ["a", "b", "c"], concurrency=1)
        self.assertEqual(1, compute.most_in_flight)

    def test_failures_stay_on_their_server(self):
        compute = FakeCompute(refuse={"b"})
        outcome = bulk.trigger_crash_dumps(compute, ["a", "b", "c"])
        self.assertEqual([True, False, True],
                         [result.succeeded for result in outcome])
        self.assertEqual("Failed: Instance b is locked (HTTP 409)",
                         outcome[1].result)
        self.assertEqual("Crash dump for server b failed: Instance b is "
                         "locked (HTTP 409)",
                         novaclient_ext.result_line(outcome[1]))
        self.assertEqual("Crash dump requested for server name-a (a): "
                         "request req-a",
                         novaclient_ext.result_line(outcome[0]))
        self.assertEqual("Crash dump failed for 1 of 3 server(s): b.",
                         bulk.failure_summary(outcome))

    def test_too_low_version_sends_nothing(self):
        compute = FakeCompute(version="2.16")
        compute.versions = types.SimpleNamespace(get_current=lambda: None)
        error = self.assertRaises(exceptions.UnsupportedVersion,
                                  bulk.trigger_crash_dumps, compute, ["a"])
        self.assertIn("needs compute API microversion 2.17", str(error))
        self.assertEqual(0, compute.most_in_flight)

    def test_progress_counts_each_server(self):
        stream = io.StringIO()
        display = progress.Progress(stream, enabled=True)
        bulk.trigger_crash_dumps(FakeCompute(refuse={"b"}),
                                 ["a", "b", "c"], progress=display)
        self.assertTrue(stream.getvalue().endswith(
            "\r\033[KTriggering: 3/3 servers, 1 failed"), stream.getvalue())


class TestFindingManyServers(TriggerTestCase):

    UUID = "7c1b2f5e-0d3a-4e6b-8f9c-1a2b3c4d5e6f"

    def test_few_servers_are_looked_up_one_by_one(self):
        compute = FakeCompute(listing=[("a", "web-a")])
        ids = ["a"] * (bulk.LISTING_FROM - 1)
        bulk.trigger_crash_dumps(compute, ids)
        self.assertEqual([], compute.listings)
        self.assertEqual(ids, self.looked_up)

    def test_many_servers_are_found_by_one_listing(self):
        listing = [("id-%02d" % n, "web-%02d" % n) for n in range(12)]
        compute = FakeCompute(listing=listing)
        wanted = ["id-%02d" % n for n in range(6)] + [
            "web-%02d" % n for n in range(6, 12)]
        outcome = bulk.trigger_crash_dumps(compute, wanted)
        self.assertEqual([{"detailed": False, "limit": -1}],
                         compute.listings)
        self.assertEqual([], self.looked_up)
        self.assertEqual(listing, [(r.server_id, r.server_name)
                                   for r in outcome])
        self.assertEqual(["req-" + server_id for server_id, _ in listing],
                         [result.request_id for result in outcome])

    def test_what_the_listing_leaves_in_doubt_is_looked_up(self):
        # A shared name, an id of another project, a name nobody has and
        # an id-like name are each novaclient's lookup's to answer.
        listing = [("id-%02d" % n, "web-%02d" % n) for n in range(10)] + [
            ("id-twin-1", "twin"), ("id-twin-2", "twin"),
            ("id-odd", self.UUID.replace("7", "8"))]
        compute = FakeCompute(listing=listing)
        doubtful = ["twin", "id-elsewhere", "nobody",
                    self.UUID.replace("7", "8")]
        wanted = ["id-%02d" % n for n in range(10)] + doubtful
        bulk.trigger_crash_dumps(compute, wanted)
        self.assertEqual(sorted(doubtful), sorted(self.looked_up))

    def test_a_failed_listing_means_a_lookup_each(self):
        compute = FakeCompute(listing=exceptions.Forbidden(403, "no"))
        wanted = ["id-%02d" % n for n in range(bulk.LISTING_FROM)]
        outcome = bulk.trigger_crash_dumps(compute, wanted)
        self.assertEqual(1, len(compute.listings))
        self.assertEqual(wanted, sorted(self.looked_up))
        self.assertTrue(all(result.succeeded for result in outcome))


class TestFailureSummary(testtools.TestCase):

    def test_none_when_all_succeeded(self):
        self.assertIsNone(bulk.failure_summary(
            [bulk.ServerResult("a")]))

    def test_names_the_first_ten_only(self):
        failed = []
        for n in range(25):
            result = bulk.ServerResult("s%d" % n)
            result.error = exceptions.CommandError("no")
            failed.append(result)
        self.assertEqual(
            "Crash dump failed for 25 of 25 server(s): s0, s1, s2, s3, s4, "
            "s5, s6, s7, s8, s9 and 15 more.",
            bulk.failure_summary(failed))


class TestWaitingInRounds(testtools.TestCase):

    def test_each_round_reads_only_unfinished_actions(self):
        reads = []

        def reader(name, finishes_on):
            def read():
                reads.append(name)
                done = reads.count(name) >= finishes_on
                return fakes.action(request_id=name, events=[
                    fakes.event("Success" if done else None)])
            return read

        answers = waiting.wait_for_outcomes(
            [reader("fast", 1), reader("slow", 3)],
            api_versions.APIVersion("2.96"), timeout=5, interval=0.01)
        self.assertEqual(["Success", "Success"],
                         [answer.result for answer in answers])
        self.assertEqual(["fast", "slow", "slow", "slow"], reads)

    def test_timeout_and_errors_are_handed_back_per_action(self):
        def unfinished():
            return fakes.action(request_id="req-late",
                                events=[fakes.event()])

        def gone():
            raise exceptions.NotFound(404, "Instance gone")

        late, missing = waiting.wait_for_outcomes(
            [unfinished, gone], api_versions.APIVersion("2.96"),
            timeout=0.05, interval=0.01)
        self.assertIsInstance(late, waiting.WaitTimeout)
        self.assertIn("req-late within 0.05 seconds", str(late))
        self.assertIsInstance(missing, exceptions.NotFound)


class TestWaitThroughTheAPI(testtools.TestCase):

    def test_trigger_and_wait_for_two_servers(self):
        api = self.useFixture(fakes.ComputeAPI())
        other_request = "req-2b7e1f00-5c3d-4e8a-9f61-0d2c4b6a8e13"
        api.add_server()
        api.add_server(fakes.OTHER_ID, "db-1")
        api.accept_action()
        api.accept_action(fakes.OTHER_ID, other_request)
        api.add_action(fakes.action(events=[fakes.event("Success")]))
        api.add_action(fakes.action(other_request, message="Error", events=[
            fakes.event("Error", "NotImplementedError")]),
            server_id=fakes.OTHER_ID, request_id=other_request)
        outcome = bulk.trigger_crash_dumps(
            make_client(), [fakes.SERVER_ID, fakes.OTHER_ID], wait=True,
            interval=0.01)
        self.assertEqual(["Success", "Error: NotImplementedError"],
                         [result.result for result in outcome])
        self.assertEqual(
            "Crash dump for server db-1 (%s): Error: NotImplementedError "
            "(request %s)" % (fakes.OTHER_ID, other_request),
            novaclient_ext.result_line(outcome[1]))


class TestProgress(testtools.TestCase):

    def test_quiet_when_not_a_terminal(self):
        stream = io.StringIO()
        with progress.Progress(stream) as display:
            display.start("Triggering", 2)
            display.advance()
            display.advance(failed=True)
        self.assertEqual("", stream.getvalue())

    def test_draws_and_erases_on_a_terminal(self):
        class Terminal(io.StringIO):
            def isatty(self):
                return True

        stream = Terminal()
        with progress.Progress(stream) as display:
            display.start("Triggering", 2)
            display.advance(failed=True)
            display.advance()
        text = stream.getvalue()
        self.assertTrue(text.startswith("\r\033[KTriggering: 0/2 servers"))
        self.assertIn("Triggering: 2/2 servers, 1 failed", text)
        self.assertTrue(text.endswith("\r\033[K"))
