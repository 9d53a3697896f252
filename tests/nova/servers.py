"""Servers in the real Nova, made the way a cloud makes them.

Runs in the test process, over HTTP. A server is described as in
``tests/contract/fixtures.yaml`` (name, project_id, user_id and optional
vm_state, task_state, locked, locked_reason, host, outcome). It is created
by its owner through the API (the fake driver builds it at once), then
brought to its state: stopped, suspended, paused, rescued, resized
(VERIFY_RESIZE), or reset to error by an admin; then locked (with its
reason). ``host: null`` and ``task_state`` have no API: the harness saves
them in the instance record (:mod:`tests.nova.control`). ``outcome``
becomes the metadata item the harness's fake driver obeys.
"""
import json

import requests

from tests.lib import process as processes

#: Keep in step with tests.nova.harness.OUTCOME_KEY (not imported: that
#: module is for the Nova process).
OUTCOME_KEY = 'fake_trigger_crash_dump'
ADMIN_TOKEN = 'admin:admin'
#: vm_state -> (server action body, status reached, done by an admin).
STATE_ACTIONS = {
    'stopped': ({'os-stop': None}, 'SHUTOFF', False),
    'suspended': ({'suspend': None}, 'SUSPENDED', False),
    'paused': ({'pause': None}, 'PAUSED', False),
    'rescued': ({'rescue': None}, 'RESCUE', False),
    'resized': (None, 'VERIFY_RESIZE', False),   # the body needs a flavor
    'error': ({'os-resetState': {'state': 'error'}}, 'ERROR', True),
}
WAIT_SECONDS = 120


class ApiError(Exception):
    """An HTTP error answer: ``status`` and ``text``."""

    def __init__(self, message, status, text):
        super().__init__(message)
        self.status = status
        self.text = text


class Client:
    """Plain HTTP to the compute API as one ``user:project`` token."""

    def __init__(self, url, token, version='latest'):
        self.root = url.rstrip('/')
        self.token = token
        self.version = version
        self.session = requests.Session()

    def request(self, method, path, body=None, version=None,
                prefix='/v2.1'):
        """The decoded JSON answer, or None when it has no body.

        Raises ApiError on an HTTP error status.
        """
        headers = {'X-Auth-Token': self.token, 'Accept': 'application/json',
                   'OpenStack-API-Version': 'compute %s' % (
                       version or self.version)}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        response = self.session.request(method, self.root + prefix + path,
                                        data=data, headers=headers,
                                        timeout=60)
        if response.status_code >= 400:
            raise ApiError('%s %s as %s: %s %s' % (
                method, path, self.token, response.status_code,
                response.text), response.status_code, response.text)
        return response.json() if response.content else None

    def action(self, server_id, body):
        return self.request('POST', '/servers/%s/action' % server_id, body)


def wait_status(client, server_id, status, timeout=WAIT_SECONDS):
    """Poll until the server shows ``status`` with no task; returns it.

    Raises RuntimeError when it ends in ERROR instead, or on timeout.
    """
    seen = {}

    def reached():
        server = seen['server'] = client.request(
            'GET', '/servers/%s' % server_id)['server']
        if server['status'] == 'ERROR' and status != 'ERROR':
            raise RuntimeError('server %s went to ERROR: %s' % (
                server_id, server.get('fault')))
        return server['status'] == status and not server.get(
            'OS-EXT-STS:task_state') and server

    return processes.wait_for(
        reached, timeout, lambda: 'server %s never reached %s: %s' % (
            server_id, status, seen['server']),
        interval=0.05, error=RuntimeError)


def create_servers(url, specs):
    """Create every server of ``specs`` ({key: description}) in its state.

    :returns: ``{key: {'id', 'name', 'project_id', 'user_id'}}``.
    :raises ApiError, RuntimeError: a step failed or never finished.
    """
    admin = Client(url, ADMIN_TOKEN)
    owners = {}

    def owner(attrs):
        token = '%s:%s' % (attrs['user_id'], attrs['project_id'])
        return owners.setdefault(token, Client(url, token))

    image = admin.request('GET', '/images', version='2.35')['images'][0]
    flavors = sorted(admin.request('GET', '/flavors/detail')['flavors'],
                     key=lambda f: (f['vcpus'], f['ram'], f['disk']))
    ids = {}
    for key, attrs in specs.items():
        body = {'name': attrs['name'], 'imageRef': image['id'],
                'flavorRef': flavors[0]['id'], 'networks': 'none'}
        if attrs.get('outcome') and attrs['outcome'] != 'delivered':
            body['metadata'] = {OUTCOME_KEY: attrs['outcome']}
        ids[key] = owner(attrs).request('POST', '/servers',
                                        {'server': body})['server']['id']
    for server_id in ids.values():
        wait_status(admin, server_id, 'ACTIVE')

    waits = []
    for key, attrs in specs.items():
        state = attrs.get('vm_state', 'active')
        if state == 'active':
            continue
        body, status, by_admin = STATE_ACTIONS[state]
        if state == 'resized':
            body = {'resize': {'flavorRef': flavors[1]['id']}}
        (admin if by_admin else owner(attrs)).action(ids[key], body)
        waits.append((ids[key], status))
    for server_id, status in waits:
        wait_status(admin, server_id, status)

    for key, attrs in specs.items():
        if attrs.get('locked'):
            reason = attrs.get('locked_reason')
            owner(attrs).action(ids[key], {'lock': {'locked_reason': reason}
                                           if reason else None})
        record = {name: attrs[name] for name in ('host', 'task_state')
                  if name in attrs}
        if record:
            admin.request('POST', '/instances/%s' % ids[key], record,
                          prefix='/_harness')
    return {key: {'id': ids[key], 'name': attrs['name'],
                  'project_id': attrs['project_id'],
                  'user_id': attrs['user_id']}
            for key, attrs in specs.items()}


def set_policy(url, rules):
    """Replace the policy of the harness's Nova with ``rules``."""
    Client(url, ADMIN_TOKEN).request('PUT', '/policy', rules,
                                     prefix='/_harness')
