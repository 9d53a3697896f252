"""Small helpers the handlers share: JSON in, JSON out."""
from oslo_serialization import jsonutils
import webob

from crashdump_server import exception

_JSON_TYPES = ('application/json', 'application/vnd.openstack.compute+json')


def json_response(body, status=200):
    """A JSON response with ``body`` serialized."""
    response = webob.Response(status=status, content_type='application/json',
                              charset='utf-8')
    response.body = jsonutils.dump_as_bytes(body)
    return response


def empty_response(status=202):
    response = webob.Response(status=status)
    response.content_type = None
    return response


def read_json_body(req, max_size):
    """The request body decoded as JSON.

    A missing or text/plain content type is read as JSON, as Nova does.
    Raises 415 for other content types, 413 for bodies over ``max_size``
    bytes and MalformedRequestBody for anything that is not JSON.
    """
    content_type = req.content_type
    if content_type and content_type != 'text/plain' and (
            content_type not in _JSON_TYPES):
        raise exception.CrashdumpException('Unsupported Content-Type',
                                           code=415)
    if req.content_length is not None and req.content_length > max_size:
        raise exception.CrashdumpException(
            'Request is too large.', code=413)
    raw = req.body_file.read(max_size + 1)
    if len(raw) > max_size:
        raise exception.CrashdumpException('Request is too large.', code=413)
    try:
        return jsonutils.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise exception.MalformedRequestBody()
