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

:class:`wsgify` builds these requests and turns the exceptions that carry
an HTTP status into the Nova error response (through
:mod:`crashdump_server.api.fault`), for middleware and handlers alike.
"""
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
