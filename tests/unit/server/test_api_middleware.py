"""The middleware around the route table, seen through whole requests.

Request ids, microversion parsing and echo, authentication, the fault
wrapper and the router's own 404/405, plus deploy's refusal of noauth on a
public address.
"""
import os
import random
import re
import uuid

import fixtures
from oslo_config import fixture as config_fixture
from oslo_middleware import request_id as request_id_middleware
import testtools
import webob

from crashdump_server.api import auth
from crashdump_server.api import deploy
from crashdump_server.api import fault
from crashdump_server.api import microversion
from crashdump_server.api import middleware
from crashdump_server.conf import CONF
from crashdump_server import exception
from crashdump_server import service
from tests.lib import embedded
from tests.lib import inprocess

SERVER = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b'
UNKNOWN = '00000000-0000-4000-8000-000000000000'
MAX = str(microversion.MAX_VERSION)
VARY = 'OpenStack-API-Version, X-OpenStack-Nova-API-Version'
REQUEST_ID = re.compile(
    r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
TRIGGER = {'trigger_crash_dump': None}


class AppTestCase(testtools.TestCase):
    """One in-process server with one server owned by alice of 'demo'."""

    servers = [embedded.fake_server(SERVER, 'web-1')]

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(inprocess.InProcessServer(self.servers))

    def request(self, *args, **kwargs):
        return self.server.request(*args, **kwargs)

    def assertVersionHeaders(self, response, version):
        self.assertEqual('compute %s' % version,
                         response.headers.get('OpenStack-API-Version'))
        self.assertEqual(version,
                         response.headers.get('X-OpenStack-Nova-API-Version'))
        self.assertEqual(VARY, response.headers.get('Vary'))

    def assertNoVersionHeaders(self, response):
        for name in ('OpenStack-API-Version', 'X-OpenStack-Nova-API-Version',
                     'Vary'):
            self.assertNotIn(name, response.headers)

    def assertFault(self, response, status, name, message):
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual('application/json', response.content_type)
        self.assertEqual({name: {'code': status, 'message': message}},
                         response.json)


class RequestIdTest(AppTestCase):

    def assertRequestId(self, response):
        request_id = response.headers.get('x-openstack-request-id')
        self.assertIsNotNone(request_id)
        self.assertRegex(request_id, REQUEST_ID)
        self.assertEqual(request_id,
                         response.headers.get('x-compute-request-id'))
        return request_id

    def test_success_carries_both_headers(self):
        self.assertRequestId(self.request('GET', '/v2.1/servers'))

    def test_unversioned_root_carries_both_headers(self):
        self.assertRequestId(self.request('GET', '/', token=None))

    def test_errors_carry_both_headers(self):
        for response in (
                self.request('GET', '/v2.1/servers', token=None),
                self.request('GET', '/v2.1/servers', version='2.999'),
                self.request('GET', '/v2.1/servers', version='2.x'),
                self.request('GET', '/v2.1/servers/%s' % UNKNOWN)):
            self.assertRequestId(response)

    def test_every_request_gets_its_own_id(self):
        first = self.assertRequestId(self.request('GET', '/v2.1/servers'))
        second = self.assertRequestId(self.request('GET', '/v2.1/servers'))
        self.assertNotEqual(first, second)

    def test_action_records_the_request_id(self):
        response = self.request('POST', '/v2.1/servers/%s/action' % SERVER,
                                TRIGGER, version='2.17')
        self.assertEqual(202, response.status_int)
        request_id = self.assertRequestId(response)
        actions = self.request(
            'GET', '/v2.1/servers/%s/os-instance-actions' % SERVER).json
        self.assertEqual([request_id],
                         [a['request_id'] for a in actions['instanceActions']])
        shown = self.request('GET', '/v2.1/servers/%s/os-instance-actions/%s'
                             % (SERVER, request_id))
        self.assertEqual(200, shown.status_int)
        self.assertEqual(request_id,
                         shown.json['instanceAction']['request_id'])


class MicroversionTest(AppTestCase):

    def test_no_header_means_minimum(self):
        response = self.request('GET', '/v2.1/servers')
        self.assertEqual(200, response.status_int)
        self.assertVersionHeaders(response, '2.1')

    def test_standard_header_echoed(self):
        response = self.request('GET', '/v2.1/servers', version='2.17')
        self.assertEqual(200, response.status_int)
        self.assertVersionHeaders(response, '2.17')

    def test_latest_means_maximum(self):
        response = self.request('GET', '/v2.1/servers', version='latest')
        self.assertEqual(200, response.status_int)
        self.assertVersionHeaders(response, MAX)

    def test_legacy_header_alone(self):
        response = self.request(
            'GET', '/v2.1/servers',
            headers={'X-OpenStack-Nova-API-Version': '2.5'})
        self.assertVersionHeaders(response, '2.5')

    def test_standard_header_wins_over_legacy(self):
        response = self.request(
            'GET', '/v2.1/servers',
            headers={'X-OpenStack-Nova-API-Version': '2.5',
                     'OpenStack-API-Version': 'compute 2.7'})
        self.assertVersionHeaders(response, '2.7')

    def test_other_service_header_ignored(self):
        response = self.request(
            'GET', '/v2.1/servers',
            headers={'OpenStack-API-Version': 'placement 1.5'})
        self.assertEqual(200, response.status_int)
        self.assertVersionHeaders(response, '2.1')

    def test_other_service_header_falls_back_to_legacy(self):
        response = self.request(
            'GET', '/v2.1/servers',
            headers={'OpenStack-API-Version': 'placement 1.5',
                     'X-OpenStack-Nova-API-Version': '2.9'})
        self.assertVersionHeaders(response, '2.9')

    def test_version_decides_the_representation(self):
        # 2.9 adds "locked" to a server: the parsed version reaches views.
        old = self.request('GET', '/v2.1/servers/%s' % SERVER, version='2.8')
        new = self.request('GET', '/v2.1/servers/%s' % SERVER, version='2.9')
        self.assertNotIn('locked', old.json['server'])
        self.assertIs(False, new.json['server']['locked'])

    def test_version_out_of_range_is_406(self):
        for version in ('2.999', '2.0', '3.0', '1.1'):
            response = self.request('GET', '/v2.1/servers', version=version)
            self.assertFault(
                response, 406, 'computeFault',
                'Version %s is not supported by the API. Minimum is 2.1 and '
                'maximum is %s.' % (version, MAX))

    def test_malformed_version_is_400(self):
        for version in ('2.x', '2', '2.01', 'two', '2.1.1', '-2.1'):
            response = self.request('GET', '/v2.1/servers', version=version)
            self.assertFault(
                response, 400, 'badRequest',
                'API Version String %s is of invalid format. Must be of '
                'format MajorNum.MinorNum.' % version)

    def test_malformed_legacy_version_is_400(self):
        response = self.request(
            'GET', '/v2.1/servers',
            headers={'X-OpenStack-Nova-API-Version': 'x.y'})
        self.assertFault(
            response, 400, 'badRequest',
            'API Version String x.y is of invalid format. Must be of format '
            'MajorNum.MinorNum.')

    def test_root_ignores_version_headers(self):
        for version in ('2.999', '2.x', '2.17'):
            response = self.request('GET', '/', token=None, version=version)
            self.assertEqual(200, response.status_int)
            self.assertIn('versions', response.json)
            self.assertNoVersionHeaders(response)

    def test_version_headers_on_404(self):
        response = self.request('GET', '/v2.1/servers/%s' % UNKNOWN,
                                version='2.17')
        self.assertFault(response, 404, 'itemNotFound',
                         'Instance %s could not be found.' % UNKNOWN)
        self.assertVersionHeaders(response, '2.17')

    def test_version_headers_on_400(self):
        response = self.request('POST', '/v2.1/servers/%s/action' % SERVER,
                                {}, version='2.17')
        self.assertFault(response, 400, 'badRequest',
                         'Malformed request body')
        self.assertVersionHeaders(response, '2.17')

    def test_version_headers_on_other_projects_404(self):
        response = self.request('POST', '/v2.1/servers/%s/action' % SERVER,
                                TRIGGER, version='2.18',
                                token='mallory:elsewhere')
        # Another project's server is missing, and still versioned.
        self.assertFault(response, 404, 'itemNotFound',
                         'Instance %s could not be found.' % SERVER)
        self.assertVersionHeaders(response, '2.18')

    def test_version_headers_on_401(self):
        response = self.request('GET', '/v2.1/servers', token=None,
                                version='2.17')
        self.assertEqual(401, response.status_int)
        self.assertVersionHeaders(response, '2.17')


class LockedServerVersionHeadersTest(AppTestCase):

    servers = [embedded.fake_server(SERVER, 'web-1', locked=True)]

    def test_version_headers_on_409(self):
        response = self.request('POST', '/v2.1/servers/%s/action' % SERVER,
                                TRIGGER, version='2.17')
        self.assertFault(response, 409, 'conflictingRequest',
                         'Instance %s is locked' % SERVER)
        self.assertVersionHeaders(response, '2.17')


class AuthTest(AppTestCase):

    MESSAGE = ('Authentication required: send X-Auth-Token: '
               '<user>:<project> (auth_strategy is noauth).')

    def test_no_token_is_401(self):
        for path in ('/v2.1/servers', '/v2.1/servers/%s' % SERVER,
                     '/v2.1/servers/%s/os-instance-actions' % SERVER):
            self.assertFault(self.request('GET', path, token=None),
                             401, 'unauthorized', self.MESSAGE)

    def test_token_without_project_is_401(self):
        for token in ('alice', 'alice:', ':demo'):
            self.assertFault(self.request('GET', '/v2.1/servers',
                                          token=token),
                             401, 'unauthorized', self.MESSAGE)

    def test_401_before_routing(self):
        # Even a path that does not exist asks for a token first.
        self.assertFault(self.request('GET', '/v2.1/flavors', token=None),
                         401, 'unauthorized', self.MESSAGE)

    def test_version_documents_need_no_token(self):
        for path in ('/', '/v2.1', '/v2.1/'):
            response = self.request('GET', path, token=None)
            self.assertEqual(200, response.status_int, path)

    def test_v21_document(self):
        response = self.request('GET', '/v2.1', token=None)
        version = response.json['version']
        self.assertEqual(('v2.1', 'CURRENT', MAX, '2.1'),
                         (version['id'], version['status'],
                          version['version'], version['min_version']))
        self.assertEqual({'rel': 'self', 'href': 'http://localhost/v2.1/'},
                         version['links'][0])

    def test_owner_token_sees_own_server(self):
        response = self.request('GET', '/v2.1/servers/%s' % SERVER)
        self.assertEqual(200, response.status_int)
        self.assertEqual(SERVER, response.json['server']['id'])


class FaultWrapperTest(AppTestCase):

    def test_unexpected_exception_is_500_without_traceback(self):
        self.useFixture(fixtures.MockPatch(
            'crashdump_server.db.api.instance_get',
            side_effect=RuntimeError('secret database detail')))
        response = self.request('GET', '/v2.1/servers/%s' % SERVER,
                                version='2.17')
        request_id = response.headers['x-openstack-request-id']
        self.assertFault(response, 500, 'computeFault',
                         fault.UNEXPECTED % request_id)
        self.assertIn(request_id, response.json['computeFault']['message'])
        self.assertNotIn(b'secret database detail', response.body)
        self.assertNotIn(b'Traceback', response.body)
        self.assertNotIn(b'RuntimeError', response.body)
        self.assertVersionHeaders(response, '2.17')

    def test_error_response_names(self):
        for status, name in ((400, 'badRequest'), (401, 'unauthorized'),
                             (403, 'forbidden'), (404, 'itemNotFound'),
                             (405, 'badMethod'), (409, 'conflictingRequest'),
                             (413, 'overLimit'), (415, 'badMediaType'),
                             (429, 'overLimit'), (501, 'notImplemented'),
                             (503, 'serviceUnavailable'),
                             (406, 'computeFault'), (500, 'computeFault')):
            response = fault.error_response(status, 'why')
            self.assertEqual({name: {'code': status, 'message': 'why'}},
                             response.json)

    def test_error_response_with_headers_keeps_fault_name(self):
        response = fault.error_response(405, 'no', [('Allow', 'GET')])
        self.assertEqual({'badMethod': {'code': 405, 'message': 'no'}},
                         response.json)
        self.assertEqual('GET', response.headers['Allow'])

    def test_crashdump_exception_of_5xx_is_hidden(self):
        response = fault.response_for(
            exception.CrashdumpException('internal detail'), 'req-1')
        self.assertEqual(500, response.status_int)
        self.assertEqual(fault.UNEXPECTED % 'req-1',
                         response.json['computeFault']['message'])


class RouterTest(AppTestCase):

    def test_unknown_path_is_404(self):
        for path in ('/v2.1/flavors', '/v2.1/servers/%s/nothing' % SERVER,
                     '/v2.1/servers/%s/os-instance-actions/a/b' % SERVER,
                     '/v3'):
            response = self.request('GET', path, version='2.17')
            self.assertFault(response, 404, 'itemNotFound',
                             'The resource could not be found.')
            self.assertVersionHeaders(response, '2.17')

    def test_wrong_method_is_405_with_allow(self):
        for method, path, allow in (
                ('DELETE', '/v2.1/servers/%s/action' % SERVER, 'POST'),
                ('GET', '/v2.1/servers/%s/action' % SERVER, 'POST'),
                ('POST', '/v2.1/servers', 'GET'),
                ('PUT', '/v2.1/servers/%s' % SERVER, 'GET')):
            response = self.request(method, path, version='2.17')
            self.assertFault(response, 405, 'badMethod',
                             'The method %s is not allowed for this '
                             'resource.' % method)
            self.assertEqual(allow, response.headers.get('Allow'))
            self.assertVersionHeaders(response, '2.17')

    def test_detail_is_not_a_server_id(self):
        response = self.request('GET', '/v2.1/servers/detail')
        self.assertEqual(200, response.status_int)
        self.assertEqual([SERVER], [s['id'] for s in response.json['servers']])
        self.assertIn('status', response.json['servers'][0])

    def test_trailing_slash_routes_the_same(self):
        response = self.request('GET', '/v2.1/servers/')
        self.assertEqual(200, response.status_int)
        self.assertEqual([SERVER], [s['id'] for s in response.json['servers']])


class ParseTest(testtools.TestCase):
    """microversion.parse on header dicts, without the app."""

    def test_parse(self):
        for headers, expected in (
                ({}, '2.1'),
                ({'OpenStack-API-Version': 'compute 2.17'}, '2.17'),
                ({'OpenStack-API-Version': 'compute latest'}, MAX),
                ({'X-OpenStack-Nova-API-Version': '2.42'}, '2.42'),
                ({'X-OpenStack-Nova-API-Version': 'latest'}, MAX),
                ({'OpenStack-API-Version': 'compute 2.3',
                  'X-OpenStack-Nova-API-Version': '2.99'}, '2.3')):
            self.assertEqual(expected, str(microversion.parse(headers)))

    def test_parse_errors(self):
        self.assertRaises(microversion.InvalidVersionFormat,
                          microversion.parse,
                          {'OpenStack-API-Version': 'compute 2.01'})
        self.assertRaises(microversion.VersionNotSupported,
                          microversion.parse,
                          {'OpenStack-API-Version': 'compute 2.105'})

    def test_response_headers(self):
        version = microversion.parse(
            {'OpenStack-API-Version': 'compute 2.17'})
        self.assertEqual([('OpenStack-API-Version', 'compute 2.17'),
                          ('X-OpenStack-Nova-API-Version', '2.17'),
                          ('Vary', VARY)],
                         microversion.response_headers(version))

    def test_at_least(self):
        version = microversion.parse(
            {'OpenStack-API-Version': 'compute 2.17'})
        self.assertTrue(microversion.at_least(version, '2.17'))
        self.assertTrue(microversion.at_least(version, '2.9'))
        self.assertFalse(microversion.at_least(version, '2.18'))


class CheckAuthStrategyTest(testtools.TestCase):
    """deploy.check_auth_strategy: noauth stays on loopback."""

    def conf(self, host, allow_public=False):
        # The global CONF under a fixture: option groups are shared objects,
        # so overrides on a private ConfigOpts would leak into other tests.
        service.register_opts()
        conf = self.useFixture(config_fixture.Config(CONF)).conf
        conf([], project='crashdump', default_config_files=[])
        conf.set_override('host', host, group='api')
        conf.set_override('allow_noauth_on_public_address', allow_public,
                          group='api')
        return conf

    def test_loopback_hosts_accepted(self):
        for host in ('127.0.0.1', '127.0.0.53', '::1', 'localhost'):
            self.assertIsNone(deploy.check_auth_strategy(self.conf(host)))

    def test_public_hosts_refused(self):
        for host in ('0.0.0.0', '::', '192.0.2.10', 'api.example.com'):
            exc = self.assertRaises(exception.ConfigError,
                                    deploy.check_auth_strategy,
                                    self.conf(host))
            self.assertEqual(
                '[api] auth_strategy = noauth makes anybody who reaches %s '
                'an admin, so crashdump listens with it on loopback only. '
                'Set [api] host = 127.0.0.1, choose another auth_strategy, '
                'or set [api] allow_noauth_on_public_address = true on an '
                'isolated test network.' % host, exc.message)

    def test_public_host_allowed_when_operator_says_so(self):
        self.assertIsNone(deploy.check_auth_strategy(
            self.conf('0.0.0.0', allow_public=True)))

    def test_deploy_refuses_too(self):
        self.assertRaises(exception.ConfigError, deploy.deploy,
                          self.conf('0.0.0.0'))

    def test_is_loopback(self):
        self.assertTrue(auth.is_loopback('127.1.2.3'))
        self.assertTrue(auth.is_loopback('::1'))
        self.assertFalse(auth.is_loopback('10.0.0.1'))
        self.assertFalse(auth.is_loopback('localhost.example'))


class ComputeRequestIdTest(testtools.TestCase):
    """Request ids as oslo.middleware gives them, without a system call
    per id."""

    def test_ids_are_uuid4_and_distinct(self):
        ids = [middleware.new_request_id() for _ in range(10000)]
        self.assertEqual(len(ids), len(set(ids)))
        for request_id in ids[:100]:
            self.assertRegex(request_id, request_id_middleware.ID_FORMAT)
            self.assertEqual(4, uuid.UUID(request_id[4:]).version)

    def test_a_forked_child_draws_other_ids(self):
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.write(writer, ' '.join(
                middleware.new_request_id() for _ in range(5)).encode())
            os._exit(0)
        os.close(writer)
        os.waitpid(pid, 0)
        with os.fdopen(reader) as stream:
            child = set(stream.read().split())
        parent = {middleware.new_request_id() for _ in range(5)}
        self.assertEqual(5, len(child))
        self.assertEqual(set(), child & parent)

    def test_a_child_forked_without_fork_hooks_reseeds(self):
        # uWSGI forks without Python's hooks: the process id tells.
        self.addCleanup(setattr, middleware, '_ids_pid', os.getpid())
        unseeded = random.Random()
        unseeded.setstate(middleware._ids.getstate())
        middleware._ids_pid = -1
        self.assertNotEqual(
            'req-%s' % uuid.UUID(int=unseeded.getrandbits(128), version=4),
            middleware.new_request_id())
        self.assertEqual(os.getpid(), middleware._ids_pid)

    def request(self, **headers):
        seen = {}

        def application(environ, start_response):
            seen.update(environ)
            start_response('204 No Content', [])
            return []
        response = webob.Request.blank('/', headers=headers).get_response(
            middleware.ComputeRequestId(application))
        return seen, response

    def test_answered_in_both_headers(self):
        environ, response = self.request()
        request_id = environ[request_id_middleware.ENV_REQUEST_ID]
        self.assertEqual(request_id,
                         response.headers['x-openstack-request-id'])
        self.assertEqual(request_id,
                         response.headers['x-compute-request-id'])

    def test_global_request_id_only_when_well_formed(self):
        good = 'req-%s' % uuid.uuid4()
        environ, _response = self.request(**{'X-OpenStack-Request-ID': good})
        self.assertEqual(good, environ[request_id_middleware.GLOBAL_REQ_ID])
        for bad in ('req-nope', good.upper(), good + 'x'):
            environ, _response = self.request(
                **{'X-OpenStack-Request-ID': bad})
            self.assertNotIn(request_id_middleware.GLOBAL_REQ_ID, environ)
