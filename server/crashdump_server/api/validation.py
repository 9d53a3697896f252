"""The one JSON-schema validator, for request bodies and query strings.

As Nova's ``api/validation/validators.py``:

* ``minimum``/``maximum`` compare the number a string spells, since query
  values (and some body values) arrive as strings; a non-number is the
  ``pattern`` or ``type`` keyword's business;
* ``regex`` values must be non-empty and compile; ``date-time`` values
  must parse as ISO 8601;
* the error is the first one jsonschema finds, worded
  "Invalid input for field/attribute <name>. Value: <value>. <reason>" for
  a body and "Invalid input for query parameters <name>. ..." for a query.

Schemas are module constants; each is checked and gets its validator once,
on first use.
"""
import re

import jsonschema
from oslo_utils import timeutils

from crashdump_server import exception

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
        number = _number(instance)
        if number is None:
            return None
        return check(validator, bound, number, schema)
    return numeric_bound


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {'minimum': _bound('minimum'), 'maximum': _bound('maximum')})

# id(schema) -> (schema, validator); keeping the schema keeps its id unique.
_VALIDATORS = {}


def _validator(schema):
    entry = _VALIDATORS.get(id(schema))
    if entry is None:
        _Validator.check_schema(schema)
        entry = _VALIDATORS[id(schema)] = (
            schema, _Validator(schema, format_checker=_FORMATS))
    return entry[1]


def _validate(schema, value, what, name_of):
    try:
        _validator(schema).validate(value)
    except jsonschema.ValidationError as error:
        if error.path:
            detail = 'Invalid input for %s %s. Value: %s. %s' % (
                what, name_of(error.path), error.instance, error.message)
        else:
            detail = error.message
        raise exception.ValidationError(detail=detail)
    except TypeError as error:
        # A non-string name against patternProperties.
        raise exception.ValidationError(detail=str(error))


def validate_body(schema, body):
    """Check a decoded request body; raises ValidationError.

    The message names the innermost attribute that failed, as Nova's does.
    """
    _validate(schema, body, 'field/attribute', lambda path: path[-1])


def validate_query(req, schema):
    """Check ``req``'s query string against ``schema``.

    The query is validated as a dict of lists (``?a=1&a=2`` is
    ``{'a': ['1', '2']}``), so every parameter's schema describes an array.
    A schema whose ``additionalProperties`` is true accepts unknown
    parameters and then removes them from the request (also from
    ``req.GET``), so nothing later (filters, pagination links) sees them; a
    strict schema rejects them.

    Returns the remaining query as a dict of lists. Raises
    :class:`crashdump_server.exception.ValidationError`.
    """
    try:
        query = req.GET.dict_of_lists()
    except UnicodeDecodeError:
        raise exception.ValidationError(
            detail='Query string is not UTF-8 encoded')
    # The path is (name, index in the list): the name is the parameter.
    _validate(schema, query, 'query parameters', lambda path: path[0])
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
