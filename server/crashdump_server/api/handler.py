"""The route table: every path and method crashdump serves, in one place.

Paths carry no regular expressions; ``{name}`` matches one path segment and
lands in ``req.urlvars``. So a missing server is its handler's own 404, with
its own message.

The matcher is written here rather than taken from ``routes`` (which
Placement uses): for eight routes it is twenty lines that put literal
segments ahead of parameters (``/servers/detail`` is not a server) and
answer 405 with ``Allow`` from the same table, where ``routes`` would add
a dependency, regular expressions per route and a separate 405 handler.
"""
from crashdump_server.api.handlers import instance_actions
from crashdump_server.api.handlers import memory_dumps
from crashdump_server.api.handlers import server_actions
from crashdump_server.api.handlers import servers
from crashdump_server.api.handlers import versions
from crashdump_server.api import wsgi_wrapper
from crashdump_server import exception

ROUTE_DECLARATIONS = {
    '/': {'GET': versions.list_versions},
    '/v2.1': {'GET': versions.show_v21},
    '/v2.1/servers': {'GET': servers.list_servers},
    '/v2.1/servers/detail': {'GET': servers.list_servers_detail},
    '/v2.1/servers/{server_id}': {'GET': servers.show_server},
    '/v2.1/servers/{server_id}/action': {'POST': server_actions.post_action},
    '/v2.1/servers/{server_id}/os-instance-actions': {
        'GET': instance_actions.list_instance_actions},
    '/v2.1/servers/{server_id}/os-instance-actions/{request_id}': {
        'GET': instance_actions.show_instance_action},
    # crashdump's own resources (see api/handlers/memory_dumps.py).
    '/v2.1/crashdump': {'GET': memory_dumps.show_extensions},
    '/v2.1/servers/{server_id}/crashdump-memory-dumps': {
        'GET': memory_dumps.list_memory_dumps,
        'POST': memory_dumps.create_memory_dump},
    '/v2.1/servers/{server_id}/crashdump-memory-dumps/{dump_id}': {
        'GET': memory_dumps.show_memory_dump,
        'DELETE': memory_dumps.delete_memory_dump},
    '/v2.1/servers/{server_id}/crashdump-memory-dumps/{dump_id}/file': {
        'GET': memory_dumps.download_memory_dump},
}


def _compile(declarations):
    routes = []
    for path, methods in declarations.items():
        segments = tuple(s for s in path.split('/') if s)
        routes.append((segments, methods))
    # Literal segments win over parameters: /servers/detail is not a server.
    routes.sort(key=lambda route: [s.startswith('{') for s in route[0]])
    return routes


_ROUTES = _compile(ROUTE_DECLARATIONS)


def _match(path):
    parts = tuple(s for s in path.split('/') if s)
    for segments, methods in _ROUTES:
        if len(segments) != len(parts):
            continue
        urlvars = {}
        for segment, part in zip(segments, parts):
            if segment.startswith('{'):
                urlvars[segment[1:-1]] = part
            elif segment != part:
                break
        else:
            return methods, urlvars
    return None, None


class Router:
    """The innermost WSGI app: finds and calls the handler of a request.

    Handlers get the service's configuration and compute API as
    ``req.conf`` and ``req.compute_api``.
    """

    def __init__(self, conf, compute_api):
        self.conf = conf
        self.compute_api = compute_api

    @wsgi_wrapper.wsgify
    def __call__(self, req):
        req.conf = self.conf
        req.compute_api = self.compute_api
        return dispatch(req)


def dispatch(req):
    """Call the handler for the request's path and method.

    Raises NotFound for a path no route declares, MethodNotAllowed (with
    ``Allow``) for a method its route does not.
    """
    methods, urlvars = _match(req.path_info)
    if methods is None:
        raise exception.NotFound()
    handler = methods.get(req.method)
    if handler is None:
        raise exception.MethodNotAllowed(
            method=req.method, headers=[('Allow', ', '.join(sorted(methods)))])
    req.urlvars = urlvars
    return handler(req)
