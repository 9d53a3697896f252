"""Who is asking: authentication strategies, and the one request context.

An authentication strategy only establishes identity. It is WSGI middleware
that, for a caller it accepts, sets the identity headers keystonemiddleware's
``auth_token`` sets (``X-User-Id``, ``X-Project-Id``, ``X-Roles``,
``X-Domain-Id``, ``OpenStack-System-Scope``, ``X-Service-Roles``...) and
answers 401 for a caller it refuses. The client's own identity headers are
gone before any strategy runs (:mod:`crashdump_server.api.identity`).
``deploy.AUTH_STRATEGIES`` names each strategy's factory, called as
``factory(application, conf)``.

Below every strategy, :class:`RequestContextMiddleware` builds the
:class:`crashdump_server.context.RequestContext` from those headers, the
same way for every strategy, and decides ``is_admin`` with the policy rule
``context_is_admin``.
"""
import ipaddress

from oslo_log import log as logging

from crashdump_server.api import wsgi_wrapper
from crashdump_server import context as crashdump_context
from crashdump_server import exception
from crashdump_server import policy

LOG = logging.getLogger(__name__)

# The version documents need no token, as in Nova.
PUBLIC_PATHS = frozenset(['/', '/v2.1', '/v2.1/'])


def is_public(req):
    """True for the paths anybody may read without a token."""
    return req.path_info in PUBLIC_PATHS


class NoAuth:
    """Trust ``X-Auth-Token: <user>:<project>``; development and demos only.

    User ``admin`` gets the roles admin, member and reader; anybody else
    member and reader. deploy refuses this on a non-loopback address unless
    the operator says otherwise.
    """

    MESSAGE = ('Authentication required: send X-Auth-Token: '
               '<user>:<project> (auth_strategy is noauth).')

    def __init__(self, application, conf):
        self.application = application

    @wsgi_wrapper.middleware
    def __call__(self, req, start_response):
        if not is_public(req):
            user_id, sep, project_id = req.environ.get(
                'HTTP_X_AUTH_TOKEN', '').partition(':')
            if not (user_id and sep and project_id):
                raise exception.Unauthorized(self.MESSAGE)
            roles = ['member', 'reader']
            if user_id == 'admin':
                roles.insert(0, 'admin')
            req.environ.update({'HTTP_X_USER_ID': user_id,
                                'HTTP_X_PROJECT_ID': project_id,
                                'HTTP_X_ROLES': ','.join(roles)})
        return self.application(req.environ, start_response)


class RequestContextMiddleware:
    """Build ``req.context`` from the identity headers, for every strategy.

    A request without an identity gets no context on the public paths and
    401 everywhere else (a strategy that let it through is misconfigured).
    """

    def __init__(self, application):
        self.application = application

    @wsgi_wrapper.middleware
    def __call__(self, req, start_response):
        context = crashdump_context.RequestContext.from_environ(req.environ)
        if context.user_id is None:
            if not is_public(req):
                LOG.debug('No identity for %s %s', req.method, req.path)
                raise exception.Unauthorized()
        else:
            context.is_admin = policy.check_is_admin(context)
            req.context = context
        return self.application(req.environ, start_response)


def is_loopback(host):
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
