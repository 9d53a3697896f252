"""Playing a case's steps against an endpoint, whatever carries them.

An endpoint is anything with ``send(method, path, headers, body)`` that
returns a :class:`Reply`, plus the names it serves (``servers``,
``credentials``, ``tokens``, ``api``, ``root_url``). The in-process and the
live runners differ only in ``send``.
"""
import json
import time

from tests.contract import cases as contract_cases
from tests.contract import checks


class Reply:
    """A response as the checks read it: status, lower-case headers, bytes.
    """

    def __init__(self, status, headers, body):
        self.status = int(status)
        self.headers = {}
        for name, value in headers:
            # A repeated header (Vary) reads as one, joined as HTTP allows.
            name = name.lower()
            self.headers[name] = (self.headers[name] + ', ' + value
                                  if name in self.headers else value)
        self.body = body or b''

    def describe(self):
        text = self.body[:1500].decode('utf-8', 'replace')
        return '%s %s\n%s' % (self.status, self.headers, text)


def build_request(request, names, tokens):
    """(method, path, headers, body bytes) of a step's ``request``.

    ``tokens`` maps credential names to X-Auth-Token values. Request keys:
    method, path, token (credential name; null sends none; default member),
    version (OpenStack-API-Version: compute X), legacy_version
    (X-OpenStack-Nova-API-Version), headers, body (JSON-encoded, sent as
    application/json unless content_type says otherwise; content_type null
    sends none), raw_body (a string sent as it is), body_padding (spaces
    appended to the body).
    """
    request = contract_cases.substitute(request, names)
    headers = {}
    token = contract_cases.token_name(request)
    if token is not None:
        headers['X-Auth-Token'] = tokens[token]
    if 'version' in request:
        headers['OpenStack-API-Version'] = 'compute %s' % request['version']
    if 'legacy_version' in request:
        headers['X-OpenStack-Nova-API-Version'] = str(
            request['legacy_version'])
    body = None
    if 'body' in request:
        body = json.dumps(request['body']).encode()
        headers['Content-Type'] = 'application/json'
    if 'raw_body' in request:
        body = request['raw_body'].encode()
    if 'content_type' in request:
        headers.pop('Content-Type', None)
        if request['content_type'] is not None:
            headers['Content-Type'] = request['content_type']
    if request.get('body_padding'):
        body = (body or b'') + b' ' * request['body_padding']
    headers.update({k: str(v) for k, v in (request.get('headers') or {})
                    .items()})
    return request['method'], request['path'], headers, body


def endpoint_names(endpoint):
    """The placeholder values of an endpoint."""
    return contract_cases.fixture_names(
        endpoint.servers, endpoint.credentials, endpoint.root_url,
        endpoint.api)


def _saved(spec, reply):
    source, _, where = spec.partition(':')
    if source == 'header':
        return reply.headers[where.lower()]
    [(_where, value)] = checks.resolve(json.loads(reply.body), where)
    if value is checks._MISSING:
        raise AssertionError('nothing at %s to save in %s' % (
            where, reply.describe()))
    return value


def play_step(step, endpoint, names, fields, label):
    """Send one step (repeating it while ``poll`` seconds allow) and check
    the reply. Returns the Reply; raises AssertionError with the request,
    the reply and every problem found.
    """
    method, path, headers, body = build_request(step['request'], names,
                                                endpoint.tokens)
    expected = contract_cases.substitute(step['response'], names)
    version = contract_cases.request_version(step['request'], endpoint.api)
    deadline = time.monotonic() + float(step.get('poll', 0))
    while True:
        reply = endpoint.send(method, path, headers, body)
        found = checks.problems(expected, reply.status, reply.headers,
                                reply.body, version, fields)
        if not found or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    if found:
        raise AssertionError(
            '%s: %s %s (headers %s)\n  %s\nreply: %s' % (
                label, method, path, headers, '\n  '.join(found),
                reply.describe()))
    for name, spec in (step.get('save') or {}).items():
        names[name] = _saved(spec, reply)
    return reply


def play_case(case, endpoint, fields):
    """Play every step of ``case``; raises AssertionError on the first
    step whose reply breaks the contract."""
    names = endpoint_names(endpoint)
    for index, step in enumerate(case.steps):
        label = '%s step %d%s' % (case.name, index,
                                  ' (main)' if index == case.main else '')
        reply = play_step(step, endpoint, names, fields, label)
        if index == case.main and 'x-openstack-request-id' in reply.headers:
            names['request_id'] = reply.headers['x-openstack-request-id']
