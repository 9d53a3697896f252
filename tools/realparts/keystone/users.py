"""Create the projects, roles and users crashdump's tests use (idempotent).

Usage: users.py KEYSTONE_V3_URL ADMIN_PASSWORD

Standard library only, so it runs with any Python. What it makes:

* projects ``demo``, ``other`` and ``service``;
* the ``admin`` user (made by ``keystone-manage bootstrap``, which also
  gives it the admin role on the system and on project ``admin``) gets the
  admin role on ``demo`` too, so a project-scoped admin token can be asked
  for the project whose servers the tests use;
* ``member`` (role member on demo), ``reader`` (reader on demo),
  ``other-member`` (member on other);
* ``crashdump``, the service user crashdump's auth_token validates tokens
  with: roles ``service`` and ``admin`` on project ``service``.

Every user but admin has the password ``<name>-secret``.
"""
import json
import sys
import urllib.error
import urllib.request

PROJECTS = ('demo', 'other', 'service')
# user: [(role, project)]
USERS = {
    'admin': [('admin', 'demo')],
    'member': [('member', 'demo')],
    'reader': [('reader', 'demo')],
    'other-member': [('member', 'other')],
    'crashdump': [('service', 'service'), ('admin', 'service')],
}


class Keystone:
    def __init__(self, url, password):
        self.url = url
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': 'admin', 'domain': {'id': 'default'},
                'password': password}}},
            'scope': {'system': {'all': True}}}}
        response = self._call('POST', '/auth/tokens', body, token=None)
        self.token = response.headers['X-Subject-Token']

    def _call(self, method, path, body=None, token=''):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data,
                                         method=method)
        request.add_header('Content-Type', 'application/json')
        if token is not None:
            request.add_header('X-Auth-Token', token or self.token)
        return urllib.request.urlopen(request, timeout=30)

    def call(self, method, path, body=None):
        with self._call(method, path, body) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def ensure(self, collection, name, extra=None):
        """The id of the named entity, created when missing."""
        key = collection.rstrip('s')
        found = self.call('GET', '/%s?name=%s' % (collection, name))
        if found[collection]:
            return found[collection][0]['id']
        entity = dict(name=name, **(extra or {}))
        return self.call('POST', '/' + collection, {key: entity})[key]['id']


def main(url, admin_password):
    keystone = Keystone(url, admin_password)
    default = {'domain_id': 'default'}
    projects = {name: keystone.ensure('projects', name, default)
                for name in PROJECTS}
    roles = {name: keystone.ensure('roles', name)
             for name in ('admin', 'member', 'reader', 'service')}
    for user, grants in USERS.items():
        extra = dict(default, password=user + '-secret')
        if user == 'admin':
            extra = None
        user_id = keystone.ensure('users', user, extra)
        for role, project in grants:
            keystone.call('PUT', '/projects/%s/users/%s/roles/%s' % (
                projects[project], user_id, roles[role]))
    print('projects:', json.dumps(projects))


if __name__ == '__main__':
    try:
        main(*sys.argv[1:3])
    except urllib.error.HTTPError as exc:
        sys.exit('%s %s: %s' % (exc.code, exc.url, exc.read()[:500]))
