"""Every contract case live over HTTP.

Without ``CRASHDUMP_CONTRACT_URL`` this starts ``crashdump-all`` on a free
loopback port with every fixture server (one more per distinct set of
``server_options``) and plays every case against it. With it, the cases
are played against that endpoint; see README.rst for the variables, and
for which cases are excluded there (they are printed, with the reason).
"""
import atexit
import os
import sys
import tempfile

import requests
import testtools
import yaml

from tests.contract import cases as contract_cases
from tests.contract import endpoints
from tests.contract import exchange
from tests.lib import embedded

FIXTURES, FIELDS, CASES = endpoints.load()
URL = os.environ.get('CRASHDUMP_CONTRACT_URL')


def _foreign_names():
    """(servers, credentials, tokens) mapped for a foreign endpoint."""
    mapped = {}
    path = os.environ.get('CRASHDUMP_CONTRACT_FIXTURES')
    if path:
        with open(path) as stream:
            mapped = yaml.safe_load(stream) or {}
    servers = mapped.get('servers') or {}
    credentials, tokens = {}, {}
    for name in FIXTURES['credentials']:
        attrs = dict((mapped.get('credentials') or {}).get(name) or {})
        token = os.environ.get('CRASHDUMP_CONTRACT_TOKEN_%s' % name.upper(),
                               attrs.pop('token', None))
        if token:
            credentials[name], tokens[name] = attrs, token
    return servers, credentials, tokens


def _discovered_api(root_url):
    versions = requests.get(root_url + '/', timeout=30).json()['versions']
    [current] = [v for v in versions if v['id'] == 'v2.1']
    return {'min_version': current['min_version'],
            'max_version': current['version']}


def _select():
    """(cases to play, {excluded case name: reason})."""
    if not URL:
        return CASES, {}
    servers, credentials, _tokens = _foreign_names()
    excluded = contract_cases.exclusions_for_foreign_endpoint(
        CASES, servers, credentials,
        include_crashdump_only=bool(os.environ.get(
            'CRASHDUMP_CONTRACT_CRASHDUMP_ONLY_CASES')))
    return [c for c in CASES if c.name not in excluded], excluded


SELECTED, EXCLUDED = _select()
if EXCLUDED:
    sys.stderr.write('contract live run against %s: %d case(s) excluded:\n'
                     % (URL, len(EXCLUDED)))
    for _name, _reason in sorted(EXCLUDED.items()):
        sys.stderr.write('  %s: %s\n' % (_name, _reason))

_EMBEDDED = {}


def _embedded_endpoint(server_options):
    """Our crashdump-all for these options, started once per process."""
    key = tuple(sorted((k, str(v)) for k, v in server_options.items()))
    if key not in _EMBEDDED:
        workdir = tempfile.mkdtemp(prefix='crashdump-contract-')
        server = embedded.EmbeddedServer(
            endpoints.fake_servers(FIXTURES),
            options=endpoints.server_settings(server_options, workdir))
        server.start()
        atexit.register(server.cleanup)
        atexit.register(server.stop)
        _EMBEDDED[key] = endpoints.HttpEndpoint(
            server.url, FIXTURES['api'], FIXTURES['servers'],
            FIXTURES['credentials'],
            endpoints.noauth_tokens(FIXTURES['credentials']))
        _EMBEDDED[key].server = server
    return _EMBEDDED[key]


def _foreign_endpoint():
    if 'foreign' not in _EMBEDDED:
        root = URL.rstrip('/')
        if root.endswith('/v2.1'):
            root = root[:-len('/v2.1')]
        servers, credentials, tokens = _foreign_names()
        _EMBEDDED['foreign'] = endpoints.HttpEndpoint(
            root, _discovered_api(root), servers, credentials, tokens)
    return _EMBEDDED['foreign']


class TestLive(testtools.TestCase):
    """The endpoint answers every (selected) case as the contract says."""

    def play(self, case):
        endpoint = (_foreign_endpoint() if URL
                    else _embedded_endpoint(case.server_options))
        try:
            exchange.play_case(case, endpoint, FIELDS)
        except AssertionError as error:
            server = getattr(endpoint, 'server', None)
            if server is None:
                raise
            # Our own server: its log says why (the last lines suffice).
            raise AssertionError('%s\n--- crashdump-all log (tail) ---\n%s'
                                 % (error, server.output()[-6000:]))


endpoints.add_case_tests(TestLive, SELECTED, TestLive.play)


class TestLiveSelection(testtools.TestCase):

    def test_something_is_played(self):
        self.assertTrue(SELECTED, 'every case is excluded: %s' % EXCLUDED)

    def test_embedded_run_plays_every_case(self):
        if URL:
            self.assertEqual(len(CASES), len(SELECTED) + len(EXCLUDED))
        else:
            self.assertEqual([], list(EXCLUDED))
            self.assertEqual(len(CASES), len(SELECTED))
