"""The keystone strategy's own part: the 401 below auth_token, and the
pipeline deploy builds for each strategy."""
import json

from oslo_config import cfg
import testtools
import webob
import webob.dec

from crashdump_server.api import deploy
from crashdump_server.api import keystone
from crashdump_server import conf as crashdump_conf  # noqa: F401
from crashdump_server import exception


def respond(req):
    return webob.Response(status=200)


class RequireIdentityTest(testtools.TestCase):

    def call(self, path='/v2.1/servers', **headers):
        app = keystone.RequireIdentity(webob.dec.wsgify(respond))
        return webob.Request.blank(path, headers=headers).get_response(app)

    def test_confirmed_passes(self):
        self.assertEqual(200, self.call(
            **{'X-Identity-Status': 'Confirmed'}).status_int)

    def test_invalid_or_missing_identity_is_401_in_nova_format(self):
        for headers in ({}, {'X-Identity-Status': 'Invalid'}):
            response = self.call(**headers)
            self.assertEqual(401, response.status_int)
            self.assertEqual(
                {'unauthorized': {
                    'code': 401, 'message': 'The request you have made '
                                            'requires authentication.'}},
                json.loads(response.body))

    def test_invalid_service_token_is_401(self):
        self.assertEqual(401, self.call(**{
            'X-Identity-Status': 'Confirmed',
            'X-Service-Identity-Status': 'Invalid'}).status_int)

    def test_version_documents_need_no_token(self):
        for path in ('/', '/v2.1', '/v2.1/'):
            self.assertEqual(200, self.call(path).status_int, path)


class StrategyStartupTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.CONF
        self.addCleanup(self.conf.reset)

    def test_keystone_and_http_basic_may_listen_anywhere(self):
        for strategy in ('keystone', 'http_basic'):
            self.conf.set_override('auth_strategy', strategy, 'api')
            self.conf.set_override('host', '0.0.0.0', 'api')
            deploy.check_auth_strategy(self.conf)
        self.conf.clear_override('auth_strategy', 'api')
        self.conf.clear_override('host', 'api')

    def test_noauth_stays_loopback_only(self):
        self.conf.set_override('auth_strategy', 'noauth', 'api')
        self.conf.set_override('host', '0.0.0.0', 'api')
        self.addCleanup(self.conf.clear_override, 'auth_strategy', 'api')
        self.addCleanup(self.conf.clear_override, 'host', 'api')
        self.assertRaises(exception.ConfigError,
                          deploy.check_auth_strategy, self.conf)

    def test_http_basic_without_its_files_says_so(self):
        self.conf.set_override('user_file', '/nonexistent/htpasswd',
                               'http_basic')
        self.addCleanup(self.conf.clear_override, 'user_file', 'http_basic')
        exc = self.assertRaises(
            exception.ConfigError, deploy.AUTH_STRATEGIES['http_basic'],
            webob.dec.wsgify(respond), self.conf)
        self.assertIn('cannot read /nonexistent/htpasswd', str(exc))
