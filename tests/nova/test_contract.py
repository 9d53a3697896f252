"""Every contract case that describes Nova, played against real Nova 34.

The same cases, steps and checks as ``tests/contract/test_live.py``, over
HTTP, against the harness's Nova (:func:`tests.nova.process.shared`) with
every fixture server made real there. A case with a ``policy`` server
option is played with that policy put in force in Nova for the case.
Excluded, and printed with the reason on stderr: cases marked
``differs_from_nova`` and cases needing another server option (the RPC pin
is crashdump's own).

If a case fails here, either the case is wrong about Nova or the harness
is; crashdump's server must give what Nova gives.
"""
import sys

import testtools

from tests.contract import endpoints
from tests.contract import exchange
from tests.nova import process
from tests.nova import servers

FIXTURES, FIELDS, CASES = endpoints.load()


def select(cases):
    """(cases to play against Nova, {excluded case name: reason})."""
    played, excluded = [], {}
    for case in cases:
        if case.differs_from_nova:
            excluded[case.name] = ('crashdump differs from Nova here: %s'
                                   % case.differs_from_nova.strip())
        elif set(case.server_options) - {'policy'}:
            excluded[case.name] = ('needs server options %s'
                                   % (case.server_options,))
        else:
            played.append(case)
    return played, excluded


SELECTED, EXCLUDED = select(CASES)
if EXCLUDED:
    sys.stderr.write('contract run against real Nova: %d case(s) '
                     'excluded:\n' % len(EXCLUDED))
    for _name, _reason in sorted(EXCLUDED.items()):
        sys.stderr.write('  %s: %s\n' % (_name, _reason))


def nova_endpoint():
    """The shared Nova as a contract endpoint (made once per process)."""
    shared = process.shared()
    if not hasattr(shared, 'endpoint'):
        nova, mapping = shared.nova, shared.mapping()
        shared.endpoint = endpoints.HttpEndpoint(
            nova.url, {'min_version': nova.min_version,
                       'max_version': nova.max_version_served},
            mapping['servers'], mapping['credentials'],
            {name: c['token'] for name, c in mapping['credentials'].items()})
    return shared.endpoint


class TestContractAgainstNova(testtools.TestCase):
    """Real Nova answers every selected case as the contract says."""

    def play(self, case):
        endpoint = nova_endpoint()
        policy = case.server_options.get('policy')
        if policy:
            servers.set_policy(endpoint.root_url, policy)
            self.addCleanup(servers.set_policy, endpoint.root_url, {})
        try:
            exchange.play_case(case, endpoint, FIELDS)
        except AssertionError as error:
            raise AssertionError('%s\n--- Nova (tail) ---\n%s' % (
                error, process.shared().nova.output(6000)))


endpoints.add_case_tests(TestContractAgainstNova, SELECTED,
                         TestContractAgainstNova.play)


class TestContractSelection(testtools.TestCase):

    def test_most_cases_are_played(self):
        self.assertGreater(len(SELECTED), 2 * len(EXCLUDED),
                           'excluded: %s' % sorted(EXCLUDED))

    def test_only_declared_differences_are_excluded(self):
        for name, reason in EXCLUDED.items():
            case = [c for c in CASES if c.name == name][0]
            self.assertTrue(case.differs_from_nova or case.server_options,
                            name)
        self.assertEqual(len(CASES), len(SELECTED) + len(EXCLUDED))

    def test_policy_cases_are_played(self):
        self.assertIn('trigger_forbidden_by_policy',
                      [case.name for case in SELECTED])
