"""The URLs in representations: self, bookmark and pagination links.

Nova derives them from the request's application URL, which in Nova ends
with the API version (``http://host:8774/v2.1``): ``self`` links keep the
version, ``bookmark`` links drop it, and a ``next`` link repeats the
request's query with the last item as ``marker``. crashdump may be mounted
with or without the version in its script name, so the version root is
found in either place; the resulting URLs are the same as Nova's.
"""
import collections
import re
from urllib import parse

_VERSION_SEGMENT = re.compile(r'^v[0-9]+(\.[0-9]+)?$')
_DEFAULT_VERSION_SEGMENT = 'v2.1'


def url_join(*parts):
    """Join URL parts with single slashes, skipping empty parts."""
    return '/'.join(part.strip('/') for part in parts if part)


def version_root(req):
    """The URL of the API version the request came through, e.g. .../v2.1."""
    app_url = req.application_url.rstrip('/')
    if _VERSION_SEGMENT.match(app_url.rsplit('/', 1)[-1]):
        return app_url
    first = req.path_info.lstrip('/').split('/', 1)[0]
    if _VERSION_SEGMENT.match(first):
        return app_url + '/' + first
    return app_url + '/' + _DEFAULT_VERSION_SEGMENT


def unversioned_root(req):
    """The version root without its version segment: the bookmark base."""
    return version_root(req).rsplit('/', 1)[0]


def _project_segment(req):
    # Links keep the /v2.1/{project_id}/ style of endpoint when the request
    # used it. Nova tests whether the project id occurs anywhere in the URL;
    # with short project names ("demo") that would also fire on a query
    # such as ?name=demo-1, so only a whole path segment counts here. For
    # the UUID project ids of a real cloud both give the same links.
    project_id = getattr(req.context, 'project_id', None)
    segments = (req.script_name + req.path_info).split('/')
    if project_id and project_id in segments:
        return project_id
    return ''


def self_href(req, collection, identifier):
    """Versioned URL of one resource."""
    return url_join(version_root(req), _project_segment(req), collection,
                    str(identifier))


def bookmark_href(req, collection, identifier):
    """Unversioned URL of one resource."""
    return url_join(unversioned_root(req), _project_segment(req), collection,
                    str(identifier))


def resource_links(req, collection, identifier):
    """``[{'rel': 'self', ...}, {'rel': 'bookmark', ...}]`` for a resource."""
    return [
        {'rel': 'self', 'href': self_href(req, collection, identifier)},
        {'rel': 'bookmark',
         'href': bookmark_href(req, collection, identifier)},
    ]


def bookmark_links(req, collection, identifier):
    """``[{'rel': 'bookmark', ...}]``: how images and flavors are linked."""
    return [{'rel': 'bookmark',
             'href': bookmark_href(req, collection, identifier)}]


def next_links(req, collection, page_size, count, last_id):
    """The ``next`` link list when a page came back full, else ``[]``.

    ``page_size`` is the limit the page was read with (the request's
    ``limit`` capped at ``[api] max_limit``, or max_limit itself); a page
    holding exactly that many items may have a successor. ``last_id`` is the
    last item's marker value. The link keeps the request's other query
    parameters (one value each, sorted, as Nova does) and sets ``marker``.
    """
    if not page_size or count != page_size:
        return []
    params = collections.OrderedDict(sorted(req.params.items()))
    params['marker'] = last_id
    url = url_join(version_root(req), _project_segment(req), collection)
    return [{'rel': 'next',
             'href': '%s?%s' % (url, parse.urlencode(params))}]
