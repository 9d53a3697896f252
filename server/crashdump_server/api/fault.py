"""Errors in the Nova error format: ``{"<faultName>": {"code", "message"}}``.

This is the one place where an error body is written. The API's
:class:`~crashdump_server.api.wsgi_wrapper.wsgify` calls
:func:`response_for` for the exceptions that carry their status (a
handler's 404, the router's 404 and 405, the microversion middleware's 400
and 406, authentication's 401), and
:class:`~crashdump_server.api.middleware.FaultWrapper` for anything
unexpected, which becomes a 500 without details.
"""
from oslo_log import log as logging
from oslo_serialization import jsonutils
import webob
import webob.exc

from crashdump_server import exception

LOG = logging.getLogger(__name__)

FAULT_NAMES = {
    400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
    404: 'itemNotFound', 405: 'badMethod', 409: 'conflictingRequest',
    413: 'overLimit', 415: 'badMediaType', 429: 'overLimit',
    501: 'notImplemented', 503: 'serviceUnavailable',
}

UNEXPECTED = ('Unexpected API Error. Please report this to the operators of '
              'this cloud with the request id %s and attach the crashdump '
              'API log if possible.')


def error_response(status, message, headers=None):
    """A response with the Nova error body for ``status``."""
    name = FAULT_NAMES.get(status, 'computeFault')
    response = webob.Response(status=status,
                              content_type='application/json',
                              charset='utf-8')
    for header, value in headers or ():
        response.headers[header] = value
    response.body = jsonutils.dump_as_bytes(
        {name: {'code': status, 'message': message}})
    return response


def response_for(exc, request_id):
    """The error response for any exception; logs the unexpected ones."""
    if isinstance(exc, exception.CrashdumpException) and exc.code != 500:
        return error_response(exc.code, exc.message, exc.headers)
    if isinstance(exc, webob.exc.HTTPException) and exc.code < 500:
        headers = [('Allow', exc.headers['Allow'])] if 'Allow' in (
            exc.headers or {}) else None
        return error_response(exc.code, exc.explanation or exc.title,
                              headers)
    LOG.exception('Unexpected error handling request %s', request_id)
    return error_response(500, UNEXPECTED % request_id)
