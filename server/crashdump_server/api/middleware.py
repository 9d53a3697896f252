"""The WSGI middleware every request passes through (composed in deploy).

Authentication and the request context are in :mod:`.auth`.
"""
import os
import random
import re
import time
import urllib.parse
import uuid

from oslo_context import context as oslo_context
from oslo_log import log as logging
from oslo_middleware import request_id

from crashdump_server.api import fault
from crashdump_server.api import microversion
from crashdump_server.api import wsgi_wrapper

LOG = logging.getLogger(__name__)


class ComputeRequestId:
    """Give each request its request id, as oslo.middleware's RequestId
    does, and answer it as ``x-openstack-request-id`` and Nova's
    ``x-compute-request-id``.

    A caller's ``X-OpenStack-Request-ID`` of the form ``req-<uuid>``
    becomes the global request id. Plain WSGI: oslo's version builds a
    request and a response object per request.
    """

    HEADERS = ('x-openstack-request-id', 'x-compute-request-id')

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        global_id = environ.get('HTTP_X_OPENSTACK_REQUEST_ID', '')
        if _GLOBAL_REQUEST_ID.match(global_id):
            environ[request_id.GLOBAL_REQ_ID] = global_id
        req_id = new_request_id()
        environ[request_id.ENV_REQUEST_ID] = req_id
        return self.application(environ, wsgi_wrapper.adding_headers(
            start_response, [(name, req_id) for name in self.HEADERS]))


_GLOBAL_REQUEST_ID = re.compile(request_id.ID_FORMAT)

# Request ids name requests; they guard nothing. So they come from a
# generator seeded once per process, not from uuid.uuid4, which asks the
# kernel for randomness per id (a system call that releases the GIL, dear
# on virtual machines). A forked child seeds its own, whatever forked it
# (uWSGI forks without Python's fork hooks): workers must not share ids.
_ids = random.Random()
_ids_pid = os.getpid()


def new_request_id():
    """``req-<uuid4>``, as oslo.context's generate_request_id gives."""
    global _ids_pid
    if _ids_pid != os.getpid():
        _ids.seed()
        _ids_pid = os.getpid()
    return 'req-%s' % uuid.UUID(int=_ids.getrandbits(128), version=4)


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

    def __call__(self, environ, start_response):
        started = time.monotonic()
        answer = []

        def start(status, headers, exc_info=None):
            answer[:] = [status, headers]
            return start_response(status, headers, exc_info)
        result = self.application(environ, start)
        status, headers = answer or ('-', [])
        length = next((value for name, value in headers
                       if name.lower() == 'content-length'), 0)
        req = wsgi_wrapper.Request(environ)
        LOG.info('%(remote)s "%(method)s %(path)s" status: %(status)s '
                 'len: %(length)s microversion: %(version)s '
                 'time: %(time).4f',
                 {'remote': req.remote_addr, 'method': req.method,
                  'path': req.path_qs, 'status': status.split(' ', 1)[0],
                  'length': length, 'version': req.version or '-',
                  'time': time.monotonic() - started})
        return result


class Microversion:
    """Parse the requested microversion into ``req.version``; echo it on
    every response.

    A malformed version is 400, one outside the served range 406 (see
    :func:`crashdump_server.api.microversion.parse`).
    """

    def __init__(self, application):
        self.application = application

    @wsgi_wrapper.middleware
    def __call__(self, req, start_response):
        if req.path_info == '/':
            # The root version list is not under microversion control.
            return self.application(req.environ, start_response)
        req.version = microversion.parse(microversion.request_headers(
            req.environ))
        return self.application(req.environ, wsgi_wrapper.adding_headers(
            start_response, microversion.response_headers(req.version)))


class FaultWrapper:
    """Any unexpected exception below becomes a 500 Nova error response
    without its details (they go to the log with the request id)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            return self.application(environ, start_response)
        except Exception as exc:
            response = fault.response_for(
                exc, environ.get(request_id.ENV_REQUEST_ID))
            return response(environ, start_response)
