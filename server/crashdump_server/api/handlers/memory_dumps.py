"""Host-side memory dumps of a server: crashdump's own resource, not Nova's.

    POST   /v2.1/servers/{server_id}/crashdump-memory-dumps
    GET    /v2.1/servers/{server_id}/crashdump-memory-dumps
    GET    /v2.1/servers/{server_id}/crashdump-memory-dumps/{dump_id}
    GET    /v2.1/servers/{server_id}/crashdump-memory-dumps/{dump_id}/file
    DELETE /v2.1/servers/{server_id}/crashdump-memory-dumps/{dump_id}

The paths carry the ``crashdump-`` prefix so they can never collide with a
future Nova resource, and they answer at any microversion: they are no
part of Nova's versioned API. ``GET /v2.1/crashdump`` advertises them (a
real Nova answers 404 there).
"""
import webob
import webob.static

from crashdump_server.api.schemas import memory_dumps as schema
from crashdump_server.api import util
from crashdump_server.api import validation
from crashdump_server.api.views import memory_dumps as views
from crashdump_server.compute import dump_formats
from crashdump_server.policies import memory_dumps as policies

#: The header that carries a dump's SHA-256 (hex) with its download.
CHECKSUM_HEADER = 'X-Crashdump-SHA256'


class _DumpFileIter(webob.static.FileIter):
    """webob's file iterator (which answers Range requests), reading 1 MiB
    at a time instead of 64 KiB: a dump is gigabytes, and every block is a
    read, a write and a pass through the middleware's iterators."""

    def app_iter_range(self, seek=None, limit=None, block_size=1 << 20):
        return super().app_iter_range(seek, limit, block_size)

    __iter__ = app_iter_range


def _server(req, rule):
    """(the memory dump API, the server) once ``rule`` allows the caller."""
    instance = req.compute_api.get(req.context, req.urlvars['server_id'])
    req.context.can(rule, {'project_id': instance.project_id,
                           'user_id': instance.user_id})
    return req.compute_api.memory_dumps, instance


def _show_host(context):
    # Host names are for administrators, as Nova's OS-EXT-SRV-ATTR:host.
    return context.is_admin


def create_memory_dump(req):
    """Record a dump and ask the server's agent for it; 202 and the dump
    (status ``creating``), with its URL in Location."""
    context = req.context
    body = util.read_json_body(req, req.conf.api.max_request_body_size)
    validation.validate_body(schema.CREATE, body)
    options = body['memory_dump']
    dumps, instance = _server(req, policies.CREATE)
    dump = dumps.create(context, instance,
                        options.get('format', dump_formats.DEFAULT),
                        options.get('trigger_crash_dump', False))
    response = util.json_response(
        views.show(req, dump, _show_host(context)), status=202)
    response.location = views.memory_dump(req, dump, False)['links'][0][
        'href']
    return response


def list_memory_dumps(req):
    """The server's dumps, newest first."""
    context = req.context
    dumps, instance = _server(req, policies.LIST)
    return util.json_response(views.index(
        req, dumps.get_all(context, instance), _show_host(context)))


def show_memory_dump(req):
    context = req.context
    dumps, instance = _server(req, policies.SHOW)
    dump = dumps.get(context, instance, req.urlvars['dump_id'])
    return util.json_response(views.show(req, dump, _show_host(context)))


def delete_memory_dump(req):
    """204; a dump being created is aborted first."""
    context = req.context
    dumps, instance = _server(req, policies.DELETE)
    dumps.delete(context, instance, req.urlvars['dump_id'])
    return util.empty_response(204)


def download_memory_dump(req):
    """The dump's file, streamed; answers Range requests (206) so a broken
    download resumes, with the SHA-256 in a header and as the ETag (so
    If-Range works)."""
    context = req.context
    dumps, instance = _server(req, policies.DOWNLOAD)
    dump, stream = dumps.open(context, instance, req.urlvars['dump_id'])
    response = webob.Response(
        app_iter=_DumpFileIter(stream),
        content_type='application/octet-stream', conditional_response=True)
    response.content_length = dump.size
    response.accept_ranges = 'bytes'
    response.etag = dump.sha256
    response.headers[CHECKSUM_HEADER] = dump.sha256
    response.content_disposition = 'attachment; filename="%s-%s"' % (
        instance.uuid, dump.file_name)
    return response


def show_extensions(req):
    """What crashdump serves beyond Nova's compute API."""
    return util.json_response({'crashdump': {'extensions': [{
        'name': 'memory-dumps',
        'path': '/v2.1/servers/{server_id}/' + views.COLLECTION,
        'formats': list(dump_formats.FORMATS),
        'default_format': dump_formats.DEFAULT,
        'checksum_header': CHECKSUM_HEADER,
    }]}})
