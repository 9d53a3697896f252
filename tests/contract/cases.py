"""The contract cases as data: loading, placeholders, selection.

Cases live in ``cases/*.yaml`` (one file per area), the servers and
credentials they use in ``fixtures.yaml``, the key tables in
``fields.yaml``. Every runner (in-process app, requests-mock client, live
HTTP) loads them from here; :mod:`tests.contract.exchange` plays a case's
steps and :mod:`tests.contract.checks` judges each response.
"""
import os
import re

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, 'cases')

_CASE_KEYS = {'name', 'description', 'servers', 'differs_from_nova',
              'server_options', 'setup', 'request', 'response', 'save',
              'poll', 'follow_up'}
_STEP_KEYS = {'request', 'response', 'save', 'poll'}
_PLACEHOLDER = re.compile(r'\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]+)?)\}')
_NAME = re.compile(r'^[a-z0-9_]+$')


class Case:
    """One contract case: steps to play, and what it needs to be played.

    ``steps`` is setup + the main exchange + follow-ups, each a dict with
    ``request``, ``response`` and optional ``save``/``poll``; ``main`` is the
    main exchange's index in it.
    """

    def __init__(self, area, data):
        self.area = area
        self.data = data
        self.name = data['name']
        self.description = data.get('description', '').strip()
        self.servers = list(data.get('servers') or [])
        self.differs_from_nova = data.get('differs_from_nova')
        self.server_options = dict(data.get('server_options') or {})
        main = {key: data[key] for key in _STEP_KEYS if key in data}
        setup = list(data.get('setup') or [])
        self.steps = setup + [main] + list(data.get('follow_up') or [])
        self.main = len(setup)

    @property
    def main_step(self):
        return self.steps[self.main]

    def credentials(self):
        """The credential names the case's requests use."""
        return {token_name(step['request']) for step in self.steps} - {None}

    def __repr__(self):
        return '<Case %s/%s>' % (self.area, self.name)


def token_name(request):
    """The credential a request is sent with (``member`` unless told)."""
    return request.get('token', 'member')


def _load_yaml(path):
    with open(path) as stream:
        return yaml.safe_load(stream)


def load_fixtures():
    """``fixtures.yaml`` as a dict: api, credentials, servers."""
    return _load_yaml(os.path.join(HERE, 'fixtures.yaml'))


def load_fields():
    """``fields.yaml``: key tables by name, ``include`` resolved."""
    raw = _load_yaml(os.path.join(HERE, 'fields.yaml'))
    return {name: _resolve_table(raw, name) for name in raw}


def _resolve_table(raw, name):
    table = raw[name]
    always = set(table.get('always', []))
    optional = set(table.get('optional', []))
    since = {}
    if 'include' in table:
        base = _resolve_table(raw, table['include'])
        always |= base['always']
        optional |= base['optional']
        since.update({v: set(keys) for v, keys in base['since'].items()})
    for version, keys in (table.get('since') or {}).items():
        since.setdefault(version, set()).update(keys)
    removed = set(table.get('remove', []))
    return {'always': always - removed, 'optional': optional - removed,
            'since': {v: keys - removed for v, keys in since.items()}}


def load_cases(directory=CASES_DIR):
    """Every case of every ``*.yaml`` file in ``directory``, in file order.

    Raises ValueError for a malformed case or a name used twice, so bad
    data fails loudly instead of testing nothing.
    """
    fixtures = load_fixtures()
    found, seen = [], set()
    for filename in sorted(os.listdir(directory)):
        if not filename.endswith('.yaml'):
            continue
        area = filename[:-len('.yaml')]
        for data in _load_yaml(os.path.join(directory, filename)) or []:
            _validate(area, data, fixtures)
            if data['name'] in seen:
                raise ValueError('case name %s used twice' % data['name'])
            seen.add(data['name'])
            found.append(Case(area, data))
    return found


def _validate(area, data, fixtures):
    where = '%s: %r' % (area, data.get('name'))
    if not isinstance(data, dict) or not _NAME.match(data.get('name', '')):
        raise ValueError('%s: every case needs a snake_case name' % where)
    unknown = set(data) - _CASE_KEYS
    if unknown:
        raise ValueError('%s: unknown keys %s' % (where, sorted(unknown)))
    if 'request' not in data or 'response' not in data:
        raise ValueError('%s: a case needs request and response' % where)
    for step in (data.get('setup') or []) + (data.get('follow_up') or []):
        if set(step) - _STEP_KEYS or 'request' not in step:
            raise ValueError('%s: bad step %r' % (where, step))
    for server in data.get('servers') or []:
        if server not in fixtures['servers']:
            raise ValueError('%s: no fixture server %s' % (where, server))
    text = yaml.safe_dump(data)
    for name in _PLACEHOLDER.findall(text):
        owner = name.split('.')[0]
        if owner in fixtures['servers'] and owner not in data.get(
                'servers', []):
            raise ValueError('%s: uses {%s} but does not list %s in '
                             'servers' % (where, name, owner))


def fixture_names(servers, credentials, root_url, api):
    """The placeholder values of an endpoint.

    ``servers`` and ``credentials`` map symbolic names to attribute dicts
    (id, name, project_id, user_id; user_id, project_id); ``api`` holds
    min_version and max_version.
    """
    names = {'root_url': root_url.rstrip('/'),
             'min_version': api['min_version'],
             'max_version': api['max_version']}
    for symbol, attrs in servers.items():
        names[symbol] = attrs['id']
        for key in ('name', 'project_id', 'user_id'):
            if key in attrs:
                names['%s.%s' % (symbol, key)] = attrs[key]
    for symbol, attrs in credentials.items():
        for key in ('user_id', 'project_id'):
            if key in attrs:
                names['%s.%s' % (symbol, key)] = attrs[key]
    return names


def substitute(value, names):
    """``value`` with every ``{placeholder}`` in its strings replaced.

    Raises KeyError naming a placeholder that has no value.
    """
    if isinstance(value, str):
        def replace(match):
            if match.group(1) not in names:
                raise KeyError('no value for placeholder {%s}'
                               % match.group(1))
            return str(names[match.group(1)])
        return _PLACEHOLDER.sub(replace, value)
    if isinstance(value, list):
        return [substitute(item, names) for item in value]
    if isinstance(value, dict):
        return {substitute(key, names): substitute(item, names)
                for key, item in value.items()}
    return value


def parse_version(text):
    """'2.17' -> (2, 17)."""
    major, minor = text.split('.')
    return int(major), int(minor)


def request_version(request, api):
    """The microversion a request asks for, as the server reads it.

    The standard header wins over the legacy one; none means the minimum,
    ``latest`` the maximum. Returns a string, or None for a version string
    the server must reject (so no table applies).
    """
    found = request.get('version', request.get('legacy_version'))
    if found is None:
        return api['min_version']
    if str(found).strip() == 'latest':
        return api['max_version']
    try:
        parse_version(str(found))
    except ValueError:
        return None
    return str(found)


def exclusions_for_foreign_endpoint(cases, servers, credentials,
                                    include_crashdump_only=False):
    """The cases a live run against another endpoint cannot play.

    Returns ``{case name: reason}`` for cases that need a server setting
    (``server_options``), a server or credential the run did not map, or
    that state a deliberate difference from Nova (unless
    ``include_crashdump_only``).
    """
    excluded = {}
    for case in cases:
        missing_servers = [s for s in case.servers if s not in servers]
        missing_creds = sorted(case.credentials() - set(credentials))
        if case.server_options:
            excluded[case.name] = 'needs server options %s' % (
                case.server_options,)
        elif case.differs_from_nova and not include_crashdump_only:
            excluded[case.name] = ('crashdump differs from Nova here: %s'
                                   % case.differs_from_nova.strip())
        elif missing_servers:
            excluded[case.name] = 'no server mapped for %s' % ', '.join(
                missing_servers)
        elif missing_creds:
            excluded[case.name] = 'no token for %s' % ', '.join(
                missing_creds)
    return excluded
