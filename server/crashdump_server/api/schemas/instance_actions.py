"""Query schemas of GET /servers/{id}/os-instance-actions[/{request_id}].

Nova 34's: before 2.58 the list takes no parameters (anything given is
dropped); 2.58 adds ``limit``, ``marker`` and ``changes-since``, each at
most once, and rejects anything else; 2.66 adds ``changes-before``. Showing
one action takes no parameters; from 2.102 giving one is an error.

After validation the handler answers 400 "The value of changes-since must
be less than or equal to changes-before." when both are given out of
order, as Nova does.
"""
import copy

from crashdump_server.api import microversion
from crashdump_server.api import schemas

_DT = schemas.single_param(schemas.DATE_TIME)

LIST_V21 = {'type': 'object', 'properties': {}, 'additionalProperties': True}
LIST_V258 = {
    'type': 'object',
    'properties': {
        'limit': schemas.single_param(schemas.NON_NEGATIVE_INTEGER),
        'marker': schemas.single_param(schemas.STRING),
        'changes-since': _DT,
    },
    'additionalProperties': False,
}
LIST_V266 = copy.deepcopy(LIST_V258)
LIST_V266['properties']['changes-before'] = _DT

LIST_QUERY = ((microversion.MIN_VERSION, LIST_V21),
              (microversion.ACTIONS_PAGED, LIST_V258),
              (microversion.CHANGES_BEFORE, LIST_V266))

SHOW_V21 = {'type': 'object', 'properties': {}, 'additionalProperties': True}
SHOW_V2102 = {'type': 'object', 'properties': {},
              'additionalProperties': False}
SHOW_QUERY = ((microversion.MIN_VERSION, SHOW_V21),
              (microversion.SHOW_QUERY_STRICT, SHOW_V2102))


def validate_list_query(req):
    """Validate the action list's query string for the request's version.

    Returns the parameters as a dict of lists (empty before 2.58). Raises
    :class:`crashdump_server.exception.ValidationError`.
    """
    return schemas.validate_query(req, LIST_QUERY)


def validate_show_query(req):
    """Validate one action's query string. Returns the remaining
    parameters; raises :class:`crashdump_server.exception.ValidationError`.
    """
    return schemas.validate_query(req, SHOW_QUERY)
