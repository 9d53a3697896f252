"""Schema building blocks and helpers the resources' schemas share.

Body and query schemas are plain jsonschema dicts, kept per resource as a
tuple of ``(first microversion, schema)``; :func:`schema_for` picks the one
for a request, and :mod:`crashdump_server.api.validation` applies it.

A query string is validated as a dict of lists (``?a=1&a=2`` is
``{'a': ['1', '2']}``), so every query parameter's schema describes an
array: :func:`multi_params` or :func:`single_param`.
"""
from crashdump_server.api import microversion
from crashdump_server.api import validation


def multi_params(item_schema):
    """A parameter that may be given several times."""
    return {'type': 'array', 'items': item_schema}


def single_param(item_schema):
    """A parameter that may be given at most once."""
    schema = multi_params(item_schema)
    schema['maxItems'] = 1
    return schema


STRING = {'type': 'string'}
REGEX = {'type': 'string', 'format': 'regex'}
DATE_TIME = {'type': 'string', 'format': 'date-time'}
NON_NEGATIVE_INTEGER = {
    'type': ['integer', 'string'],
    'pattern': '^[0-9]*$',
    'minimum': 0,
    'minLength': 1,
}


def schema_for(versioned_schemas, version):
    """The schema of ``((first version, schema), ...)`` that covers
    ``version`` (a microversion_parse.Version); the tuple is in version
    order.
    """
    chosen = None
    for first, schema in versioned_schemas:
        if microversion.at_least(version, first):
            chosen = schema
    return chosen


def validate_query(req, versioned_schemas):
    """Validate ``req``'s query string with the schema of
    ``((first version, schema), ...)`` for the request's version.

    Returns the remaining parameters as a dict of lists; raises
    :class:`crashdump_server.exception.ValidationError` (see
    :func:`crashdump_server.api.validation.validate_query`).
    """
    return validation.validate_query(
        req, schema_for(versioned_schemas, req.version))


def limit_and_marker(params, max_limit):
    """(page size, marker) from validated ``params``, as Nova reads them.

    The page size is the last ``limit`` given, capped at ``max_limit``, or
    ``max_limit`` without one; the marker is the last ``marker`` or None.
    """
    limit = max_limit
    if params.get('limit'):
        limit = min(max_limit, int(params['limit'][-1]))
    marker = params['marker'][-1] if params.get('marker') else None
    return limit, marker
