"""A real Keystone (and memcached) for the authentication tests, through
the project's scripts in tools/realparts/keystone.

Starting Keystone costs seconds, so one instance per test process serves
every test class that needs it: :func:`shared` starts it on the first call
(each test class calls it from ``setUpClass``) and stops it, by pid, when
the process exits. Anything that cannot be set up raises
:class:`KeystoneUnusable` with the reason, so the tests fail loudly rather
than skip.

Users (see tools/realparts/keystone/users.py): ``admin`` (system scope, and
admin of projects ``admin`` and ``demo``), ``member`` and ``reader`` of
``demo``, ``other-member`` of ``other``, the service user ``crashdump``.
"""
import atexit
import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request

from tests.functional.ironic import realparts
from tests.lib.process import run_script

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
SCRIPTS = os.path.join(ROOT, 'tools', 'realparts', 'keystone')
VENV = os.environ.get('CRASHDUMP_KEYSTONE_VENV', '/opt/crashdump-keystone')
ADMIN_PASSWORD = 'secret'
SERVICE_USER = 'crashdump'


class KeystoneUnusable(AssertionError):
    """Keystone or memcached could not be started; the message says why."""


def password(user):
    """The test password of ``user``."""
    return ADMIN_PASSWORD if user == 'admin' else user + '-secret'


def script(name, *args, timeout=900):
    """Run tools/realparts/keystone/<name>; its stdout, or KeystoneUnusable.
    """
    return run_script(os.path.join('keystone', name), *args,
                      timeout=timeout, error=KeystoneUnusable)


class Keystone:
    """One Keystone and one memcached on loopback."""

    def __init__(self):
        self.state = tempfile.mkdtemp(prefix='crashdump-keystone-')
        self.port = None
        self.memcached_port = None
        self.projects = {}

    @property
    def url(self):
        """The identity v3 URL (as in the catalog)."""
        return 'http://127.0.0.1:%d/v3' % self.port

    @property
    def auth_url(self):
        return 'http://127.0.0.1:%d' % self.port

    @property
    def memcached_servers(self):
        return '127.0.0.1:%d' % self.memcached_port

    def start(self):
        if os.geteuid() != 0:
            raise KeystoneUnusable('the Keystone tests need root to install '
                                   'memcached (tools/realparts/keystone)')
        script('install.sh')
        self.memcached_port = realparts.free_port()
        script('memcached.sh', 'start', self.state, self.memcached_port)
        self.port = realparts.free_port()
        script('keystone.sh', 'start', self.state, self.port)
        self.projects = {
            name: self.project_id(name)
            for name in ('admin', 'demo', 'other', 'service')}
        return self

    def stop(self):
        for args in (('keystone.sh', 'stop', self.state),
                     ('memcached.sh', 'stop', self.state)):
            try:
                script(*args, timeout=60)
            except KeystoneUnusable:
                pass
        shutil.rmtree(self.state, ignore_errors=True)

    def log(self):
        """Keystone's log so far, for failure reports."""
        try:
            with open(os.path.join(self.state, 'keystone.log')) as stream:
                return stream.read()
        except OSError as exc:
            return 'no Keystone log: %s' % exc

    # -- tokens -------------------------------------------------------------

    def _request(self, method, path, body=None, token=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data,
                                         method=method)
        request.add_header('Content-Type', 'application/json')
        if token:
            request.add_header('X-Auth-Token', token)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                return response.headers, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raise KeystoneUnusable('%s %s: %s %s' % (
                method, path, exc.code, exc.read()[:300]))

    def token(self, user, project=None, system=False):
        """A new token of ``user``: project-scoped, system-scoped or
        unscoped; returns (token, token body)."""
        body = {'auth': {'identity': {
            'methods': ['password'],
            'password': {'user': {'name': user, 'domain': {'id': 'default'},
                                  'password': password(user)}}}}}
        if system:
            body['auth']['scope'] = {'system': {'all': True}}
        elif project:
            body['auth']['scope'] = {'project': {
                'name': project, 'domain': {'id': 'default'}}}
        headers, data = self._request('POST', '/auth/tokens', body)
        return headers['X-Subject-Token'], data['token']

    def admin_token(self):
        return self.token('admin', system=True)[0]

    def project_id(self, name):
        _, data = self._request('GET', '/projects?name=' + name,
                                token=self.admin_token())
        return data['projects'][0]['id']

    def user_id(self, name):
        _, data = self._request('GET', '/users?name=' + name,
                                token=self.admin_token())
        return data['users'][0]['id']

    def revoke(self, token):
        """Revoke ``token`` in Keystone (DELETE /v3/auth/tokens)."""
        self._request('DELETE', '/auth/tokens', token=self.admin_token(),
                      headers={'X-Subject-Token': token})

    def expired_token(self, user, project):
        """A project-scoped token of ``user`` that expired an hour ago,
        signed with this Keystone's fernet keys."""
        result = subprocess.run(
            [os.path.join(VENV, 'bin', 'python'),
             os.path.join(SCRIPTS, 'expired_token.py'),
             os.path.join(self.state, 'keystone.conf'),
             self.user_id(user), self.projects[project]],
            capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise KeystoneUnusable('expired_token.py failed: '
                                   + result.stderr[-2000:])
        return result.stdout.strip()

    # -- crashdump's side -----------------------------------------------------

    def authtoken_options(self, token_cache_time=300):
        """``section.option`` settings for crashdump's auth_token."""
        prefix = 'keystone_authtoken.'
        options = {
            'www_authenticate_uri': self.url,
            'auth_url': self.auth_url,
            'auth_type': 'password',
            'username': SERVICE_USER,
            'password': password(SERVICE_USER),
            'user_domain_id': 'default',
            'project_name': 'service',
            'project_domain_id': 'default',
            'memcached_servers': self.memcached_servers,
            'token_cache_time': token_cache_time,
        }
        return {prefix + key: value for key, value in options.items()}

    def register_crashdump(self, compute_url, service_type='compute'):
        """Put crashdump in the catalog as ``service_type``; the catalog
        then serves ``compute_url`` for every interface."""
        token = self.admin_token()
        _, data = self._request('POST', '/services', {'service': {
            'type': service_type, 'name': 'crashdump',
            'description': 'crashdump compute API'}}, token=token)
        service_id = data['service']['id']
        for interface in ('public', 'internal', 'admin'):
            self._request('POST', '/endpoints', {'endpoint': {
                'service_id': service_id, 'interface': interface,
                'region_id': 'RegionOne', 'url': compute_url}}, token=token)
        return service_id

    def unregister(self, service_id):
        """Remove a service registered by :meth:`register_crashdump`."""
        self._request('DELETE', '/services/' + service_id,
                      token=self.admin_token())


_SHARED = None
_SHARED_LOCK = threading.Lock()


def shared():
    """The process's Keystone, started on the first call."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            keystone = Keystone()
            try:
                keystone.start()
            except BaseException:
                keystone.stop()
                raise
            atexit.register(keystone.stop)
            _SHARED = keystone
    return _SHARED
