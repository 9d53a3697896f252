"""HTTP basic authentication for standalone sites (``auth_strategy =
http_basic``).

Passwords come from an htpasswd file with bcrypt hashes, as in Ironic's
standalone mode. Basic auth carries no project and no roles, so a YAML
mapping file gives each user both::

    alice:
      project: demo
      roles: [member, reader]
    ops:
      project: admin
      roles: [admin, member, reader]

Both files are re-read when they change. A confirmed user leaves here
with the identity headers auth_token would have set
(:func:`crashdump_server.api.identity.confirm`).
"""
import base64
import binascii
import hashlib
import hmac
import os
import secrets
import threading
import time

import bcrypt
from oslo_log import log as logging
import yaml

from crashdump_server.api import auth
from crashdump_server.api import identity
from crashdump_server.api import wsgi_wrapper
from crashdump_server import exception

LOG = logging.getLogger(__name__)

# How often the files' modification times are looked at.
RELOAD_INTERVAL = 1.0
# Most remembered passwords; beyond it the oldest are forgotten.
CACHE_SIZE = 4096


class WatchedFile:
    """A file parsed by ``parse(text, path)``, re-read when it changes.

    A file that cannot be read or parsed raises ConfigError on the first
    load; later, the last good content is kept and the error logged, so a
    half-written file does not lock every user out.
    """

    def __init__(self, path, parse):
        self.path = path
        self.parse = parse
        self._lock = threading.Lock()
        self._stamp = None
        self._checked = float('-inf')
        self.content = self._load()

    def _read(self):
        try:
            stat = os.stat(self.path)
            with open(self.path, encoding='utf-8') as stream:
                text = stream.read()
        except OSError as exc:
            raise exception.ConfigError(
                reason='cannot read %s: %s' % (self.path, exc.strerror))
        return (stat.st_mtime_ns, stat.st_size), self.parse(text, self.path)

    def _load(self):
        self._stamp, content = self._read()
        self._checked = time.monotonic()
        return content

    def get(self):
        """The parsed content, re-read first if the file changed."""
        now = time.monotonic()
        if now - self._checked < RELOAD_INTERVAL:
            return self.content
        with self._lock:
            self._checked = now
            try:
                stat = os.stat(self.path)
                if (stat.st_mtime_ns, stat.st_size) != self._stamp:
                    self._stamp, self.content = self._read()
                    LOG.info('Re-read %s', self.path)
            except (OSError, exception.ConfigError) as exc:
                LOG.error('Keeping the last good content of %s: %s',
                          self.path, exc)
        return self.content


def parse_htpasswd(text, path):
    """``{user: bcrypt hash bytes}``; raises ConfigError on other hashes."""
    users = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        user, sep, hashed = line.partition(':')
        if not (user and sep) or not hashed.startswith(('$2y$', '$2b$',
                                                        '$2a$')):
            raise exception.ConfigError(
                reason='%s line %d: expected "user:bcrypt-hash" (write it '
                       'with "htpasswd -B"); only bcrypt hashes are '
                       'accepted.' % (path, number))
        users[user] = hashed.encode()
    return users


def parse_mapping(text, path):
    """``{user: (project, [roles])}``; raises ConfigError when malformed."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise exception.ConfigError(reason='%s is not YAML: %s' % (path, exc))
    if not isinstance(data, dict):
        raise exception.ConfigError(
            reason='%s must map user names to {project: ..., roles: '
                   '[...]}' % path)
    mapping = {}
    for user, entry in data.items():
        project = entry.get('project') if isinstance(entry, dict) else None
        roles = entry.get('roles') if isinstance(entry, dict) else None
        if (not isinstance(project, str) or not project
                or not isinstance(roles, list) or not roles
                or not all(isinstance(r, str) and r for r in roles)):
            raise exception.ConfigError(
                reason='%s: user %s needs "project: <project id>" and '
                       '"roles: [<role>, ...]"' % (path, user))
        mapping[str(user)] = (project, roles)
    return mapping


class PasswordCache:
    """Passwords that passed bcrypt, as keyed digests, for ``ttl`` s.

    The key is random per process, so the digests are worthless outside
    it; an entry counts only for the hash it was checked against, so a
    changed password in the htpasswd file takes effect at once.
    """

    def __init__(self, ttl):
        self.ttl = ttl
        self._key = secrets.token_bytes(32)
        self._entries = {}
        self._lock = threading.Lock()

    def _digest(self, user, password, hashed):
        message = b'\0'.join([user.encode(), hashed, password])
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def check(self, user, password, hashed):
        """True when ``password`` matches ``hashed`` (bcrypt, cached)."""
        digest = self._digest(user, password, hashed)
        now = time.monotonic()
        with self._lock:
            expiry = self._entries.get(digest)
        if expiry is not None and expiry > now:
            return True
        try:
            valid = bcrypt.checkpw(password, hashed)
        except ValueError:
            # A malformed hash in the file matches no password.
            LOG.error('The htpasswd hash of user %s is not valid bcrypt',
                      user)
            valid = False
        if valid and self.ttl:
            with self._lock:
                if len(self._entries) >= CACHE_SIZE:
                    self._entries.clear()
                self._entries[digest] = now + self.ttl
        return valid


def parse_authorization(header):
    """``(user, password bytes)`` from a Basic header, or None."""
    scheme, _, encoded = (header or '').partition(' ')
    if scheme.lower() != 'basic':
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(b':')
    if not sep or not user:
        return None
    try:
        return user.decode('utf-8'), password
    except UnicodeDecodeError:
        return None


class HTTPBasic:
    """WSGI middleware: establishes the caller from HTTP basic credentials.

    The public paths are served without credentials. A missing or wrong
    password, or an unknown user, gets 401 with ``WWW-Authenticate: Basic``;
    a valid user without a mapping gets 403. Raises ConfigError when a file
    cannot be read or parsed.
    """

    def __init__(self, application, conf):
        self.application = application
        options = conf.http_basic
        self.realm = options.realm
        self.users = WatchedFile(options.user_file, parse_htpasswd)
        self.mapping = WatchedFile(options.mapping_file, parse_mapping)
        self.cache = PasswordCache(options.cache_time)

    def _unauthorized(self, message):
        header = 'Basic realm="%s"' % self.realm.replace('"', '')
        return exception.Unauthorized(
            message, headers=[('WWW-Authenticate', header)])

    @wsgi_wrapper.middleware
    def __call__(self, req, start_response):
        if auth.is_public(req):
            return self.application(req.environ, start_response)
        credentials = parse_authorization(req.headers.get('Authorization'))
        if credentials is None:
            raise self._unauthorized(
                'Authentication required: send HTTP basic credentials.')
        user, password = credentials
        hashed = self.users.get().get(user)
        if hashed is None or not self.cache.check(user, password, hashed):
            LOG.info('HTTP basic authentication failed for user %s', user)
            raise self._unauthorized('Invalid user name or password.')
        entry = self.mapping.get().get(user)
        if entry is None:
            LOG.warning('User %(user)s has a password but no entry in '
                        '%(file)s', {'user': user,
                                     'file': self.mapping.path})
            raise exception.Forbidden(
                'User %s has no project and roles in the http_basic '
                'mapping file; ask the operator to add them.' % user)
        project, roles = entry
        identity.confirm(req.environ, user, user, project, roles)
        return self.application(req.environ, start_response)
