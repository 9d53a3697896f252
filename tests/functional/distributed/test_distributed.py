"""The distributed mode with real parts: two ``crashdump-api`` processes
and two ``crashdump-compute`` agents (hosts compute-a and compute-b, fake
driver) over a real RabbitMQ, sharing a real PostgreSQL database, driven by
the real ``nova`` client.

The class starts everything once (see :mod:`backends` and
:mod:`processes`). A test that stops a process starts it again before it
ends, and every test uses servers of its own, so the tests need no order.
The second API gives requests a deadline of :data:`SHORT_TTL` seconds.

What RabbitMQ does with a request for a stopped agent was found by trying
and is asserted here: an agent's queue (``crashdump-compute.<host>``) is
neither durable nor auto-deleted, so it outlives the agent for as long as
the broker runs; a cast to it is accepted (202) and waits there, and the
agent handles it when it starts again - unless the request's deadline
passed meanwhile, in which case the agent records an Error event saying it
expired and sends no NMI. A host whose agent never ran has no queue: the
cast (``at_least_once``) is returned by the broker, the API answers 503 and
closes the recorded action with an Error event.
"""
import os
import re
import tempfile
import time

from testtools import content

from crashdump_server.compute import rpcapi
from tests.functional import base
from tests.functional.distributed import backends as backends_mod
from tests.functional.distributed import processes
from tests.lib.process import wait_for

#: Seconds a request of the second API stays valid.
SHORT_TTL = 2
#: Seconds past a deadline at which the third API closes a request.
CLOSING_GRACE = 5
HOST_A = 'compute-a'
HOST_B = 'compute-b'
#: A host that servers name but where no agent ever ran.
GHOST_HOST = 'compute-ghost'


def _uuid(host_letter, number):
    return '%s0000000-0000-4000-8000-%012d' % (host_letter, number)


A_BOTH = _uuid('a', 1)       # with B_BOTH: one NMI from each agent
A_RESTART = _uuid('a', 2)    # survives an API restart
A_AUTO = _uuid('a', 3)       # the auto version cap
GHOST = _uuid('c', 1)        # on a host that never had an agent
B_BOTH = _uuid('b', 1)
B_WAITS = _uuid('b', 2)      # sent while agent b is stopped
B_EXPIRES = _uuid('b', 3)    # sent while stopped, past its deadline
B_LOST = _uuid('b', 4)       # sent while stopped, closed by the API

SERVERS_A = [
    base.fake_server(A_BOTH, 'both-a'),
    base.fake_server(A_RESTART, 'restart-a'),
    base.fake_server(A_AUTO, 'auto-a'),
    # The fake driver lets an agent report a server of another host.
    base.fake_server(GHOST, 'ghost', host=GHOST_HOST),
]
SERVERS_B = [
    base.fake_server(B_BOTH, 'both-b'),
    base.fake_server(B_WAITS, 'waits-b'),
    base.fake_server(B_EXPIRES, 'expires-b'),
    base.fake_server(B_LOST, 'lost-b'),
]

#: ``nova trigger-crash --wait``: one line per server.
WAITED = re.compile(
    r'^Crash dump for server (?P<name>\S+) \((?P<id>[0-9a-f-]{36})\): '
    r'(?P<outcome>.*) \(request (?P<request_id>req-[0-9a-f-]{36})\)$', re.M)
#: ``nova trigger-crash`` without --wait.
REQUESTED = re.compile(
    r'^Crash dump requested for server (?P<name>\S+) '
    r'\((?P<id>[0-9a-f-]{36})\): request (?P<request_id>req-[0-9a-f-]{36})$',
    re.M)


class DistributedModeTest(base.FunctionalTestCase):
    """Two APIs, two agents, RabbitMQ and PostgreSQL, for the whole class."""

    @classmethod
    def setUpClass(cls):
        # Not base.FunctionalTestCase's: it would start crashdump-all.
        super(base.FunctionalTestCase, cls).setUpClass()
        cls.started_at = time.monotonic()
        cls.home = tempfile.mkdtemp(prefix='crashdump-home-')
        cls.workdir = tempfile.mkdtemp(prefix='crashdump-distributed-')
        cls.backends = backends_mod.Backends()
        cls.processes = []
        try:
            # The APIs need only the database: they start while the broker
            # boots.
            cls.backends.start(with_database=cls._start_apis)
            cls._start_agents()
        except BaseException:
            cls._stop_everything()
            raise
        cls.setup_seconds = time.monotonic() - cls.started_at

    @classmethod
    def _sections(cls, name, **defaults):
        return processes.common_sections(
            cls.backends, os.path.join(cls.workdir, name), **defaults)

    @classmethod
    def _start_apis(cls):
        processes.manage(processes.write_config(
            os.path.join(cls.workdir, 'manage.conf'), cls._sections('api')),
            'db', 'sync')
        cls.api = processes.ApiProcess(os.path.join(cls.workdir, 'api'),
                                       cls._sections('api'))
        cls.short_api = processes.ApiProcess(
            os.path.join(cls.workdir, 'short-api'),
            cls._sections('short-api', request_ttl=SHORT_TTL))
        # Closes requests no agent took up 5 s after their deadline (its
        # own requests': 1 s), any API's requests: the grace leaves agent
        # b time to restart in the test of expired requests.
        cls.closing_api = processes.ApiProcess(
            os.path.join(cls.workdir, 'closing-api'),
            cls._sections('closing-api', request_ttl=1,
                          unanswered_request_grace=CLOSING_GRACE))
        for api in (cls.api, cls.short_api, cls.closing_api):
            cls.processes.append(api)
            api.launch()
        # The helpers of base.FunctionalTestCase talk to cls.server.
        cls.server = cls.api

    @classmethod
    def _start_agents(cls):
        cls.agent_a = processes.AgentProcess(
            os.path.join(cls.workdir, HOST_A),
            cls._sections(HOST_A, host=HOST_A, report_interval=1),
            SERVERS_A)
        cls.agent_b = processes.AgentProcess(
            os.path.join(cls.workdir, HOST_B),
            cls._sections(HOST_B, host=HOST_B, report_interval=1),
            SERVERS_B)
        for agent in (cls.agent_a, cls.agent_b):
            cls.processes.append(agent)
            agent.launch()
        for process in cls.processes:
            process.wait_ready()

    @classmethod
    def _stop_everything(cls):
        processes.stop_stack(cls.processes, cls.backends, cls.home,
                             cls.workdir)

    @classmethod
    def tearDownClass(cls):
        cls._stop_everything()
        super(base.FunctionalTestCase, cls).tearDownClass()

    def setUp(self):
        super().setUp()
        self.addOnException(self._attach_logs)

    def _attach_logs(self, exc_info):
        for name, process in (('short-api-log', self.short_api),
                              ('closing-api-log', self.closing_api),
                              ('agent-a-log', self.agent_a),
                              ('agent-b-log', self.agent_b)):
            try:
                text = process.output()[-20000:]
            except OSError as error:
                text = 'log unreadable: %s' % error
            self.addDetail(name, content.text_content(text))

    # -- helpers ------------------------------------------------------------

    def nova_at(self, api, *args, user=base.OWNER, project=base.PROJECT):
        """Run ``nova ARGS`` against ``api`` (an ApiProcess)."""
        env = self.nova_env(user, project)
        env['OS_ENDPOINT'] = api.compute_url
        return self.run_program(('nova',) + args, env)

    def trigger(self, api, name):
        """``nova trigger-crash NAME`` without waiting; the request id."""
        result = self.nova_at(api, 'trigger-crash', name)
        self.assertSucceeded(result)
        match = REQUESTED.search(result.stdout)
        self.assertIsNotNone(match, result.describe())
        return match.group('request_id')

    def restart_agent_b_later(self):
        """Make sure agent b runs again when the test ends."""
        def start_if_stopped():
            if not self.agent_b.running:
                self.agent_b.start()
        self.addCleanup(start_if_stopped)

    def events_of(self, server_id, request_id):
        return self.recorded_action(server_id, request_id)['events']

    # -- the tests ----------------------------------------------------------

    def test_each_server_gets_its_nmi_from_the_agent_of_its_host(self):
        result = self.nova('trigger-crash', 'both-a', 'both-b', '--wait',
                           '--poll-interval', '0.2')
        self.assertSucceeded(result)
        lines = {m.group('id'): m for m in WAITED.finditer(result.stdout)}
        self.assertEqual({A_BOTH, B_BOTH}, set(lines), result.describe())
        for server_id, host in ((A_BOTH, HOST_A), (B_BOTH, HOST_B)):
            self.assertEqual('Success', lines[server_id].group('outcome'),
                             result.describe())
            event = self.finished_event(server_id,
                                        lines[server_id].group('request_id'))
            self.assertEqual(('Success', host),
                             (event['result'], event['host']), event)
        # Each fake driver logs the NMIs it sent: the one of its own host.
        self.assertEqual((1, 0), (self.agent_a.delivered_nmis().count(A_BOTH),
                                  self.agent_b.delivered_nmis().count(A_BOTH)))
        self.assertEqual((0, 1), (self.agent_a.delivered_nmis().count(B_BOTH),
                                  self.agent_b.delivered_nmis().count(B_BOTH)))

    def test_services_table_shows_both_agents_heartbeating(self):
        query = ('SELECT host, topic, rpc_version, report_count '
                 'FROM services WHERE "binary" = %s ORDER BY host')
        before = self.backends.sql(query, (rpcapi.BINARY,))
        self.assertEqual(
            [(HOST_A, rpcapi.TOPIC, rpcapi.LATEST_VERSION),
             (HOST_B, rpcapi.TOPIC, rpcapi.LATEST_VERSION)],
            [row[:3] for row in before])
        # report_interval is 1 s: both counts grow within a few seconds.
        seen = {}

        def grown():
            after = seen['after'] = self.backends.sql(query,
                                                      (rpcapi.BINARY,))
            return all(new[3] > old[3] for old, new in zip(before, after))

        wait_for(grown, 10, lambda: 'heartbeats stalled: %s then %s' % (
            before, seen['after']), interval=0.2)

    def test_auto_version_cap_with_both_agents_at_latest_accepts(self):
        # Both APIs run with [upgrade_levels] compute = auto.
        versions = {row[0] for row in self.backends.sql(
            'SELECT rpc_version FROM services WHERE "binary" = %s',
            (rpcapi.BINARY,))}
        self.assertEqual({rpcapi.LATEST_VERSION}, versions)
        result = self.nova('trigger-crash', 'auto-a', '--wait',
                           '--poll-interval', '0.2')
        self.assertSucceeded(result)
        self.assertEqual(['Success'], [m.group('outcome') for m in
                                       WAITED.finditer(result.stdout)],
                         result.describe())
        self.assertIn('Compute RPC version cap is %s (auto)'
                      % rpcapi.LATEST_VERSION, self.api.output())

    def test_request_for_stopped_agent_waits_in_its_queue(self):
        self.restart_agent_b_later()
        queue = '%s.%s' % (rpcapi.TOPIC, HOST_B)
        self.assertEqual(0, self.agent_b.stop())
        # The agent's queue outlives it: neither durable nor auto-deleted.
        self.assertEqual(0, self.backends.queues().get(queue))
        request_id = self.trigger(self.api, 'waits-b')
        self.assertEqual(1, self.backends.queues().get(queue))
        self.assertEqual([], self.events_of(B_WAITS, request_id))
        self.assertEqual(0, self.agent_b.delivered_nmis().count(B_WAITS))

        self.agent_b.start()
        event = self.finished_event(B_WAITS, request_id)
        self.assertEqual(('Success', HOST_B),
                         (event['result'], event['host']), event)
        self.assertEqual(1, self.agent_b.delivered_nmis().count(B_WAITS))
        self.assertEqual(0, self.backends.queues().get(queue))

    def test_request_that_waited_past_its_deadline_expires(self):
        self.restart_agent_b_later()
        self.assertEqual(0, self.agent_b.stop())
        sent = time.monotonic()
        request_id = self.trigger(self.short_api, 'expires-b')
        # The message waits in the queue while the deadline passes.
        time.sleep(max(0, sent + SHORT_TTL + 0.5 - time.monotonic()))
        self.agent_b.start()
        event = self.finished_event(B_EXPIRES, request_id)
        self.assertEqual(('Error', HOST_B), (event['result'], event['host']),
                         event)
        self.assertIn('expired', event['details'])
        self.assertIn(request_id, event['details'])
        self.assertEqual(0, self.agent_b.delivered_nmis().count(B_EXPIRES))

    def test_request_no_agent_took_up_is_closed_and_never_delivered(self):
        self.restart_agent_b_later()
        self.assertEqual(0, self.agent_b.stop())
        result = self.nova_at(self.closing_api, 'trigger-crash', 'lost-b',
                              '--wait', '--poll-interval', '0.2',
                              '--timeout', '30')
        self.assertFailed(result)
        match = WAITED.search(result.stdout)
        self.assertIsNotNone(match, result.describe())
        self.assertTrue(match.group('outcome').startswith('Error'),
                        result.describe())
        request_id = match.group('request_id')
        [event] = self.events_of(B_LOST, request_id)
        self.assertEqual(('Error', HOST_B), (event['result'], event['host']))
        self.assertIn('No compute agent took this request up',
                      event['details'])
        # The agent comes back, gets the queued request and leaves it.
        self.agent_b.start()
        wait_for(lambda: ('closed before this agent got it' in
                          self.agent_b.output()), 30,
                 'agent b taking the queued request up')
        self.assertEqual(1, len(self.events_of(B_LOST, request_id)))
        self.assertEqual(0, self.agent_b.delivered_nmis().count(B_LOST))

    def test_host_whose_agent_never_started_is_closed_at_once(self):
        # Nova's 202, and at once an Error event naming the host: nothing
        # is sent to a host no agent ever served.
        result = self.nova('trigger-crash', 'ghost')
        self.assertSucceeded(result)
        # No agent ever declared a queue for the host.
        self.assertNotIn('%s.%s' % (rpcapi.TOPIC, GHOST_HOST),
                         self.backends.queues())
        actions = self.recorded_actions(GHOST)
        self.assertEqual(1, len(actions), actions)
        self.assertEqual('Error', actions[0]['message'], actions)
        event = self.finished_event(GHOST, actions[0]['request_id'])
        self.assertEqual(('Error', GHOST_HOST),
                         (event['result'], event['host']), event)
        self.assertIn('No compute agent has ever served host %s'
                      % GHOST_HOST, event['details'])

    def test_api_restart_keeps_recorded_actions(self):
        result = self.nova('trigger-crash', 'restart-a', '--wait',
                           '--poll-interval', '0.2')
        self.assertSucceeded(result)
        request_id = WAITED.search(result.stdout).group('request_id')
        before = self.recorded_action(A_RESTART, request_id)

        old_pid = self.api.process.pid
        self.assertEqual(0, self.api.stop())
        self.api.start()
        self.assertNotEqual(old_pid, self.api.process.pid)
        self.assertEqual([request_id], [a['request_id'] for a in
                                        self.recorded_actions(A_RESTART)])
        self.assertEqual(before, self.recorded_action(A_RESTART, request_id))
        self.assertEqual('Success', before['events'][0]['result'], before)
