"""Instance actions: GET /v2.1/servers/{server_id}/os-instance-actions[/id].

This is where users learn what became of a crash dump request: the action
``trigger_crash_dump`` and its event ``compute_trigger_crash_dump``.
"""
from oslo_utils import timeutils

from crashdump_server.api import microversion
from crashdump_server.api.schemas import instance_actions as schema
from crashdump_server.api import schemas
from crashdump_server.api import util
from crashdump_server.api.views import instance_actions as views
from crashdump_server import exception
from crashdump_server.policies import instance_actions as policies


def _instance(req, context):
    # From 2.21 the actions of a server that is gone stay readable.
    read_deleted = microversion.at_least(
        req.version, microversion.ACTIONS_OF_DELETED_SERVERS)
    return req.compute_api.get(
        context, req.urlvars['server_id'], read_deleted=read_deleted)


def _as_time(value):
    return timeutils.normalize_time(timeutils.parse_isotime(value))


def list_instance_actions(req):
    """The server's actions, newest first (paged from 2.58)."""
    context = req.context
    params = schema.validate_list_query(req)
    instance = _instance(req, context)
    context.can(policies.LIST, {'project_id': instance.project_id})
    if not microversion.at_least(req.version, microversion.ACTIONS_PAGED):
        # Before 2.58 the list is not paged: every action, no parameters.
        actions = req.compute_api.get_actions(context, instance)
        return util.json_response(views.index(
            req, actions, None, server_id=req.urlvars['server_id']))
    page = dict(zip(('limit', 'marker'), schemas.limit_and_marker(
        params, req.conf.api.max_limit)))
    if params.get('changes-since'):
        page['changes_since'] = _as_time(params['changes-since'][-1])
    if params.get('changes-before'):
        page['changes_before'] = _as_time(params['changes-before'][-1])
    if ('changes_since' in page and 'changes_before' in page
            and page['changes_since'] > page['changes_before']):
        raise exception.ValidationError(
            detail='The value of changes-since must be less than or equal '
                   'to changes-before.')
    actions = req.compute_api.get_actions(context, instance, **page)
    return util.json_response(views.index(
        req, actions, page['limit'], server_id=req.urlvars['server_id']))


def show_instance_action(req):
    """One action with its events, as far as policy lets the caller see."""
    context = req.context
    schema.validate_show_query(req)
    instance = _instance(req, context)
    context.can(policies.SHOW, {'project_id': instance.project_id})
    action = req.compute_api.get_action(
        context, instance, req.urlvars['request_id'])
    return util.json_response(views.show(req, action, instance))
