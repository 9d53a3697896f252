"""The API application: middleware composed around the route table.

Read bottom to top for the order a request meets them: request id first,
the request log line, then the microversion, the fault wrapper (every
unexpected error below it becomes a Nova error body that still carries the
version headers), the removal of client-sent identity headers,
authentication (who is asking), the request context
built from what authentication established, and the router.
"""
from crashdump_server.api import auth
from crashdump_server.api import handler
from crashdump_server.api import http_basic
from crashdump_server.api import identity
from crashdump_server.api import keystone
from crashdump_server.api import middleware
from crashdump_server.compute import api as compute_api
from crashdump_server import exception

# [api] auth_strategy -> factory(application, conf) of the WSGI middleware
# that establishes who the caller is (see crashdump_server.api.auth).
AUTH_STRATEGIES = {
    'noauth': auth.NoAuth,
    'keystone': keystone.authenticate,
    'http_basic': http_basic.HTTPBasic,
}


def check_auth_strategy(conf):
    """Refuse noauth on a public address; raises ConfigError."""
    if (conf.api.auth_strategy == 'noauth'
            and not auth.is_loopback(conf.api.host)
            and not conf.api.allow_noauth_on_public_address):
        raise exception.ConfigError(
            reason='[api] auth_strategy = noauth makes anybody who reaches '
                   '%s an admin, so crashdump listens with it on loopback '
                   'only. Set [api] host = 127.0.0.1, choose another '
                   'auth_strategy, or set [api] '
                   'allow_noauth_on_public_address = true on an isolated '
                   'test network.' % conf.api.host)


def deploy(conf):
    """The WSGI application for ``conf``."""
    check_auth_strategy(conf)
    application = handler.Router(conf, compute_api.API(conf))
    application = auth.RequestContextMiddleware(application)
    application = AUTH_STRATEGIES[conf.api.auth_strategy](application, conf)
    application = identity.StripIdentityHeaders(application)
    application = middleware.FaultWrapper(application)
    application = middleware.Microversion(application)
    application = middleware.RequestLog(application)
    application = middleware.Utf8Request(application)
    application = middleware.ContextScope(application)
    application = middleware.ComputeRequestId(application)
    return application
