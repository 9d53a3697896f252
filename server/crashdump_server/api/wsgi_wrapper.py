"""The request every layer of the API sees, and the decorator that makes it.

Middleware and handlers read what earlier layers established as attributes
of :class:`Request`, never through ``environ`` keys of their own:

* ``req.context``: the :class:`crashdump_server.context.RequestContext`
  (set by :class:`crashdump_server.api.auth.RequestContextMiddleware`;
  None on the public version documents);
* ``req.version``: the request's ``microversion_parse.Version`` (set by
  :class:`crashdump_server.api.middleware.Microversion`; None on ``GET /``);
* ``req.conf`` and ``req.compute_api``: the service's configuration and
  compute API (set by :class:`crashdump_server.api.handler.Router`).

They live in the WSGI environ, so every layer's own Request object sees
what an outer layer set. The environ keys are written here and nowhere
else.

Two ways to build a layer, one error rule. The handlers sit behind the
router's :class:`wsgify`, which builds a request and a response object.
Middleware is plain WSGI, decorated with :func:`middleware`: it reads and
writes the request through :class:`Request` (a thin view of the environ),
passes the environ on, and touches the response only through the
``start_response`` it hands down (:func:`adding_headers`), so a request
meets one response object however many layers it crosses. Both turn the
exceptions that carry an HTTP status into the Nova error response (through
:mod:`crashdump_server.api.fault`).
"""
import functools

from oslo_middleware import request_id as oslo_request_id
import webob
import webob.dec
from webob import request as webob_request

from crashdump_server.api import fault
from crashdump_server import exception


class Request(webob.Request):
    """webob's request with what the API's layers established."""

    context = webob_request.environ_getter('crashdump.context', None)
    version = webob_request.environ_getter('crashdump.microversion', None)
    conf = webob_request.environ_getter('crashdump.conf', None)
    compute_api = webob_request.environ_getter('crashdump.compute_api', None)

    @property
    def request_id(self):
        """The request id oslo's request id middleware gave the request."""
        return self.environ.get(oslo_request_id.ENV_REQUEST_ID)


class wsgify(webob.dec.wsgify):
    """webob's wsgify with :class:`Request`, answering errors as Nova does.

    A :class:`crashdump_server.exception.CrashdumpException` (or a webob
    HTTP exception) raised by the wrapped function becomes its Nova error
    response here; anything else goes up to
    :class:`crashdump_server.api.middleware.FaultWrapper`.
    """

    RequestClass = Request

    def call_func(self, req, *args, **kwargs):
        try:
            return super().call_func(req, *args, **kwargs)
        except (exception.CrashdumpException,
                webob.exc.HTTPException) as exc:
            return fault.response_for(exc, req.request_id)


def middleware(call):
    """Make ``call(self, req, start_response)`` a plain WSGI ``__call__``.

    ``call`` gets the environ as a :class:`Request` and returns what the
    next application returns (``self.application(req.environ,
    start_response)``) or an error; an exception that carries an HTTP
    status becomes its Nova error response, as in :class:`wsgify`.
    """
    @functools.wraps(call)
    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            return call(self, req, start_response)
        except (exception.CrashdumpException,
                webob.exc.HTTPException) as exc:
            response = fault.response_for(exc, req.request_id)
            return response(environ, start_response)
    return __call__


def adding_headers(start_response, headers):
    """A ``start_response`` that sets ``headers`` ((name, value) pairs) on
    the response, in place of any of the same names."""
    names = {name.lower() for name, _value in headers}

    def start(status, response_headers, exc_info=None):
        kept = [header for header in response_headers
                if header[0].lower() not in names]
        return start_response(status, kept + list(headers), exc_info)
    return start
