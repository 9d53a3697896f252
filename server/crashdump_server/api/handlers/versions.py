"""Version documents: GET / and GET /v2.1 (no token needed)."""
from crashdump_server.api import microversion
from crashdump_server.api import util

# The link Nova's version documents carry, so clients see the same.
_DOCS = 'http://docs.openstack.org/'
VERSIONS = {
    'v2.0': {
        'id': 'v2.0', 'status': 'DEPRECATED', 'version': '',
        'min_version': '', 'updated': '2025-07-04T12:00:00Z',
        'links': [{'rel': 'describedby', 'type': 'text/html',
                   'href': _DOCS}],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2'}],
    },
    'v2.1': {
        'id': 'v2.1', 'status': 'CURRENT',
        'version': str(microversion.MAX_VERSION),
        'min_version': str(microversion.MIN_VERSION),
        'updated': '2013-07-23T11:33:21Z',
        'links': [{'rel': 'describedby', 'type': 'text/html',
                   'href': _DOCS}],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1'}],
    },
}


def _root_url(req):
    return req.application_url.rstrip('/')


def list_versions(req):
    """GET /: every API version, for clients to negotiate with."""
    root = _root_url(req)
    versions = []
    for key in sorted(VERSIONS):
        version = VERSIONS[key]
        path = 'v2.1' if key == 'v2.1' else 'v2'
        versions.append({
            'id': version['id'], 'status': version['status'],
            'version': version['version'],
            'min_version': version['min_version'],
            'updated': version['updated'],
            'links': [{'rel': 'self', 'href': '%s/%s/' % (root, path)}],
        })
    return util.json_response({'versions': versions})


def show_v21(req):
    """GET /v2.1: the v2.1 version document."""
    # A new top level and links list; the rest is shared with VERSIONS and
    # only read (a deep copy per request cost more than the rest).
    version = VERSIONS['v2.1']
    version = dict(version, links=[
        {'rel': 'self', 'href': _root_url(req) + '/v2.1/'}] + version['links'])
    return util.json_response({'version': version})
