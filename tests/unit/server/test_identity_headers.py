"""Client-sent identity headers never reach an auth strategy."""
import testtools
import webob
import webob.headers

from crashdump_server.api import identity

SPOOFED = {
    'X-Identity-Status': 'Confirmed', 'X-Service-Identity-Status': 'Confirmed',
    'X-Roles': 'admin', 'X-Role': 'admin', 'X-Service-Roles': 'service',
    'X-User-Id': 'u', 'X-User-Name': 'u', 'X-User-Domain-Id': 'd',
    'X-User-Domain-Name': 'd', 'X-User': 'u', 'X-Project-Id': 'p',
    'X-Project-Name': 'p', 'X-Project-Domain-Id': 'd',
    'X-Project-Domain-Name': 'd', 'X-Domain-Id': 'd', 'X-Domain-Name': 'd',
    'X-Tenant-Id': 't', 'X-Tenant-Name': 't', 'X-Tenant': 't',
    'X-Service-User-Id': 's', 'X-Service-Project-Id': 's',
    'X-Service-Catalog': '[]', 'X-Is-Admin-Project': 'True',
    'X-System-Scope': 'all', 'OpenStack-System-Scope': 'all',
    'X-Trust-Id': 't', 'X-Trustor-Id': 't', 'X-Trustee-Id': 't',
    'X-Application-Credential-Id': 'a',
}
KEPT = {'X-Auth-Token': 'tok', 'X-Service-Token': 'svc',
        'X-OpenStack-Request-Id': 'req-1', 'User-Agent': 'ua',
        'X-OpenStack-Nova-API-Version': '2.1', 'Authorization': 'Basic x'}


class StripTest(testtools.TestCase):

    def test_every_identity_header_is_removed_and_others_kept(self):
        seen = []

        @webob.dec.wsgify
        def application(req):
            seen.append(webob.headers.EnvironHeaders(dict(req.environ)))
            return webob.Response()

        headers = dict(SPOOFED, **KEPT)
        webob.Request.blank('/v2.1/servers', headers=headers).get_response(
            identity.StripIdentityHeaders(application))
        for name in SPOOFED:
            self.assertNotIn(name, seen[0])
        for name, value in KEPT.items():
            self.assertEqual(value, seen[0][name])

    def test_strip_names_what_it_removed(self):
        environ = {'HTTP_X_ROLES': 'admin', 'HTTP_HOST': 'h'}
        self.assertEqual(['HTTP_X_ROLES'], identity.strip(environ))
        self.assertEqual({'HTTP_HOST': 'h'}, environ)

    def test_confirm_sets_what_oslo_context_reads(self):
        from oslo_context import context
        environ = {}
        identity.confirm(environ, 'alice', 'alice', 'demo',
                         ['member', 'reader'])
        ctx = context.RequestContext.from_environ(environ)
        self.assertEqual('alice', ctx.user_id)
        self.assertEqual('demo', ctx.project_id)
        self.assertEqual(['member', 'reader'], ctx.roles)
