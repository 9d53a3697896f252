"""The WSGI middleware every request passes through (composed in deploy).

Authentication and the request context are in :mod:`.auth`.
"""
import time
import urllib.parse

from oslo_context import context as oslo_context
from oslo_log import log as logging
from oslo_middleware import request_id

from crashdump_server.api import fault
from crashdump_server.api import microversion
from crashdump_server.api import wsgi_wrapper

LOG = logging.getLogger(__name__)


class ComputeRequestId(request_id.RequestId):
    """oslo's request id middleware, also answering x-compute-request-id."""
    compat_headers = ['x-compute-request-id']


class ContextScope:
    """Each request's log lines carry its own identity, or none.

    oslo.context keeps the newest context in a thread-local, and oslo.log
    stamps every line with it. A request refused before authentication
    (401, a bad microversion) builds no context, so its lines would carry
    the previous request's request id, user and project from the same
    worker thread. Here each request starts with a context holding only
    its request id, and leaves none behind.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        oslo_context.RequestContext(
            request_id=environ.get(request_id.ENV_REQUEST_ID),
            global_request_id=environ.get(request_id.GLOBAL_REQ_ID),
            overwrite=True)
        try:
            return self.application(environ, start_response)
        finally:
            # oslo.context has no public way to forget the current one.
            oslo_context._request_store.__dict__.pop('context', None)


class Utf8Request:
    """400 for a path or query string that is not UTF-8 once unquoted
    (``/%ff``): every layer below decodes them, and would fail."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            # PEP 3333 gives the unquoted path as latin-1 text.
            environ.get('PATH_INFO', '').encode('latin-1').decode('utf-8')
            urllib.parse.unquote_to_bytes(
                environ.get('QUERY_STRING', '').replace('+', ' ')
            ).decode('utf-8')
        except UnicodeError:
            response = fault.error_response(
                400, 'The request path or query string is not valid UTF-8.')
            return response(environ, start_response)
        return self.application(environ, start_response)


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
