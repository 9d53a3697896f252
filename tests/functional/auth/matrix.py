"""Play the Nova 34 matrix (``nova34``) against a running crashdump.

A :class:`Caller` is how one row authenticates (headers); :class:`Matrix`
knows the servers and the request of every column, and answers a row's
cells. Every cell is played twice: as the caller sends it, and with
identity headers spoofed on top, which must change nothing.
"""
import json
import urllib.error
import urllib.request

from tests.functional.auth import nova34
from tests.lib.process import wait_for

VERSION = '2.84'
EVENT_TIMEOUT = 30


def spoofed_headers(project_id):
    """What a caller could send to pass for an admin of ``project_id``."""
    return {
        'X-Identity-Status': 'Confirmed',
        'X-Service-Identity-Status': 'Confirmed',
        'X-User-Id': 'mallory', 'X-User-Name': 'mallory',
        'X-Project-Id': project_id, 'X-Tenant-Id': project_id,
        'X-Roles': 'admin,member,reader', 'X-Role': 'admin',
        'X-Service-Roles': 'service,admin', 'X-Is-Admin-Project': 'True',
        'OpenStack-System-Scope': 'all', 'X-System-Scope': 'all',
        'X-Domain-Id': 'default',
    }


class Matrix:
    """The servers of the matrix on one crashdump, and its columns.

    ``servers`` maps 'demo', 'other' and 'locked' to server ids;
    ``own``/``foreign`` map each row to the project whose server is its
    own or another's; ``actions`` maps 'demo' and 'other' to the request
    id of an action recorded on that project's server.
    """

    def __init__(self, compute_url, servers, actions, own_projects,
                 spoof_project):
        self.compute_url = compute_url
        self.spoof_project = spoof_project
        self.servers = servers
        self.actions = actions
        self.own_projects = own_projects

    def request(self, method, path, headers, body=None):
        """``(status, decoded body or None)`` of one request."""
        root = self.compute_url.rsplit('/v2.1', 1)[0]
        url = root + path if path == '/' else self.compute_url + path
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header('Accept', 'application/json')
        request.add_header('OpenStack-API-Version', 'compute ' + VERSION)
        if data is not None:
            request.add_header('Content-Type', 'application/json')
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def cell(self, column, row, headers):
        own = self.own_projects.get(row, 'demo')
        foreign = 'demo' if own == 'other' else 'other'
        server = self.servers[own]
        action = '/servers/%s/action' % server
        if column == 'versions':
            return self.request('GET', '/', headers)[0]
        if column == 'list_servers':
            return self.request('GET', '/servers', headers)[0]
        if column == 'show_server':
            return self.request('GET', '/servers/' + server, headers)[0]
        if column == 'trigger_own':
            return self.request('POST', action, headers,
                                {'trigger_crash_dump': None})[0]
        if column == 'trigger_other_project':
            return self.request(
                'POST', '/servers/%s/action' % self.servers[foreign],
                headers, {'trigger_crash_dump': None})[0]
        if column == 'trigger_locked':
            return self.request(
                'POST', '/servers/%s/action' % self.servers['locked'],
                headers, {'trigger_crash_dump': None})[0]
        if column == 'list_actions':
            return self.request('GET', '/servers/%s/os-instance-actions'
                                % server, headers)[0]
        if column == 'show_action':
            status, body = self.request(
                'GET', '/servers/%s/os-instance-actions/%s' % (
                    server, self.actions[own]), headers)
            if status != 200:
                return status
            events = body['instanceAction'].get('events') or []
            details = any('details' in event for event in events)
            return '200+details' if details else '200'
        if column == 'console_output':
            return self.request('POST', action, headers,
                                {'os-getConsoleOutput': {'length': 5}})[0]
        raise AssertionError('no column %s' % column)

    def row(self, row, headers):
        """Every cell of ``row``, plain and with spoofed headers:
        ``{column: cell}`` and ``{column: cell}``."""
        plain = {column: self.cell(column, row, headers)
                 for column in nova34.COLUMNS}
        spoofed = dict(headers, **spoofed_headers(self.spoof_project))
        spoofed_cells = {column: self.cell(column, row, spoofed)
                         for column in nova34.COLUMNS}
        return plain, spoofed_cells


def record_actions(matrix, admin_headers):
    """Trigger once on the demo and other servers as an admin, wait for
    both events, and remember the request ids (the action column's)."""
    for project in ('demo', 'other'):
        matrix.actions[project] = trigger(matrix, admin_headers, project)
    for project in ('demo', 'other'):
        wait_for_event(matrix, admin_headers, project)


def wait_for_event(matrix, headers, project):
    """Wait until the agent finished the event of ``project``'s action."""
    path = '/servers/%s/os-instance-actions/%s' % (
        matrix.servers[project], matrix.actions[project])

    def finished():
        status, body = matrix.request('GET', path, headers)
        events = (body or {}).get('instanceAction', {}).get('events') or []
        return status == 200 and any(e.get('finish_time') for e in events)
    wait_for(finished, EVENT_TIMEOUT, 'the event of ' + path)


def trigger(matrix, headers, project):
    """Trigger a crash dump on ``project``'s server; its request id."""
    root = matrix.compute_url
    request = urllib.request.Request(
        root + '/servers/%s/action' % matrix.servers[project],
        data=b'{"trigger_crash_dump": null}', method='POST')
    request.add_header('Content-Type', 'application/json')
    request.add_header('OpenStack-API-Version', 'compute ' + VERSION)
    for name, value in headers.items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers['x-openstack-request-id']
