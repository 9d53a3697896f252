"""The WSGI middleware every request passes through (composed in deploy).

Authentication and the request context are in :mod:`.auth`.
"""
import time

from oslo_log import log as logging
from oslo_middleware import request_id

from crashdump_server.api import fault
from crashdump_server.api import microversion
from crashdump_server.api import wsgi_wrapper

LOG = logging.getLogger(__name__)


class ComputeRequestId(request_id.RequestId):
    """oslo's request id middleware, also answering x-compute-request-id."""
    compat_headers = ['x-compute-request-id']


class RequestLog:
    """Log one line per request: who, what, the answer, and how long."""

    def __init__(self, application):
        self.application = application

    @wsgi_wrapper.wsgify
    def __call__(self, req):
        started = time.monotonic()
        response = req.get_response(self.application)
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(length)s microversion: %(version)s '
                 'time: %(time).4f',
                 {'remote': req.remote_addr, 'method': req.method,
                  'path': req.path_qs, 'status': response.status_int,
                  'length': response.content_length or 0,
                  'version': req.version or '-',
                  'time': time.monotonic() - started})
        return response


class Microversion:
    """Parse the requested microversion into ``req.version``; echo it on
    every response.

    A malformed version is 400, one outside the served range 406 (see
    :func:`crashdump_server.api.microversion.parse`).
    """

    def __init__(self, application):
        self.application = application

    @wsgi_wrapper.wsgify
    def __call__(self, req):
        if req.path_info == '/':
            # The root version list is not under microversion control.
            return req.get_response(self.application)
        req.version = microversion.parse(req.headers)
        response = req.get_response(self.application)
        for name, value in microversion.response_headers(req.version):
            response.headers[name] = value
        return response


class FaultWrapper:
    """Any unexpected exception below becomes a 500 Nova error response
    without its details (they go to the log with the request id)."""

    def __init__(self, application):
        self.application = application

    @wsgi_wrapper.wsgify
    def __call__(self, req):
        try:
            return req.get_response(self.application)
        except Exception as exc:
            return fault.response_for(exc, req.request_id)
