"""Servers: GET /v2.1/servers, /servers/detail and /servers/{server_id}.

crashdump serves the servers its agents report; these handlers exist so
clients can find a server by name or id, as they do in Nova.
"""
from crashdump_server.api import handler
from crashdump_server.api import middleware
from crashdump_server.api.schemas import servers as schema
from crashdump_server.api import util
from crashdump_server.api.views import servers as views
from crashdump_server import exception

POLICY = 'os_compute_api:servers:%s'


def _truthy(value):
    return str(value).lower() not in ('', '0', 'false', 'f', 'no', 'n',
                                      'off')


def _list(req, is_detail):
    context = middleware.context_from(req)
    conf = req.environ[handler.CONF_KEY]
    params = schema.validate_list_query(req)
    target = {'project_id': context.project_id,
              'user_id': context.user_id}
    context.can(POLICY % ('detail' if is_detail else 'index'), target)
    project_id = context.project_id
    if 'all_tenants' in params and _truthy(params['all_tenants']):
        context.can(POLICY % ('detail:get_all_tenants' if is_detail
                              else 'index:get_all_tenants'), target)
        project_id = params.get('project_id') or params.get('tenant_id')
    limit = min(int(params.get('limit', conf.api.max_limit)),
                conf.api.max_limit)
    try:
        instances = req.environ[handler.COMPUTE_API_KEY].get_all(
            context, project_id=project_id, name=params.get('name'),
            limit=limit, marker=params.get('marker'))
    except exception.MarkerNotFound:
        raise exception.Invalid('marker [%s] not found' % params['marker'])
    render = views.detail if is_detail else views.index
    return util.json_response(render(req, instances, limit))


def list_servers(req):
    """GET /servers: id, name and links of the caller's servers."""
    return _list(req, is_detail=False)


def list_servers_detail(req):
    """GET /servers/detail: the caller's servers, fully represented."""
    return _list(req, is_detail=True)


def show_server(req):
    """GET /servers/{server_id}: one server, or 404."""
    context = middleware.context_from(req)
    instance = req.environ[handler.COMPUTE_API_KEY].get(
        context, req.urlvars['server_id'])
    context.can(POLICY % 'show', {'project_id': instance.project_id,
                                  'user_id': instance.user_id})
    return util.json_response(views.show(req, instance))
