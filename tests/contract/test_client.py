"""The contract cases the client produces, played against crashdump_client.

For every case whose main request is one a client operation sends (trigger,
list or show crash dumps, get or find a server, version discovery), the
case's response is loaded into requests-mock; the test then checks that the
client sent exactly the case's request and made of the response what it
should: a request id, the right resources, or the right novaclient
exception with the fault's message. Trigger cases also run the shell,
``nova trigger-crash``. Cases without a concrete body (only checks and no
``example``) cannot be fed to a client and are left to the other runners.
"""
import json
import sys

from keystoneauth1 import session
from keystoneauth1 import token_endpoint
from novaclient import client
from novaclient import exceptions
from novaclient import extension
from novaclient import utils
from oslo_utils import uuidutils

from crashdump_client import novaclient_ext
from crashdump_client import versions
from crashdump_client import waiting
from tests.contract import client_cases
from tests.contract import endpoints
from tests.unit.client import test_shell

FIXTURES, FIELDS, CASES = endpoints.load()
CLIENT_CASES = [case for case in CASES
                if client_cases.operation(case) is not None]
FEEDABLE = [case for case in CLIENT_CASES
            if client_cases.has_concrete_body(case)]


def make_client(version, token):
    auth = token_endpoint.Token(client_cases.ENDPOINT, token)
    return client.Client(
        version, session=session.Session(auth=auth),
        extensions=[extension.Extension('crash_dumps', novaclient_ext)])


class TestClientAgainstCases(test_shell.ShellTestCase):
    """crashdump_client sends each case's request and reads its response."""

    def play(self, case):
        feed = client_cases.Feed(case, FIXTURES, FIELDS, self)
        feed.register(self.api.mock)
        op, args = feed.operation
        compute = make_client(feed.version, feed.token)
        getattr(self, '_' + op)(feed, compute, *args)

    def _expect_error(self, feed, call):
        error = self.assertRaises(exceptions.ClientException, call)
        self.assertEqual(feed.status, error.code)
        if feed.fault_message is not None:
            self.assertEqual(feed.fault_message, error.message)
        return error

    def _trigger(self, feed, compute, server_id):
        if not feed.reaches_server:
            error = self.assertRaises(exceptions.UnsupportedVersion,
                                      compute.crash_dumps.trigger, server_id)
            self.assertIn('2.17', str(error))
            self.assertEqual([], feed.sent(self.api.mock, 'POST'))
            return
        if feed.status == 202:
            self.assertEqual(feed.request_id,
                             compute.crash_dumps.trigger(server_id))
        else:
            self._expect_error(feed, lambda: compute.crash_dumps.trigger(
                server_id))
        feed.assert_sent_exactly(self.api.mock)
        if uuidutils.is_uuid_like(server_id):
            # The shell finds a server by id before it triggers.
            self._trigger_in_shell(feed, server_id)

    def _trigger_in_shell(self, feed, server_id):
        feed.mark(self.api.mock)
        self.api.mock.get(feed.url('/v2.1/servers/%s' % server_id),
                          json={'server': {'id': server_id, 'name': 'x'}})
        code, out, err = self.nova('--os-token', feed.token,
                                   '--os-compute-api-version', feed.version,
                                   'trigger-crash', server_id)
        if feed.status == 202:
            self.assertEqual(0, code, err)
            self.assertIn('request %s' % feed.request_id, out)
        else:
            self.assertNotEqual(0, code)
            self.assertIn(feed.fault_message or '', out + err)
            self.assertNotIn('Traceback', out + err)
        feed.assert_sent_exactly(self.api.mock)

    def _list_actions(self, feed, compute, server_id):
        if feed.status != 200:
            self._expect_error(feed, lambda: compute.crash_dumps.list(
                server_id))
        else:
            found = compute.crash_dumps.list(server_id)
            wanted = [a['request_id'] for a in feed.body['instanceActions']
                      if a['action'] == waiting.ACTION_NAME]
            self.assertEqual(wanted, [a.request_id for a in found])
        feed.assert_sent_exactly(self.api.mock)

    def _show_action(self, feed, compute, server_id, request_id):
        if feed.status != 200:
            self._expect_error(feed, lambda: compute.crash_dumps.get(
                server_id, request_id))
        else:
            action = compute.crash_dumps.get(server_id, request_id)
            shown = feed.body['instanceAction']
            self.assertEqual(shown['request_id'], action.request_id)
            if 'events' not in shown:
                self.assertRaises(waiting.EventsNotVisible,
                                  waiting.outcome_of, action,
                                  compute.api_version)
            else:
                results = {e['result'] for e in shown['events']}
                outcome = waiting.outcome_of(action, compute.api_version)
                self.assertEqual(results, {outcome.result})
        feed.assert_sent_exactly(self.api.mock)

    def _get_server(self, feed, compute, server_id):
        if feed.status != 200:
            self._expect_error(feed, lambda: compute.servers.get(server_id))
        else:
            self.assertEqual(feed.body['server']['id'],
                             compute.servers.get(server_id).id)
        feed.assert_sent_exactly(self.api.mock)

    def _find_by_name(self, feed, compute, name):
        # novaclient reads each exact match in full; after a miss by name
        # it also tries its human ids.
        self.api.mock.get(feed.url('/v2.1/servers'), complete_qs=True,
                          json={'servers': []})
        for server in feed.body['servers']:
            self.api.mock.get(feed.url('/v2.1/servers/%s' % server['id']),
                              json={'server': server})
        matches = [s['id'] for s in feed.body['servers']
                   if s['name'] == name]
        if len(matches) == 1:
            self.assertEqual(matches[0],
                             utils.find_resource(compute.servers, name).id)
        else:
            error = self.assertRaises(exceptions.CommandError,
                                      utils.find_resource, compute.servers,
                                      name)
            self.assertIn('Multiple' if matches else 'No server',
                          str(error))
        feed.assert_sent_first(self.api.mock)

    def _list_versions(self, feed, compute):
        found = compute.versions.list()
        self.assertEqual([v['id'] for v in feed.body['versions']],
                         [v.id for v in found])
        feed.assert_sent_first(self.api.mock, check_headers=False)

    def _current_version(self, feed, compute):
        low, high = versions.server_version_range(compute)
        self.assertEqual((feed.body['version']['min_version'],
                          feed.body['version']['version']),
                         (low.get_string(), high.get_string()))
        feed.assert_sent_first(self.api.mock, check_headers=False)


endpoints.add_case_tests(TestClientAgainstCases, FEEDABLE,
                         TestClientAgainstCases.play)


class TestClientCoverage(test_shell.ShellTestCase):
    """The client runner is not empty, and says what it leaves out."""

    def test_every_client_operation_has_cases(self):
        ops = {client_cases.operation(case)[0] for case in FEEDABLE}
        self.assertEqual({'trigger', 'list_actions', 'show_action',
                          'get_server', 'find_by_name', 'list_versions',
                          'current_version'}, ops)

    def test_examples_pass_their_own_checks(self):
        for case in FEEDABLE:
            client_cases.Feed(case, FIXTURES, FIELDS, self)

    def test_left_out_cases_are_listed(self):
        left_out = [c.name for c in CLIENT_CASES if c not in FEEDABLE]
        if left_out:
            sys.stderr.write('contract client runner: no concrete body to '
                             'feed for %s\n' % json.dumps(left_out))
        self.assertLess(len(left_out), len(FEEDABLE))
