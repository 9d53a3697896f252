"""The memory dump Python API and CLI core: exact requests, downloads
(resume, checksum, restart), Nova without the extension, the bar."""

import hashlib
import io
import os

import fixtures
from keystoneauth1 import session
from keystoneauth1 import token_endpoint
from novaclient import client
from novaclient import exceptions
from novaclient import extension
from requests_mock.contrib import fixture as requests_mock_fixture
import testtools

from crashdump_client import memory_dump_cli
from crashdump_client import novaclient_memory_dumps
from crashdump_client import percent_bar
from crashdump_client import waiting
from crashdump_client.v2 import memory_dumps

from . import fakes

DUMP_ID = "c4d65d34-42bd-4548-a86e-4e1a2587d29e"
URL = "%s/servers/%s/crashdump-memory-dumps" % (fakes.ENDPOINT,
                                                fakes.SERVER_ID)
DATA = b"makedumpfile\0\0\0\0" + bytes(range(256)) * 40
SHA = hashlib.sha256(DATA).hexdigest()


def dump(status="available", **extra):
    body = {"id": DUMP_ID, "server_id": fakes.SERVER_ID, "status": status,
            "format": "kdump-zlib", "progress": 100, "size": len(DATA),
            "sha256": SHA, "request_id": fakes.REQUEST_ID, "error": None,
            "trigger_crash_dump": False, "trigger_crash_dump_result": None}
    body.update(extra)
    return {"memory_dump": body}


class MemoryDumpTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.http = self.useFixture(requests_mock_fixture.Fixture())
        auth = token_endpoint.Token(fakes.ENDPOINT, fakes.TOKEN)
        self.nova = client.Client("2.96", session=session.Session(auth=auth))
        self.dumps = memory_dumps.MemoryDumpManager(self.nova)
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def file_answer(self, request, context):
        start = 0
        if request.headers.get("Range"):
            start = int(request.headers["Range"][6:-1])
            context.status_code = 206
        context.headers.update({
            "Content-Length": str(len(DATA) - start),
            memory_dumps.CHECKSUM_HEADER: self.served_sha})
        return DATA[start:]

    def serve_file(self, sha=SHA):
        self.served_sha = sha
        self.http.get(URL + "/%s/file" % DUMP_ID, content=self.file_answer)


class ManagerTest(MemoryDumpTestCase):

    def test_create_sends_format_and_trigger(self):
        self.http.post(URL, status_code=202, json=dump("creating"))
        created = self.dumps.create(fakes.SERVER_ID, "elf", True)
        self.assertEqual("creating", created.status)
        self.assertEqual({"memory_dump": {"format": "elf",
                                          "trigger_crash_dump": True}},
                         self.http.last_request.json())

    def test_wait_until_available_or_error(self):
        self.http.get(URL + "/" + DUMP_ID, [
            {"json": dump("creating", progress=40)}, {"json": dump()}])
        seen = []
        done = self.dumps.wait(fakes.SERVER_ID, DUMP_ID, interval=0,
                               progress=lambda d: seen.append(d.progress))
        self.assertEqual(("available", [40, 100]), (done.status, seen))
        self.http.get(URL + "/" + DUMP_ID,
                      json=dump("error", error="No space left on device"))
        self.assertRaisesRegex(memory_dumps.MemoryDumpFailed,
                               "No space left on device", self.dumps.wait,
                               fakes.SERVER_ID, DUMP_ID, interval=0)

    def test_download_checks_the_checksum(self):
        self.serve_file()
        path = os.path.join(self.tmp, "dump")
        self.assertEqual((len(DATA), SHA), self.dumps.download(
            fakes.SERVER_ID, DUMP_ID, path))
        with open(path, "rb") as stream:
            self.assertEqual(DATA, stream.read())
        self.assertNotIn("Range", self.http.last_request.headers)

    def test_download_resumes_a_part(self):
        self.serve_file()
        path = os.path.join(self.tmp, "dump")
        with open(path + ".part", "wb") as part:
            part.write(DATA[:100])
        self.assertEqual((len(DATA), SHA), self.dumps.download(
            fakes.SERVER_ID, DUMP_ID, path))
        self.assertEqual("bytes=100-",
                         self.http.last_request.headers["Range"])
        self.assertFalse(os.path.exists(path + ".part"))

    def test_checksum_mismatch_removes_the_part(self):
        self.serve_file(sha="0" * 64)
        path = os.path.join(self.tmp, "dump")
        self.assertRaises(memory_dumps.ChecksumMismatch, self.dumps.download,
                          fakes.SERVER_ID, DUMP_ID, path)
        self.assertEqual([], os.listdir(self.tmp))

    def test_unsatisfiable_range_starts_over(self):
        path = os.path.join(self.tmp, "dump")
        with open(path + ".part", "wb") as part:
            part.write(b"x" * (len(DATA) + 10))
        self.served_sha = SHA
        self.http.get(URL + "/%s/file" % DUMP_ID, [
            {"status_code": 416}, {"content": self.file_answer}])
        self.assertEqual((len(DATA), SHA), self.dumps.download(
            fakes.SERVER_ID, DUMP_ID, path))

    def test_refusal_is_novaclients_exception(self):
        self.http.get(URL + "/%s/file" % DUMP_ID, status_code=409, json=(
            fakes.error_body("conflictingRequest", 409,
                             "Memory dump x is creating, not available")))
        exc = self.assertRaises(exceptions.Conflict, self.dumps.download,
                                fakes.SERVER_ID, DUMP_ID,
                                os.path.join(self.tmp, "dump"))
        self.assertIn("creating, not available", str(exc))


class CliCoreTest(MemoryDumpTestCase):

    def setUp(self):
        super().setUp()
        self.http.get(fakes.ENDPOINT + "/servers/" + fakes.SERVER_ID,
                      json={"server": {"id": fakes.SERVER_ID,
                                       "name": "web-1"}})

    def test_nova_without_the_extension_is_one_sentence(self):
        self.http.post(URL, status_code=404, json=fakes.error_body(
            "itemNotFound", 404, "The resource could not be found."))
        self.http.get(fakes.ENDPOINT + "/crashdump", status_code=404)
        exc = self.assertRaises(exceptions.CommandError,
                                memory_dump_cli.create, self.nova,
                                fakes.SERVER_ID, "elf")
        self.assertIn("crashdump's own extension", str(exc))

    def test_trigger_with_dump_reports_dump_and_nmi(self):
        self.http.post(URL, status_code=202, json=dump("creating"))
        self.http.get(URL + "/" + DUMP_ID, [
            {"json": dump()},
            {"json": dump(trigger_crash_dump_result="Success")}])
        lines, failed = memory_dump_cli.trigger_with_dump(
            self.nova, [fakes.SERVER_ID], "kdump-zlib", True, 10, 0)
        self.assertFalse(failed)
        self.assertEqual(["%s: memory dump %s available (kdump-zlib, %d "
                          "bytes, sha256 %s); NMI: Success" % (
                              fakes.SERVER_ID, DUMP_ID, len(DATA), SHA)],
                         lines)
        self.assertTrue(self.http.request_history[-3].json()[
            "memory_dump"]["trigger_crash_dump"])

    def test_failed_dump_fails_the_command(self):
        self.http.post(URL, status_code=202, json=dump("creating"))
        self.http.get(URL + "/" + DUMP_ID, json=dump(
            "error", error="Instance x is not running."))
        lines, failed = memory_dump_cli.trigger_with_dump(
            self.nova, [fakes.SERVER_ID], "elf", True, 10, 0)
        self.assertTrue(failed)
        self.assertIn("Instance x is not running.", lines[0])


class CrashListTest(testtools.TestCase):
    """A memory_dump action's result, as crash-list shows it."""

    def outcome(self, *events):
        return waiting.outcome_of(
            fakes.action(name="memory_dump", events=events),
            client.api_versions.APIVersion("2.96"))

    def event(self, name, result, details=None):
        body = fakes.event(result, details)
        body["event"] = name
        return body

    def test_dump_then_nmi(self):
        self.assertEqual("Success", str(self.outcome(
            self.event("compute_trigger_crash_dump", "Success"),
            self.event("compute_memory_dump", "Success"))))

    def test_an_error_in_either_event_is_the_result(self):
        self.assertEqual("Error: No space left", str(self.outcome(
            self.event("compute_trigger_crash_dump", "Success"),
            self.event("compute_memory_dump", "Error", "No space left"))))

    def test_unfinished_nmi_is_in_progress(self):
        self.assertIsNone(self.outcome(
            self.event("compute_trigger_crash_dump", None),
            self.event("compute_memory_dump", "Success")))


class BarAndExtensionTest(testtools.TestCase):

    def test_no_bar_when_not_a_terminal(self):
        stream = io.StringIO()
        with percent_bar.PercentBar("Dumping", stream) as bar:
            bar.update(50)
            bar.update_bytes(10, 20)
        self.assertEqual("", stream.getvalue())

    def test_bar_on_a_terminal(self):
        stream = io.StringIO()
        with percent_bar.PercentBar("Dumping", stream, enabled=True) as bar:
            bar.update(100)
        self.assertIn("Dumping [%s] 100%%" % ("#" * 30), stream.getvalue())
        self.assertTrue(stream.getvalue().endswith("\r\033[K"))

    def test_extension_module_offers_exactly_one_manager(self):
        ext = extension.Extension("memory_dumps", novaclient_memory_dumps)
        self.assertEqual("MemoryDumpManager", ext.manager_class.__name__)
        found = {e.name for e in client.discover_extensions("2.96")}
        self.assertIn("memory_dumps", found)
