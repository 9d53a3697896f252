"""Contract cases as a client sees them: which operation sends a case's
request, and the case's response made concrete for requests-mock.
"""
import json
import re
from urllib import parse

import novaclient

from tests.contract import cases as contract_cases
from tests.contract import checks
from tests.contract import endpoints

ROOT = 'http://127.0.0.1:8774'
ENDPOINT = ROOT + '/v2.1'
#: The request id the mocked API answers with.
REQUEST_ID = 'req-6c1f0d2e-9a8b-4c7d-8e6f-5a4b3c2d1e0f'

#: The newest microversion novaclient can send.
MAX_CLIENT = novaclient.API_MAX_VERSION

_SERVER = r'/v2\.1/servers/(?!detail$)([^/?]+)'
_PATTERNS = (
    ('trigger', 'POST', _SERVER + r'/action'),
    ('list_actions', 'GET', _SERVER + r'/os-instance-actions'),
    ('show_action', 'GET', _SERVER + r'/os-instance-actions/([^/?]+)'),
    ('get_server', 'GET', _SERVER),
    ('list_versions', 'GET', r'/'),
    ('current_version', 'GET', r'/v2\.1'),
)
_PLAIN_KEYS = {'method', 'path', 'token', 'version', 'body'}


def operation(case):
    """(operation name, its arguments) when a client operation sends the
    case's main request exactly, else None. The arguments may hold
    placeholders; :attr:`Feed.operation` has them resolved.

    Operations: trigger(server_id), list_actions(server_id),
    show_action(server_id, request_id), get_server(server_id),
    find_by_name(name), list_versions(), current_version().
    """
    return operation_of(case.main_step['request'])


def operation_of(request):
    """As :func:`operation`, for one step's request."""
    if set(request) - _PLAIN_KEYS:
        return None
    path, _, query = request['path'].partition('?')
    method = request['method']
    if method == 'GET' and path == '/v2.1/servers' and query:
        params = parse.parse_qs(query, keep_blank_values=True)
        if list(params) == ['name'] and 'version' in request:
            return 'find_by_name', (params['name'][0],)
        return None
    if query:
        return None
    for name, wanted_method, pattern in _PATTERNS:
        match = re.fullmatch(pattern, path)
        if match and method == wanted_method:
            break
    else:
        return None
    if name in ('list_versions', 'current_version'):
        return name, ()
    # novaclient always sends a token and a version header, and no
    # version above its own maximum.
    if 'version' not in request or request.get('token', '') is None:
        return None
    if request['version'] == 'latest' or contract_cases.parse_version(
            request['version']) > (MAX_CLIENT.ver_major, MAX_CLIENT.ver_minor):
        return None
    if name == 'trigger' and request.get('body', 0) != {
            'trigger_crash_dump': None}:
        return None
    if name != 'trigger' and 'body' in request:
        return None
    return name, match.groups()


def has_concrete_body(case):
    """True when the case's main response can be served as it is."""
    response = case.main_step['response']
    return any(key in response for key in ('body', 'example', 'empty_body')
               ) or ('fault' in response and 'message' in
                     response['fault'])


class Feed:
    """One case's main exchange, resolved for the mocked endpoint.

    Raises AssertionError (through ``test``) when the case's example does
    not pass the case's own checks.
    """

    def __init__(self, case, fixtures, fields, test):
        self.case = case
        self.test = test
        self.names = contract_cases.fixture_names(
            fixtures['servers'], fixtures['credentials'], ROOT,
            fixtures['api'])
        for index, step in enumerate(case.steps[:case.main]):
            for name in step.get('save') or {}:
                # Saved values come from earlier steps; a request id fits.
                self.names[name] = (
                    'req-0000000%d-aaaa-4bbb-8ccc-dddddddddddd' % index)
        self.names['request_id'] = REQUEST_ID
        step = case.main_step
        self.request = contract_cases.substitute(step['request'], self.names)
        self.response = contract_cases.substitute(step['response'],
                                                  self.names)
        tokens = endpoints.noauth_tokens(fixtures['credentials'])
        self.token = tokens[contract_cases.token_name(step['request']) or
                            'member']
        self.version = contract_cases.request_version(
            step['request'], fixtures['api']) or '2.1'
        self.operation = operation_of(self.request)
        self.status = self.response['status']
        self.request_id = REQUEST_ID
        self._start = 0
        fault = self.response.get('fault') or {}
        self.fault_message = fault.get('message')
        self.body = self._body(fault)
        self.reaches_server = not (
            case.main_step['request']['method'] == 'POST' and
            contract_cases.parse_version(self.version) < (2, 17))
        self._check_example(fields)

    def _body(self, fault):
        if 'body' in self.response:
            return self.response['body']
        if 'example' in self.response:
            return self.response['example']
        if fault:
            return {fault['name']: {'code': self.status,
                                    'message': fault['message']}}
        return None

    def _check_example(self, fields):
        if 'example' not in self.response:
            return
        headers = {'x-openstack-request-id': REQUEST_ID}
        expected = dict(self.response, status=self.status)
        expected.pop('headers', None)
        expected.pop('header_patterns', None)
        expected.pop('headers_equal', None)
        found = checks.problems(expected, self.status, headers,
                                json.dumps(self.body).encode(), self.version,
                                fields)
        self.test.assertEqual([], found, 'example of %s breaks its checks'
                              % self.case.name)

    def url(self, path):
        return ROOT + path

    def register(self, mock):
        """Answer the case's request with the case's response."""
        headers = {'x-openstack-request-id': REQUEST_ID,
                   'x-compute-request-id': REQUEST_ID,
                   'OpenStack-API-Version': 'compute %s' % self.version}
        kwargs = {'status_code': self.status, 'headers': headers}
        if self.body is not None:
            kwargs['json'] = self.body
        mock.register_uri(self.request['method'], self.url(
            self.request['path']), complete_qs=True, **kwargs)

    def mark(self, mock):
        """Look only at requests sent from now on."""
        self._start = len(mock.request_history)

    def sent(self, mock, method=None):
        """The requests sent to the case's path (and method)."""
        path = self.request['path'].partition('?')[0].rstrip('/') or '/'
        return [r for r in mock.request_history[self._start:]
                if (parse.urlsplit(r.url).path.rstrip('/') or '/') == path
                and (method is None or r.method == method)]

    def _assert_request(self, sent, check_headers):
        test = self.test
        test.assertEqual(self.request['method'], sent.method)
        wanted = parse.urlsplit(self.url(self.request['path']))
        got = parse.urlsplit(sent.url)
        test.assertEqual((wanted.path.rstrip('/') or '/',
                          parse.parse_qs(wanted.query)),
                         (got.path.rstrip('/') or '/',
                          parse.parse_qs(got.query)))
        if 'body' in self.request:
            test.assertEqual(self.request['body'], json.loads(sent.text))
        elif sent.body:
            test.fail('%s sent a body: %r' % (self.case.name, sent.body))
        if check_headers:
            # novaclient sends the legacy header alone below 2.27; the
            # server reads either, the standard one first.
            standard = sent.headers.get('OpenStack-API-Version')
            version = (standard.split()[-1] if standard else
                       sent.headers.get('X-OpenStack-Nova-API-Version'))
            test.assertEqual(self.version, version)
            test.assertEqual(self.token, sent.headers.get('X-Auth-Token'))

    def assert_sent_exactly(self, mock):
        """The case's request, once, is all that went to its path."""
        [sent] = self.sent(mock, self.request['method']) or [None]
        self.test.assertIsNotNone(sent, 'nothing sent for %s'
                                  % self.case.name)
        self._assert_request(sent, True)

    def assert_sent_first(self, mock, check_headers=True):
        """The first request sent is the case's request."""
        self.test.assertTrue(mock.request_history,
                             'nothing sent for %s' % self.case.name)
        self._assert_request(mock.request_history[0], check_headers)
