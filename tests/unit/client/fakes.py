"""A compute API for the client's unit tests, answered by requests-mock.

The answers follow CONTRACT.md (Nova's wire format); each test registers the
few URLs it needs and then reads ``requests_mock`` history to check exactly
what the client sent.
"""

import fixtures
from requests_mock.contrib import fixture as requests_mock_fixture

ENDPOINT = "http://127.0.0.1:8774/v2.1"
TOKEN = "admin:demo"
SERVER_ID = "4f9e6a0c-7b41-4c1e-9a52-2d8d1b6e0c11"
OTHER_ID = "8d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09"
REQUEST_ID = "req-5a0d1f6e-3c2b-4a19-8e7d-6c5b4a392817"


def version_document(max_version="2.104"):
    return {"version": {
        "id": "v2.1", "status": "CURRENT", "version": max_version,
        "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": ENDPOINT + "/"}]}}


def error_body(fault, code, message):
    return {fault: {"code": code, "message": message}}


def event(result=None, details=None, with_details=True):
    """A compute_trigger_crash_dump event; unfinished when result is None."""
    body = {"event": "compute_trigger_crash_dump",
            "start_time": "2024-05-01T10:00:01.000000",
            "finish_time": ("2024-05-01T10:00:02.000000"
                            if result else None),
            "result": result, "hostId": "a1b2"}
    if with_details:
        body["details"] = details
    return body


def action(request_id=REQUEST_ID, name="trigger_crash_dump", message=None,
           events=()):
    """An instance action; ``events=None`` leaves the events key out."""
    body = {"action": name, "instance_uuid": SERVER_ID,
            "request_id": request_id, "user_id": "admin",
            "project_id": "demo", "start_time": "2024-05-01T10:00:00.000000",
            "updated_at": "2024-05-01T10:00:02.000000", "message": message}
    if events is not None:
        body["events"] = list(events)
    return body


def _is_console_request(request):
    return "os-getConsoleOutput" in (request.text or "")


class ComputeAPI(fixtures.Fixture):
    """requests-mock playing the compute API at :data:`ENDPOINT`."""

    def __init__(self, max_version="2.104"):
        self.max_version = max_version

    def _setUp(self):
        self.mock = self.useFixture(requests_mock_fixture.Fixture())
        self.mock.get(ENDPOINT, json=version_document(self.max_version))

    def add_server(self, server_id=SERVER_ID, name="web-1"):
        self.mock.get("%s/servers/%s" % (ENDPOINT, server_id),
                      json={"server": {"id": server_id, "name": name}})

    def add_servers_named(self, name, *servers):
        """Answer a name search with ``(id, name)`` pairs."""
        self.mock.get("%s/servers?name=%s" % (ENDPOINT, name),
                      complete_qs=True, json={"servers": [
                          {"id": sid, "name": sname, "links": []}
                          for sid, sname in servers]})

    def add_missing_server(self, server_id):
        self.mock.get("%s/servers/%s" % (ENDPOINT, server_id),
                      status_code=404, json=error_body(
                          "itemNotFound", 404,
                          "Instance %s could not be found." % server_id))

    def accept_action(self, server_id=SERVER_ID, request_id=REQUEST_ID,
                      header="x-openstack-request-id"):
        self.mock.post("%s/servers/%s/action" % (ENDPOINT, server_id),
                       status_code=202, headers={header: request_id})

    def refuse_action(self, server_id, status, fault, message):
        self.mock.post("%s/servers/%s/action" % (ENDPOINT, server_id),
                       status_code=status,
                       json=error_body(fault, status, message))

    def add_console(self, *answers, server_id=SERVER_ID):
        """Answer successive ``os-getConsoleOutput`` actions of a server.

        Each answer is the output text, or ``(status, fault, message)`` for
        an error. Registered after :meth:`accept_action` it takes only the
        console requests: other actions still reach the earlier answer.
        """
        responses = []
        for answer in answers:
            if isinstance(answer, str):
                responses.append({"json": {"output": answer}})
            else:
                status, fault, message = answer
                responses.append({"status_code": status,
                                  "json": error_body(fault, status,
                                                     message)})
        self.mock.post("%s/servers/%s/action" % (ENDPOINT, server_id),
                       responses, additional_matcher=_is_console_request)

    def console_requests(self):
        """The bodies of the ``os-getConsoleOutput`` requests sent."""
        return [r.json() for r in self.mock.request_history
                if r.method == "POST" and _is_console_request(r)]

    def add_action(self, *bodies, server_id=SERVER_ID,
                   request_id=REQUEST_ID):
        """Answer successive reads of one action with ``bodies``, in order."""
        self.mock.get("%s/servers/%s/os-instance-actions/%s" % (
            ENDPOINT, server_id, request_id),
            [{"json": {"instanceAction": body}} for body in bodies])

    def add_action_list(self, *bodies, server_id=SERVER_ID):
        self.mock.get("%s/servers/%s/os-instance-actions" % (
            ENDPOINT, server_id), json={"instanceActions": list(bodies)})

    def add_crash_dump_history(self):
        """A server's actions: req-2 succeeded, req-1 failed with
        NotImplementedError, and a reboot (not a crash dump) between."""
        self.add_action_list(
            action("req-2"), action("req-x", name="reboot"),
            action("req-1", message="Error"))
        self.add_action(action("req-2", events=[event()]),
                        request_id="req-2")
        self.add_action(action("req-1", message="Error", events=[
            event("Error", "NotImplementedError")]), request_id="req-1")

    def requests(self, method=None):
        """The requests sent, except version discovery, optionally by
        method."""
        return [r for r in self.mock.request_history
                if r.url.rstrip("/") != ENDPOINT and
                (method is None or r.method == method)]
