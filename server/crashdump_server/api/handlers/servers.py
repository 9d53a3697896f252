"""Servers: GET /v2.1/servers, /servers/detail and /servers/{server_id}.

crashdump serves the servers its agents report; these handlers exist so
clients can find a server by name or id, as they do in Nova. Filters on
what crashdump stores (name, status, user_id, host, locked, vm_state) are
applied; the others Nova accepts (image, flavor, ip, tags...) are
validated and ignored, since crashdump keeps no such data.
"""
from oslo_utils import strutils

from crashdump_server.api import microversion
from crashdump_server.api.schemas import servers as schema
from crashdump_server.api import schemas
from crashdump_server.api import util
from crashdump_server.api.views import servers as views
from crashdump_server.compute import status
from crashdump_server import exception
from crashdump_server.policies import servers as policies

# Parameters that shape the page rather than filter it: always kept.
_PAGING = ('limit', 'marker', 'sort_key', 'sort_dir')


def _flag(last, name):
    """A boolean query flag as Nova reads it: present and empty is true."""
    if name not in last:
        return False
    if last[name] == '':
        return True
    try:
        return strutils.bool_from_string(last[name], strict=True)
    except ValueError as exc:
        raise exception.Invalid(str(exc))


def _filters(context, params, version):
    """Exact-match column filters from the last value of each parameter."""
    if not context.can(policies.ALLOW_ALL_FILTERS, fatal=False):
        allowed = set(schema.allowed_filters(version)) | set(_PAGING)
        params = {k: v for k, v in params.items() if k in allowed}
    last = {name: values[-1] for name, values in params.items() if values}
    filters = {}
    if 'status' in params:
        vm_states, _task_states = status.states_for_statuses(
            params['status'])
        filters['vm_state'] = vm_states
    for name in ('user_id', 'host', 'vm_state'):
        if name in last:
            filters[name] = last[name]
    if 'locked' in last:
        filters['locked'] = _flag(last, 'locked')
    return last, filters


def _list(req, is_detail):
    context = req.context
    conf = req.conf
    version = req.version
    params = schema.validate_list_query(req)
    target = {'project_id': context.project_id,
              'user_id': context.user_id}
    context.can(policies.DETAIL if is_detail else policies.INDEX, target)
    last, filters = _filters(context, params, version)
    project_id = context.project_id
    if _flag(last, 'all_tenants'):
        context.can(policies.DETAIL_ALL_TENANTS if is_detail
                    else policies.INDEX_ALL_TENANTS, target)
        project_id = last.get('project_id') or last.get('tenant_id')
    limit, marker = schemas.limit_and_marker(params, conf.api.max_limit)
    try:
        instances = req.compute_api.get_all(
            context, project_id=project_id, name=last.get('name'),
            limit=limit, marker=marker, filters=filters)
    except exception.MarkerNotFound:
        raise exception.Invalid('marker [%s] not found' % marker)
    except exception.InvalidRegularExpression as exc:
        raise exception.ValidationError(
            detail='Invalid regular expression for name: %s'
            % exc.kwargs['reason'])
    if not is_detail:
        return util.json_response(views.index(req, instances, limit))
    return util.json_response(views.detail(
        req, instances, limit,
        host_statuses=_host_statuses(req, context, version, instances)))


def _host_statuses(req, context, version, instances):
    """host -> host_status (2.16+), from the agents' heartbeats."""
    if not microversion.at_least(version, microversion.SERVER_HOST_STATUS):
        return None
    return req.compute_api.host_statuses(
        context, {i.host for i in instances if i.host})


def list_servers(req):
    """GET /servers: id, name and links of the caller's servers."""
    return _list(req, is_detail=False)


def list_servers_detail(req):
    """GET /servers/detail: the caller's servers, fully represented."""
    return _list(req, is_detail=True)


def show_server(req):
    """GET /servers/{server_id}: one server, or 404."""
    context = req.context
    schema.validate_show_query(req)
    instance = req.compute_api.get(
        context, req.urlvars['server_id'])
    context.can(policies.SHOW, {'project_id': instance.project_id,
                                'user_id': instance.user_id})
    version = req.version
    statuses = _host_statuses(req, context, version, [instance]) or {}
    return util.json_response(views.show(
        req, instance, host_status=statuses.get(instance.host)))
