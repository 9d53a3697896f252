"""The representation of a memory dump (crashdump's own resource)."""
from crashdump_server.api.views import formats
from crashdump_server.api.views import links

COLLECTION = 'crashdump-memory-dumps'


def _href(req, dump):
    collection = 'servers/%s/%s' % (dump.instance_uuid, COLLECTION)
    return links.self_href(req, collection, dump.uuid)


def memory_dump(req, dump, show_host):
    """One dump as a dict; the host's name only for ``show_host``."""
    href = _href(req, dump)
    body = {
        'id': dump.uuid,
        'server_id': dump.instance_uuid,
        'status': dump.status,
        'format': dump.format,
        'progress': dump.progress,
        'size': dump.size,
        'sha256': dump.sha256,
        'request_id': dump.request_id,
        'user_id': dump.user_id,
        'created_at': formats.strtime(dump.created_at),
        'updated_at': formats.strtime(dump.updated_at),
        'finished_at': formats.strtime(dump.finished_at),
        'error': dump.error,
        'trigger_crash_dump': dump.trigger_after,
        'trigger_crash_dump_result': dump.trigger_result,
        'links': [{'rel': 'self', 'href': href},
                  {'rel': 'download', 'href': href + '/file'}],
    }
    if show_host:
        body['host'] = dump.host
    return body


def show(req, dump, show_host):
    return {'memory_dump': memory_dump(req, dump, show_host)}


def index(req, dumps, show_host):
    return {'memory_dumps': [memory_dump(req, dump, show_host)
                             for dump in dumps]}
