"""The stand-in for keystonemiddleware in front of the real Nova API.

Nova 32+ has no ``noauth2``; its own functional tests stub keystonemiddleware
out and build the request context from test-only headers. This harness
instead puts :class:`TokenAuth` where ``authtoken`` sits in Nova's paste
pipeline, so the rest of the pipeline (``NovaKeystoneContext``,
``RequestContext.from_environ``, the policies) runs unchanged and any HTTP
client authenticates the usual way, with ``X-Auth-Token``.

Tokens follow crashdump's noauth convention, ``<user_id>:<project_id>``;
the user ``admin`` has the roles admin, member and reader, every other user
member and reader. This module imports nothing from Nova.
"""
import json

#: What keystonemiddleware sets after validating a token; a client must
#: not be able to send them itself.
IDENTITY_HEADERS = (
    'X-Identity-Status', 'X-Service-Identity-Status', 'X-User-Id',
    'X-User-Name', 'X-User-Domain-Id', 'X-User-Domain-Name',
    'X-Project-Id', 'X-Project-Name', 'X-Project-Domain-Id',
    'X-Project-Domain-Name', 'X-Roles', 'X-Service-Roles',
    'X-Is-Admin-Project', 'X-Service-Catalog', 'X-Auth-User',
    'X-Auth-Project-Id',
)
ADMIN_USER = 'admin'


def identity(token):
    """``(user_id, project_id, roles)`` for a token, or None if invalid."""
    user, sep, project = (token or '').partition(':')
    if not (sep and user and project) or ':' in project:
        return None
    roles = ['reader', 'member']
    if user == ADMIN_USER:
        roles.append('admin')
    return user, project, roles


def _environ_key(header):
    return 'HTTP_' + header.upper().replace('-', '_')


class TokenAuth:
    """WSGI middleware: a valid token becomes Keystone's identity headers;
    a missing or malformed one is answered 401 as keystonemiddleware does.
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        for header in IDENTITY_HEADERS:
            environ.pop(_environ_key(header), None)
        found = identity(environ.get('HTTP_X_AUTH_TOKEN'))
        if found is None:
            return self._unauthorized(environ, start_response)
        user, project, roles = found
        environ.update({
            _environ_key('X-Identity-Status'): 'Confirmed',
            _environ_key('X-User-Id'): user,
            _environ_key('X-User-Name'): user,
            _environ_key('X-User-Domain-Id'): 'default',
            _environ_key('X-Project-Id'): project,
            _environ_key('X-Project-Name'): project,
            _environ_key('X-Project-Domain-Id'): 'default',
            _environ_key('X-Roles'): ','.join(roles),
        })
        return self.app(environ, start_response)

    @staticmethod
    def _unauthorized(environ, start_response):
        body = json.dumps({'error': {
            'code': 401, 'title': 'Unauthorized',
            'message': 'The request you have made requires '
                       'authentication.'}}).encode()
        start_response('401 Unauthorized', [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(body))),
            ('WWW-Authenticate', 'Keystone uri="http://127.0.0.1/identity"'),
        ])
        return [body]


def filter_factory(global_conf, **local_conf):
    """Paste filter factory with the signature of keystonemiddleware's."""
    return TokenAuth
