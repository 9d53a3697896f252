"""A seeded fuzz run of the whole API application: never a 5xx other than
Nova's own 501 and 503, every error in Nova's shape, no traceback logged.

The requests mix the real routes with broken paths (bad UTF-8, odd
slashes, wrong ids), query parameters of every list (valid, invalid,
unknown, at the edges of the date range), microversion headers, content
types and bodies (random JSON, deep nesting, bytes that are not JSON).
The run is reproducible: CRASHDUMP_FUZZ_SEED and CRASHDUMP_FUZZ_CASES
change it; a failure names the seed and the case.

The cases the issue found are fixed regressions in RegressionTest.
"""
import json
import logging
import os
import random
import urllib.parse

import fixtures
from oslo_context import context as oslo_context
import testtools

from tests.lib.embedded import fake_server
from tests.lib.inprocess import InProcessServer

SEED = int(os.environ.get('CRASHDUMP_FUZZ_SEED', '20261206'))
CASES = int(os.environ.get('CRASHDUMP_FUZZ_CASES', '3000'))
SERVER = 'f0000000-0000-4000-8000-000000000001'
LOCKED = 'f0000000-0000-4000-8000-000000000002'
OTHER = 'f0000000-0000-4000-8000-000000000003'
NOVA_5XX = (501, 503)

PATHS = ('/', '/v2.1', '/v2.1/', '/v2.1/servers', '/v2.1/servers/detail',
         '/v2.1/servers/{id}', '/v2.1/servers/{id}/action',
         '/v2.1/servers/{id}/os-instance-actions',
         '/v2.1/servers/{id}/os-instance-actions/{req}', '/v2.1/flavors',
         '//v2.1/servers', '/v2.1//servers', '/v2.1/servers/', '/v2',
         '/v2.1/servers/{id}/action/extra', '/%ff', '/v2.1/%c3%28',
         '/v2.1/servers/%ff%fe', '/v2.1/servers/{id}%00')
IDS = (SERVER, LOCKED, OTHER, 'web-1', '', 'x' * 300, '%ff', '..', '1',
       SERVER.upper(), SERVER.replace('-', ''), '%2F', "'; drop")
METHODS = ('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS',
           'CONNECT', 'TRACE', 'get', 'FOO')
QUERY_NAMES = ('limit', 'marker', 'sort_key', 'sort_dir', 'status', 'name',
               'host', 'node', 'all_tenants', 'project_id', 'tenant_id',
               'user_id', 'locked', 'vm_state', 'deleted', 'soft_deleted',
               'changes-since', 'changes-before', 'services', '_private',
               'ip', 'image', 'flavor', 'tags', 'not-tags', 'hostname',
               'metadata', 'unknown', '%ff')
QUERY_VALUES = ('', '0', '1', '-1', '1000000000000000000000', 'true',
                'false', 'yes', 'abc', 'host', 'node', 'DELETED', 'BOGUS',
                'ACTIVE', 'active', 'desc', 'asc', 'sideways',
                '9999-12-31T23:59:59-01:00', '0001-01-01T00:00:00+01:00',
                '2024-05-01T12:00:00Z', '2024-13-45', SERVER, 'req-x',
                '%ff', '\u2603', '[', '.*', '(', 'a' * 1000)
VERSIONS = (None, '2.1', '2.17', '2.21', '2.37', '2.38', '2.58', '2.66',
            '2.73', '2.75', '2.84', '2.96', '2.100', 'latest', '2.1000',
            '3.0', '1.9', 'abc', '2.', '', ' 2.17 ', '2.17, 2.18')
TOKENS = ('alice:demo', 'admin:admin', 'bob:other', '', 'garbage',
          'alice:', ':demo', 'a:b:c', None)
CONTENT_TYPES = (None, 'application/json', 'text/plain', 'text/html',
                 'application/xml', 'application/json; charset=utf-8',
                 'multipart/form-data', '\u2603')


def random_json(rng, depth=0):
    kind = rng.randrange(9 if depth < 4 else 5)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice((True, False))
    if kind == 2:
        return rng.choice((0, -1, 10 ** 30, 1.5, float('1e308')))
    if kind == 3:
        return rng.choice(('', 'x', '\u0000', 'a' * 5000, SERVER))
    if kind == 4:
        return rng.choice(('trigger_crash_dump', 'os-getConsoleOutput'))
    if kind in (5, 6):
        return {rng.choice(('trigger_crash_dump', 'os-getConsoleOutput',
                            'length', 'x', '')): random_json(rng, depth + 1)
                for _ in range(rng.randrange(3))}
    return [random_json(rng, depth + 1) for _ in range(rng.randrange(3))]


def random_body(rng):
    kind = rng.randrange(8)
    if kind == 0:
        return None
    if kind == 1:
        return b'{"trigger_crash_dump": null}'
    if kind == 2:
        return json.dumps({'os-getConsoleOutput': {
            'length': rng.choice((1, -1, 0, 'x', None, 10 ** 20))}}).encode()
    if kind == 3:
        return rng.choice((b'[' * 1000, b'{"a":' * 1000, b'\xff\xfe',
                           b'not json', b'', b'null', b'{"a": 1e999}'))
    if kind == 4:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    return json.dumps(random_json(rng)).encode()


def random_request(rng):
    """(method, path, headers dict, body bytes or None, token)."""
    # Mostly the routes that exist, with ids that exist.
    template = rng.choice(PATHS[4:9] if rng.random() < 0.7 else PATHS)
    server_id = rng.choice(IDS[:3] if rng.random() < 0.6 else IDS)
    path = template.format(id=server_id,
                           req=rng.choice(('req-x', 'x', '%ff')))
    if rng.random() < 0.7:
        params = [(rng.choice(QUERY_NAMES), rng.choice(QUERY_VALUES))
                  for _ in range(rng.randrange(1, 4))]
        query = urllib.parse.urlencode(params)
        if rng.random() < 0.1:
            query += rng.choice(('&%ff=1', '&a=%ff', '&=', '&&', '&a'))
        path += '?' + query
    headers = {}
    version = rng.choice(VERSIONS)
    if version is not None:
        headers['OpenStack-API-Version'] = 'compute %s' % version
    if rng.random() < 0.1:
        headers['X-OpenStack-Nova-API-Version'] = rng.choice(VERSIONS) or ''
    content_type = rng.choice(CONTENT_TYPES)
    if content_type:
        headers['Content-Type'] = content_type
    if rng.random() < 0.05:
        headers['Accept'] = rng.choice(('text/html', 'application/xml'))
    method = rng.choice(METHODS[:2] * 4 + METHODS)
    return method, path, headers, random_body(rng), rng.choice(TOKENS)


class FuzzTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(InProcessServer([
            fake_server(SERVER, 'web-1'),
            fake_server(LOCKED, 'locked-1', locked=True),
            fake_server(OTHER, 'other-1', project_id='other',
                        user_id='bob')]))
        # Every ERROR record, and any traceback at any level, is a finding.
        self.log = self.useFixture(fixtures.FakeLogger(
            level=logging.INFO, format='%(levelname)s %(name)s %(message)s'))

    def send(self, method, path, headers, body, token):
        return self.server.request(method, path, token=token,
                                   headers=headers, raw_body=body)

    def assertNovaAnswer(self, response, label, method='GET'):
        status = response.status_int
        self.assertFalse(status >= 500 and status not in NOVA_5XX,
                         '%s: %s %s' % (label, response.status,
                                        response.body[:500]))
        if status < 400 or method == 'HEAD':
            return
        try:
            fault = json.loads(response.body)
        except ValueError:
            self.fail('%s: %s with a body that is not JSON: %r' % (
                label, response.status, response.body[:300]))
        self.assertIsInstance(fault, dict, label)
        self.assertEqual(1, len(fault), '%s: %s' % (label, fault))
        (_name, detail), = fault.items()
        self.assertEqual(status, detail.get('code'),
                         '%s: %s' % (label, fault))
        self.assertIsInstance(detail.get('message'), str, label)

    def assertNoTraceback(self, label):
        logged = self.log.output
        self.assertNotIn('Traceback', logged, label)
        self.assertNotIn('ERROR ', logged, label)


class FuzzTest(FuzzTestCase):

    def test_seeded_random_requests(self):
        rng = random.Random(SEED)
        for case in range(CASES):
            request = random_request(rng)
            label = 'seed %d case %d: %r' % (SEED, case, request[:4])
            self.assertNovaAnswer(self.send(*request), label, request[0])
        self.assertNoTraceback('seed %d' % SEED)


class RegressionTest(FuzzTestCase):
    """The cases the issue found, fixed."""

    def check(self, method, path, status, words=None, token='alice:demo',
              headers=None, body=None):
        response = self.send(method, path, headers or {}, body, token)
        label = '%s %s' % (method, path)
        self.assertNovaAnswer(response, label, method)
        self.assertEqual(status, response.status_int,
                         '%s: %s' % (label, response.body))
        if words:
            self.assertIn(words, response.body.decode(), label)
        self.assertIn('x-openstack-request-id', response.headers)
        self.assertNoTraceback(label)

    def test_invalid_utf8_in_path_and_query(self):
        self.check('GET', '/%ff', 400, 'not valid UTF-8')
        self.check('GET', '/v2.1/servers/%ff', 400, 'not valid UTF-8')
        self.check('GET', '/v2.1/servers?name=%ff', 400, 'not valid UTF-8')

    def test_deep_json_body(self):
        self.check('POST', '/v2.1/servers/%s/action' % SERVER, 400,
                   'Malformed request body', body=b'[' * 1000,
                   headers={'Content-Type': 'application/json'})

    def test_changes_since_at_the_edge_of_the_calendar(self):
        for name in ('changes-since', 'changes-before'):
            self.check('GET', '/v2.1/servers/%s/os-instance-actions?%s='
                       '9999-12-31T23:59:59-01:00' % (SERVER, name), 400,
                       name, headers={'OpenStack-API-Version':
                                      'compute 2.66'})

    def test_sort_by_host_or_node_is_for_admins(self):
        for key in ('host', 'node'):
            self.check('GET', '/v2.1/servers/detail?sort_key=%s' % key, 403,
                       'Only administrators can sort servers by %s' % key)
            self.check('GET', '/v2.1/servers/detail?sort_key=%s' % key, 200,
                       token='admin:admin')

    def test_deleted_servers_are_for_admins(self):
        self.check('GET', '/v2.1/servers?status=DELETED', 403,
                   'Only administrators may list deleted instances')
        self.check('GET', '/v2.1/servers?status=DELETED', 200,
                   token='admin:admin')

    def test_unknown_status(self):
        self.check('GET', '/v2.1/servers?status=BOGUS', 400,
                   'Invalid status value',
                   headers={'OpenStack-API-Version': 'compute 2.38'})
        response = self.send('GET', '/v2.1/servers?status=BOGUS',
                             {'OpenStack-API-Version': 'compute 2.37'}, None,
                             'alice:demo')
        self.assertEqual((200, []), (response.status_int,
                                     response.json['servers']))

    def test_joined_table_filter_for_admins(self):
        self.check('GET', '/v2.1/servers?services=x', 400,
                   'Invalid filter field: services.', token='admin:admin')
        # A non-admin's filters that Nova does not allow are dropped.
        self.check('GET', '/v2.1/servers?services=x', 200)


class LogIdentityTest(FuzzTestCase):
    """Every log line carries its own request's identity, or none: a
    request refused before authentication does not inherit the previous
    request's context from the worker thread."""

    def test_refused_request_logs_under_its_own_id(self):
        seen = []

        class Recorder(logging.Handler):
            def emit(self, record):
                current = oslo_context.get_current()
                seen.append(current and (current.request_id,
                                         current.user_id))

        recorder = Recorder()
        logger = logging.getLogger('crashdump_server.api.middleware')
        logger.addHandler(recorder)
        self.addCleanup(logger.removeHandler, recorder)
        answers = [
            self.send('GET', '/v2.1/servers', {}, None, 'alice:demo'),
            self.send('GET', '/v2.1/servers', {}, None, None),
            self.send('GET', '/v2.1/servers',
                      {'OpenStack-API-Version': 'compute 9.9'}, None,
                      'alice:demo')]
        self.assertEqual([200, 401, 406], [a.status_int for a in answers])
        self.assertEqual(
            [(answers[0].headers['x-openstack-request-id'], 'alice'),
             (answers[1].headers['x-openstack-request-id'], None),
             (answers[2].headers['x-openstack-request-id'], None)], seen)
        self.assertIsNone(oslo_context.get_current())
