"""Every contract case against the server app, in this process.

Each case gets a fresh app with every fixture server (fake driver), its own
SQLite database and agent, configured with the case's server_options.
"""
import fixtures
import testtools

from tests.contract import endpoints
from tests.contract import exchange
from tests.lib import inprocess

FIXTURES, FIELDS, CASES = endpoints.load()


def _overrides(case, workdir):
    settings = endpoints.server_settings(case.server_options, workdir)
    overrides = {}
    for key, value in settings.items():
        group, _, option = key.rpartition('.')
        overrides[(group or None, option)] = value
    return overrides


class TestServerInProcess(testtools.TestCase):
    """The app answers every case as the contract says."""

    def play(self, case):
        workdir = self.useFixture(fixtures.TempDir()).path
        server = self.useFixture(inprocess.InProcessServer(
            endpoints.fake_servers(FIXTURES),
            overrides=_overrides(case, workdir)))
        exchange.play_case(case, endpoints.InProcessEndpoint(server, FIXTURES),
                           FIELDS)


endpoints.add_case_tests(TestServerInProcess, CASES, TestServerInProcess.play)
