"""Keystone authentication (``[api] auth_strategy = keystone``).

keystonemiddleware's ``auth_token``, configured from
``[keystone_authtoken]`` like every OpenStack service, validates the
token and sets the identity headers. It runs with ``delay_auth_decision``
so that the refusal is crashdump's own: a 401 in Nova's error body, to
which auth_token adds ``WWW-Authenticate: Keystone uri="..."``, and the
version documents served without a token, as in Nova.
"""
from keystonemiddleware import auth_token

from crashdump_server.api import auth
from crashdump_server.api import wsgi_wrapper
from crashdump_server import exception

CONFIRMED = 'Confirmed'


class RequireIdentity:
    """Answer 401 unless auth_token confirmed the caller (and the service
    token, when one was sent); the public paths need no token."""

    def __init__(self, application):
        self.application = application

    @wsgi_wrapper.middleware
    def __call__(self, req, start_response):
        if not auth.is_public(req):
            user = req.headers.get('X-Identity-Status')
            service = req.headers.get('X-Service-Identity-Status',
                                      CONFIRMED)
            if user != CONFIRMED or service != CONFIRMED:
                raise exception.Unauthorized()
        return self.application(req.environ, start_response)


def authenticate(application, conf):
    """``application`` behind auth_token, configured from ``conf``."""
    application = RequireIdentity(application)
    return auth_token.AuthProtocol(application, {
        'oslo_config_config': conf,
        'delay_auth_decision': True,
    })
