"""Query string schemas and the validator that applies them as Nova does.

A query string is validated as a dict of lists (``?a=1&a=2`` is
``{'a': ['1', '2']}``), so every parameter schema describes an array.
Schemas are plain jsonschema dicts, kept per resource as a tuple of
``(first microversion, schema)``; :func:`schema_for` picks the one for a
request.

Nova's behaviour, kept here:

* a schema whose ``additionalProperties`` is true accepts unknown
  parameters and then removes them from the request, so nothing later
  (filters, pagination links) sees them; a strict schema rejects them;
* numbers arrive as strings, so ``minimum``/``maximum`` compare the number
  a string spells;
* ``regex`` values must be non-empty and compile; ``date-time`` values
  must parse as ISO 8601;
* the error is the first one jsonschema finds, worded
  "Invalid input for query parameters <name>. Value: <value>. <reason>".
"""
import re

import jsonschema
from oslo_utils import timeutils

from crashdump_server.api import microversion
from crashdump_server import exception


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

_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks('regex')
def _is_regex(value):
    if not isinstance(value, str):
        return True
    if not value:
        # '' compiles, but as a filter it would match everything.
        return False
    try:
        re.compile(value)
    except re.error:
        return False
    return True


@_FORMATS.checks('date-time')
def _is_date_time(value):
    if not isinstance(value, str):
        return True
    try:
        timeutils.parse_isotime(value)
    except ValueError:
        return False
    return True


def _number(value):
    for convert in (int, float):
        try:
            return convert(value)
        except (TypeError, ValueError):
            continue
    return None


def _bound(keyword):
    check = jsonschema.Draft202012Validator.VALIDATORS[keyword]

    def numeric_bound(validator, bound, instance, schema):
        # Query values are strings: compare the number they spell; a
        # non-number is the 'pattern' or 'type' keyword's business.
        number = _number(instance)
        if number is None:
            return None
        return check(validator, bound, number, schema)
    return numeric_bound


_QueryValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {'minimum': _bound('minimum'), 'maximum': _bound('maximum')})


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


def validate_query(req, schema):
    """Check ``req``'s query string against ``schema``.

    Returns the query as a dict of lists, without the parameters a lenient
    schema does not know (they are also removed from ``req.GET``). Raises
    :class:`crashdump_server.exception.ValidationError` with Nova's message.
    """
    try:
        query = req.GET.dict_of_lists()
    except UnicodeDecodeError:
        raise exception.ValidationError(
            detail='Query string is not UTF-8 encoded')
    try:
        _QueryValidator(schema, format_checker=_FORMATS).validate(query)
    except jsonschema.ValidationError as error:
        if error.path:
            detail = ('Invalid input for query parameters %s. Value: %s. %s'
                      % (error.path.popleft(), error.instance, error.message))
        else:
            detail = error.message
        raise exception.ValidationError(detail=detail)
    except TypeError as error:
        raise exception.ValidationError(detail=str(error))
    if schema.get('additionalProperties', True):
        _drop_unknown(req, schema)
    return req.GET.dict_of_lists()


def _drop_unknown(req, schema):
    known = schema.get('properties', {})
    patterns = [re.compile(p) for p in schema.get('patternProperties', {})]
    for name in set(req.GET.keys()):
        if name in known or any(p.match(name) for p in patterns):
            continue
        del req.GET[name]


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
