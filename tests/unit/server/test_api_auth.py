"""Authentication establishes identity; one middleware builds the context.

The context middleware is tested on its own with keystonemiddleware's
identity headers; noauth and a plugged-in strategy through the whole app.
"""
import fixtures
import testtools
import webob

from crashdump_server.api import auth
from crashdump_server.api import deploy
from crashdump_server.api import identity
from crashdump_server.api import wsgi_wrapper
from crashdump_server import policy
from tests.lib import embedded
from tests.lib import inprocess

OWNED = '11111111-1111-4111-8111-111111111111'
OTHERS = '22222222-2222-4222-8222-222222222222'


class ContextCatcher:
    """The app below the context middleware: remembers ``req.context``."""

    def __init__(self):
        self.context = 'not called'

    @wsgi_wrapper.wsgify
    def __call__(self, req):
        self.context = req.context
        return webob.Response(status=204)


class RequestContextMiddlewareTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        policy.reset()
        self.addCleanup(policy.reset)
        policy.init(use_conf=False)
        self.inner = ContextCatcher()
        self.app = auth.RequestContextMiddleware(self.inner)

    def call(self, path='/v2.1/servers', **headers):
        req = webob.Request.blank(path)
        req.environ['openstack.request_id'] = 'req-1'
        req.headers.update(headers)
        return req.get_response(self.app)

    def test_keystone_identity_headers(self):
        response = self.call(**{
            'X-User-Id': 'u1', 'X-Project-Id': 'p1',
            'X-Roles': 'reader, member', 'X-Domain-Id': 'd1',
            'X-Service-Roles': 'service', 'X-User-Name': 'alice'})
        self.assertEqual(204, response.status_int)
        context = self.inner.context
        self.assertEqual(('u1', 'p1', ['reader', 'member'], 'd1',
                          ['service'], 'alice', 'req-1', False),
                         (context.user_id, context.project_id,
                          context.roles, context.domain_id,
                          context.service_roles, context.user_name,
                          context.request_id, context.is_admin))

    def test_system_scope(self):
        self.call(**{'X-User-Id': 'u1', 'X-Roles': 'admin',
                     'OpenStack-System-Scope': 'all'})
        self.assertEqual('all', self.inner.context.system_scope)
        self.assertIsNone(self.inner.context.project_id)

    def test_is_admin_from_context_is_admin(self):
        self.call(**{'X-User-Id': 'u1', 'X-Project-Id': 'p1',
                     'X-Roles': 'admin'})
        self.assertIs(True, self.inner.context.is_admin)

    def test_is_admin_follows_the_policy_rule(self):
        policy.set_rules({'context_is_admin': 'role:operator'})
        self.call(**{'X-User-Id': 'u1', 'X-Project-Id': 'p1',
                     'X-Roles': 'admin'})
        self.assertIs(False, self.inner.context.is_admin)
        self.call(**{'X-User-Id': 'u1', 'X-Project-Id': 'p1',
                     'X-Roles': 'operator'})
        self.assertIs(True, self.inner.context.is_admin)

    def test_no_identity_is_401(self):
        response = self.call()
        self.assertEqual(401, response.status_int)
        self.assertEqual(
            {'unauthorized': {
                'code': 401,
                'message': 'The request you have made requires '
                           'authentication.'}},
            response.json)
        self.assertEqual('not called', self.inner.context)

    def test_public_paths_pass_without_identity(self):
        for path in ('/', '/v2.1', '/v2.1/'):
            self.assertEqual(204, self.call(path).status_int)
            self.assertIsNone(self.inner.context)


class NoAuthTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(inprocess.InProcessServer([
            embedded.fake_server(OWNED, 'web-1'),
            embedded.fake_server(OTHERS, 'db-1', project_id='other',
                                 user_id='bob')]))

    def server_ids(self, **kwargs):
        response = self.server.request('GET', '/v2.1/servers', **kwargs)
        self.assertEqual(200, response.status_int, response.body)
        return [s['id'] for s in response.json['servers']]

    def test_client_identity_headers_never_pass(self):
        forged = {'X-Roles': 'admin', 'X-Project-Id': 'other',
                  'X-User-Id': 'admin', 'OpenStack-System-Scope': 'all'}
        self.assertEqual([OWNED], self.server_ids(headers=forged))
        # all_tenants needs admin: the forged role did not pass either.
        response = self.server.request('GET', '/v2.1/servers?all_tenants=1',
                                       headers=forged)
        self.assertEqual(403, response.status_int, response.body)

    def test_identity_headers_without_token_are_401(self):
        response = self.server.request(
            'GET', '/v2.1/servers', token=None,
            headers={'X-User-Id': 'admin', 'X-Project-Id': 'admin',
                     'X-Roles': 'admin'})
        self.assertEqual(401, response.status_int)
        self.assertEqual(auth.NoAuth.MESSAGE,
                         response.json['unauthorized']['message'])

    def test_admin_token_is_admin(self):
        response = self.server.request(
            'GET', '/v2.1/servers?all_tenants=1', token='admin:admin')
        self.assertEqual(200, response.status_int, response.body)
        self.assertEqual(sorted([OWNED, OTHERS]),
                         sorted(s['id'] for s in response.json['servers']))


class HeaderStrategy:
    """A strategy as a deployer would plug one in: trusts X-Test-User."""

    def __init__(self, application, conf):
        self.application = application
        self.conf = conf

    @wsgi_wrapper.wsgify
    def __call__(self, req):
        identity.strip(req.environ)
        user = req.headers.get('X-Test-User')
        if user:
            req.headers['X-User-Id'] = user
            req.headers['X-Project-Id'] = 'demo'
            req.headers['X-Roles'] = 'member,reader'
        return req.get_response(self.application)


class StrategyTableTest(testtools.TestCase):
    """A strategy is one entry of deploy.AUTH_STRATEGIES."""

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(
            deploy, 'AUTH_STRATEGIES', {'noauth': HeaderStrategy}))
        self.server = self.useFixture(inprocess.InProcessServer([
            embedded.fake_server(OWNED, 'web-1')]))

    def test_strategy_identity_reaches_the_handlers(self):
        response = self.server.request(
            'POST', '/v2.1/servers/%s/action' % OWNED,
            {'trigger_crash_dump': None}, token=None, version='2.17',
            headers={'X-Test-User': 'carol'})
        self.assertEqual(202, response.status_int, response.body)
        shown = self.server.request(
            'GET', '/v2.1/servers/%s/os-instance-actions/%s' % (
                OWNED, response.headers['x-openstack-request-id']),
            token=None, headers={'X-Test-User': 'carol'})
        self.assertEqual(200, shown.status_int, shown.body)
        action = shown.json['instanceAction']
        self.assertEqual(('carol', 'demo'),
                         (action['user_id'], action['project_id']))

    def test_no_identity_from_the_strategy_is_401(self):
        response = self.server.request('GET', '/v2.1/servers', token=None)
        self.assertEqual(401, response.status_int)
        self.assertEqual(200, self.server.request(
            'GET', '/v2.1', token=None).status_int)
