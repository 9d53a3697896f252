"""The WSGI middleware every request passes through (composed in deploy)."""
import ipaddress
import time

from oslo_log import log as logging
from oslo_middleware import request_id
import webob.dec

from crashdump_server.api import fault
from crashdump_server.api import microversion
from crashdump_server import context as crashdump_context
from crashdump_server import exception
from crashdump_server import policy

LOG = logging.getLogger(__name__)

CONTEXT_KEY = 'crashdump.context'
# The version documents need no token, as in Nova.
PUBLIC_PATHS = frozenset(['/', '/v2.1', '/v2.1/'])


class ComputeRequestId(request_id.RequestId):
    """oslo's request id middleware, also answering x-compute-request-id."""
    compat_headers = ['x-compute-request-id']


class RequestLog:
    """Log one line per request: who, what, the answer, and how long."""

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        started = time.monotonic()
        response = req.get_response(self.application)
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(length)s microversion: %(version)s '
                 'time: %(time).4f',
                 {'remote': req.remote_addr, 'method': req.method,
                  'path': req.path_qs, 'status': response.status_int,
                  'length': response.content_length or 0,
                  'version': req.environ.get(microversion.ENVIRON_KEY, '-'),
                  'time': time.monotonic() - started})
        return response


class Microversion:
    """Parse the requested microversion; echo it on every response."""

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info == '/':
            # The root version list is not under microversion control.
            return req.get_response(self.application)
        try:
            version = microversion.parse(req.headers)
        except microversion.InvalidVersionFormat as exc:
            return fault.error_response(
                400, 'API Version String %s is of invalid format. Must be of '
                'format MajorNum.MinorNum.' % exc.args[0])
        except microversion.VersionNotSupported as exc:
            # Nova echoes the version it refuses, so the client sees which.
            return fault.error_response(
                406, 'Version %s is not supported by the API. Minimum is %s '
                'and maximum is %s.' % (exc.args[0], microversion.MIN_VERSION,
                                        microversion.MAX_VERSION),
                headers=microversion.response_headers(exc.args[0].strip()))
        req.environ[microversion.ENVIRON_KEY] = version
        response = req.get_response(self.application)
        for name, value in microversion.response_headers(version):
            response.headers[name] = value
        return response


class NoAuth:
    """Trust ``X-Auth-Token: <user>:<project>``; development and demos only.

    User ``admin`` gets the roles admin, member and reader; anybody else
    member and reader. deploy refuses this on a non-loopback address unless
    the operator says otherwise.
    """

    def __init__(self, application):
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info in PUBLIC_PATHS:
            return req.get_response(self.application)
        token = req.headers.get('X-Auth-Token', '')
        user_id, sep, project_id = token.partition(':')
        if not (user_id and sep and project_id):
            raise exception.Unauthorized(
                'Authentication required: send X-Auth-Token: '
                '<user>:<project> (auth_strategy is noauth).')
        roles = ['member', 'reader']
        if user_id == 'admin':
            roles.insert(0, 'admin')
        context = crashdump_context.RequestContext(
            user_id=user_id, project_id=project_id, roles=roles,
            request_id=req.environ.get(request_id.ENV_REQUEST_ID),
            global_request_id=req.environ.get(request_id.GLOBAL_REQ_ID))
        context.is_admin = policy.check_is_admin(context)
        req.environ[CONTEXT_KEY] = context
        return req.get_response(self.application)


def is_loopback(host):
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == 'localhost':
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def context_from(req):
    """The RequestContext the auth middleware put on the request."""
    return req.environ[CONTEXT_KEY]
