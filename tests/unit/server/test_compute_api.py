"""compute.api.API: visibility, the checks' order, the record, the cast.

The RPC client is a mock; the database is real (SQLite).
"""
import datetime
import threading
import types
from unittest import mock

import fixtures
from oslo_utils import fixture as utils_fixture
import testtools

from crashdump_server.compute import api as compute_api
from crashdump_server.compute import rpcapi
from crashdump_server.compute import unanswered
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server import exception
from tests.unit.server import test_db_api

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0)
SERVER = 'ca000000-0000-4000-8000-000000000001'
OTHER = 'ca000000-0000-4000-8000-000000000002'


def context(user='alice', project='demo', admin=False,
            request_id='req-ca000000-0000-4000-8000-000000000001'):
    return crashdump_context.RequestContext(
        user_id=user, project_id=project,
        roles=['admin', 'member'] if admin else ['member'],
        is_admin=admin, request_id=request_id)


class ComputeApiTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(test_db_api.Database())
        self.time = self.useFixture(utils_fixture.TimeFixture(NOW))
        db_api.instance_sync('compute-1', [
            test_db_api.record(SERVER, 'web-1', host='compute-1',
                               launched_at=NOW),
            test_db_api.record(OTHER, 'db-1', host='compute-1',
                               project_id='other', launched_at=NOW)])
        self.heartbeat('compute-1')
        self.api = compute_api.API(self.db.conf)
        self.rpc = self.api.compute_rpcapi = mock.Mock()
        self.rpc.can_trigger_crash_dump.return_value = True

    def heartbeat(self, host):
        db_api.service_heartbeat(host, rpcapi.BINARY, rpcapi.TOPIC,
                                 rpcapi.LATEST_VERSION)

    def instance(self, **changes):
        # A server as the API reads it, with some columns changed.
        instance = db_api.instance_get(SERVER)
        return types.SimpleNamespace(**dict(instance._mapping, **changes))

    def actions(self, server_id=SERVER):
        return db_api.actions_get(server_id)


class GetTest(ComputeApiTestCase):

    def test_owner(self):
        self.assertEqual(SERVER, self.api.get(context(), SERVER).uuid)

    def test_other_project_is_missing(self):
        exc = self.assertRaises(exception.InstanceNotFound, self.api.get,
                                context(), OTHER)
        self.assertEqual('Instance %s could not be found.' % OTHER,
                         exc.message)

    def test_admin_sees_every_project(self):
        self.assertEqual(OTHER, self.api.get(
            context('admin', 'admin', admin=True), OTHER).uuid)

    def test_not_a_uuid_never_reaches_the_database(self):
        with mock.patch.object(db_api, 'instance_get') as instance_get:
            exc = self.assertRaises(exception.InstanceNotFound,
                                    self.api.get, context(), 'web-1')
        instance_get.assert_not_called()
        self.assertEqual('Instance web-1 could not be found.', exc.message)

    def test_deleted_only_when_asked(self):
        db_api.instance_sync('compute-1', [])
        self.assertRaises(exception.InstanceNotFound, self.api.get,
                          context(), SERVER)
        self.assertEqual(SERVER, self.api.get(context(), SERVER,
                                              read_deleted=True).uuid)


class TriggerCrashDumpTest(ComputeApiTestCase):

    def assertRefused(self, exc_class, message, instance, ctxt=None):
        exc = self.assertRaises(exc_class, self.api.trigger_crash_dump,
                                ctxt or context(), instance)
        self.assertEqual(message, exc.message)
        self.assertEqual([], self.actions())
        self.rpc.trigger_crash_dump.assert_not_called()
        return exc

    def test_records_then_casts(self):
        ctxt = context()
        order = []
        self.rpc.trigger_crash_dump.side_effect = (
            lambda *args: order.append(('cast', len(self.actions()))))
        instance = self.instance()
        self.assertIsNone(self.api.trigger_crash_dump(ctxt, instance))
        # The action existed when the cast went out.
        self.assertEqual([('cast', 1)], order)
        [action] = self.actions()
        self.assertEqual(
            ('trigger_crash_dump', ctxt.request_id, 'alice', 'demo', NOW),
            (action.action, action.request_id, action.user_id,
             action.project_id, action.start_time))
        self.rpc.trigger_crash_dump.assert_called_once_with(
            ctxt, instance,
            (NOW + datetime.timedelta(seconds=300)).isoformat())

    def test_deadline_uses_request_ttl(self):
        self.db.conf.set_override('request_ttl', 7)
        self.api.trigger_crash_dump(context(), self.instance())
        deadline = self.rpc.trigger_crash_dump.call_args[0][2]
        self.assertEqual('2024-05-01T12:00:07', deadline)

    def test_locked_refused_for_owner(self):
        self.assertRefused(exception.InstanceIsLocked,
                           'Instance %s is locked' % SERVER,
                           self.instance(locked=True))

    def test_locked_allowed_for_admin(self):
        self.api.trigger_crash_dump(context('admin', 'admin', admin=True),
                                    self.instance(locked=True))
        self.assertEqual(1, len(self.actions()))

    def test_no_host(self):
        for host in (None, ''):
            exc = self.assertRefused(exception.InstanceNotReady,
                                     'Instance %s is not ready' % SERVER,
                                     self.instance(host=host))
            self.assertEqual(409, exc.code)

    def test_vm_state(self):
        exc = self.assertRefused(
            exception.InstanceInvalidState,
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "vm_state suspended" % SERVER,
            self.instance(vm_state='suspended'))
        self.assertEqual(409, exc.code)

    def test_task_state(self):
        self.assertRefused(
            exception.InstanceInvalidState,
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "task_state migrating" % SERVER,
            self.instance(task_state='migrating'))

    def test_never_launched(self):
        self.assertRefused(
            exception.InstanceInvalidState,
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "launched_at None" % SERVER,
            self.instance(launched_at=None))

    def test_order_lock_host_state_rpc(self):
        self.rpc.can_trigger_crash_dump.return_value = False
        everything_wrong = dict(locked=True, host=None, vm_state='stopped',
                                task_state='rebooting')
        self.assertRefused(exception.InstanceIsLocked,
                           'Instance %s is locked' % SERVER,
                           self.instance(**everything_wrong))
        admin = context('admin', 'admin', admin=True)
        self.assertRefused(exception.InstanceNotReady,
                           'Instance %s is not ready' % SERVER,
                           self.instance(**everything_wrong), admin)
        everything_wrong['host'] = 'compute-1'
        self.assertRefused(
            exception.InstanceInvalidState,
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "vm_state stopped" % SERVER,
            self.instance(**everything_wrong), admin)
        self.rpc.can_trigger_crash_dump.assert_not_called()

    def test_rpc_cap_refusal_records_nothing(self):
        self.rpc.can_trigger_crash_dump.return_value = False
        exc = self.assertRefused(exception.TriggerCrashDumpNotSupported,
                                 'Triggering crash dump is not supported',
                                 self.instance())
        self.assertEqual(400, exc.code)

    def test_unreachable_agent_closes_the_action(self):
        self.rpc.trigger_crash_dump.side_effect = (
            exception.ComputeAgentUnreachable(host='compute-1'))
        ctxt = context()
        exc = self.assertRaises(exception.ComputeAgentUnreachable,
                                self.api.trigger_crash_dump, ctxt,
                                self.instance())
        self.assertEqual(503, exc.code)
        action = db_api.action_get_by_request_id(SERVER,
                                                 ctxt.request_id)
        self.assertEqual('Error', action.message)
        [event] = action.events
        self.assertEqual(('compute_trigger_crash_dump', 'Error',
                          exc.message, 'compute-1'),
                         (event.event, event.result, event.details,
                          event.host))
        self.assertIsNotNone(event.finish_time)


class CloseUnansweredRequestsTest(ComputeApiTestCase):
    """Requests no agent took up get an Error event after their deadline
    plus the grace (request_ttl 300 s and grace 60 s by default)."""

    def setUp(self):
        super().setUp()
        self.admin = crashdump_context.get_admin_context()

    def request(self, request_id):
        ctxt = context(request_id=request_id)
        self.api.trigger_crash_dump(ctxt, self.instance())
        return ctxt

    def events(self, ctxt):
        return db_api.action_get_by_request_id(SERVER, ctxt.request_id).events

    def test_closed_only_after_deadline_and_grace(self):
        lost = self.request('req-lost')
        self.time.advance_time_seconds(300 + 60)
        self.assertEqual(0, self.api.close_unanswered_requests(self.admin))
        self.time.advance_time_seconds(1)
        self.assertEqual(1, self.api.close_unanswered_requests(self.admin))
        [event] = self.events(lost)
        self.assertEqual(('compute_trigger_crash_dump', 'Error',
                          'compute-1'),
                         (event.event, event.result, event.host))
        self.assertEqual(
            'No compute agent took this request up by its deadline '
            '(2024-05-01T12:05:00); no NMI was sent. The compute agent of '
            'host compute-1 may be down, or the request was lost on its '
            'way there.', event.details)
        self.assertEqual('Error', db_api.action_get_by_request_id(
            SERVER, 'req-lost').message)
        # Closed once.
        self.assertEqual(0, self.api.close_unanswered_requests(self.admin))

    def test_answered_and_recent_requests_are_left_alone(self):
        answered = self.request('req-answered')
        db_api.event_start(SERVER, 'req-answered',
                           'compute_trigger_crash_dump', 'compute-1')
        db_api.event_finish(SERVER, 'req-answered',
                            'compute_trigger_crash_dump', 'Success')
        self.time.advance_time_seconds(400)
        self.heartbeat('compute-1')
        recent = self.request('req-recent')
        self.assertEqual(0, self.api.close_unanswered_requests(self.admin))
        self.assertEqual(['Success'],
                         [e.result for e in self.events(answered)])
        self.assertEqual([], self.events(recent))

    def test_event_started_and_never_finished_is_closed(self):
        stopped = self.request('req-stopped')
        db_api.event_start(SERVER, 'req-stopped',
                           'compute_trigger_crash_dump', 'compute-1')
        self.time.advance_time_seconds(360)
        self.assertEqual(0, self.api.close_unanswered_requests(self.admin))
        self.time.advance_time_seconds(1)
        self.assertEqual(1, self.api.close_unanswered_requests(self.admin))
        [event] = self.events(stopped)
        self.assertEqual(
            ('Error', 'The compute agent of host compute-1 stopped while '
             'delivering this request; the NMI may have been sent. Look at '
             "the server's console before asking again."),
            (event.result, event.details))
        self.assertEqual(0, self.api.close_unanswered_requests(self.admin))

    def test_event_the_agent_finishes_meanwhile_is_left_alone(self):
        late = self.request('req-late')
        db_api.event_start(SERVER, 'req-late', 'compute_trigger_crash_dump',
                           'compute-1')
        self.request('req-lost')
        self.time.advance_time_seconds(361)
        finish = db_api.event_finish

        def agent_first(instance_uuid, request_id, event, *args, **kwargs):
            # The agent finishes between the closer's look and its write.
            finish(instance_uuid, request_id, event, 'Success')
            return finish(instance_uuid, request_id, event, *args, **kwargs)
        with mock.patch.object(db_api, 'event_finish',
                               side_effect=agent_first):
            # The look goes on to the next request.
            self.assertEqual(1,
                             self.api.close_unanswered_requests(self.admin))
        [event] = self.events(late)
        self.assertEqual('Success', event.result)

    def test_each_look_is_bounded(self):
        self.useFixture(fixtures.MockPatchObject(compute_api, 'LOOK_LIMIT',
                                                 2))
        for number in range(5):
            self.request('req-%d' % number)
        self.time.advance_time_seconds(361)
        with mock.patch.object(db_api, 'requests_after',
                               wraps=db_api.requests_after) as reads:
            self.assertEqual([2, 2, 1, 0], [
                self.api.close_unanswered_requests(self.admin)
                for _ in range(4)])
        self.assertEqual([2] * 4, [call.args[2]
                                   for call in reads.call_args_list])

    def test_each_request_keeps_the_deadline_it_was_given(self):
        self.db.conf.set_override('request_ttl', 10)
        self.db.conf.set_override('unanswered_request_grace', 5)
        short = self.request('req-short')
        self.db.conf.set_override('request_ttl', 300)
        self.request('req-long')
        self.time.advance_time_seconds(16)
        self.assertEqual(1, self.api.close_unanswered_requests(self.admin))
        self.assertEqual(['Error'], [e.result for e in self.events(short)])

    def test_agent_taking_it_up_meanwhile_wins(self):
        self.request('req-raced')
        self.time.advance_time_seconds(361)
        record = db_api.event_record

        def agent_first(instance_uuid, request_id, event, *args, **kwargs):
            # The agent records its event between the closer's look and
            # its write.
            db_api.event_start(instance_uuid, request_id, event, 'agent')
            return record(instance_uuid, request_id, event, *args, **kwargs)
        with mock.patch.object(db_api, 'event_record',
                               side_effect=agent_first):
            self.assertEqual(0,
                             self.api.close_unanswered_requests(self.admin))


class UnansweredRequestCloserTest(ComputeApiTestCase):

    def test_looks_every_interval_and_survives_a_failure(self):
        self.db.conf.set_override('unanswered_request_grace', 1)
        closer = unanswered.UnansweredRequestCloser(self.db.conf)
        self.assertEqual(1, closer.interval)
        looks = []
        second_look = threading.Event()

        def close(_context):
            looks.append(1)
            if len(looks) == 1:
                raise RuntimeError('database hiccup')
            second_look.set()
            return 0
        closer._compute_api = mock.Mock(
            close_unanswered_requests=mock.Mock(side_effect=close))
        closer.start()
        self.addCleanup(closer.stop)
        self.assertTrue(second_look.wait(10))

    def test_interval_is_at_most_30_seconds(self):
        self.assertEqual(
            30, unanswered.UnansweredRequestCloser(self.db.conf).interval)


class NoLiveAgentTest(ComputeApiTestCase):
    """A request for a host without a live agent is accepted (Nova's 202)
    and closed at once with an Error event naming the host."""

    def trigger(self, host, request_id):
        ctxt = context(request_id=request_id)
        self.api.trigger_crash_dump(ctxt, self.instance(host=host))
        self.rpc.trigger_crash_dump.assert_not_called()
        [event] = db_api.action_get_by_request_id(SERVER,
                                                  request_id).events
        self.assertEqual(('Error', host), (event.result, event.host))
        self.assertIsNotNone(event.finish_time)
        return event.details

    def test_host_no_agent_ever_served(self):
        self.assertEqual(
            'No compute agent has ever served host compute-9, so no NMI '
            'was sent. Check that crashdump-compute runs there with '
            '[DEFAULT] host = compute-9.', self.trigger('compute-9', 'req-9'))

    def test_agent_down(self):
        self.time.advance_time_seconds(61)
        self.assertEqual(
            'The compute agent of host compute-1 was last seen at '
            '2024-05-01T12:00:00Z and is down, so no NMI was sent. Start '
            'crashdump-compute there and ask again.',
            self.trigger('compute-1', 'req-down'))

    def test_agent_up_gets_the_cast(self):
        self.time.advance_time_seconds(60)
        self.api.trigger_crash_dump(context(), self.instance())
        self.rpc.trigger_crash_dump.assert_called_once()

    def test_row_seen_up_answers_without_a_query_while_it_would(self):
        services_get = self.useFixture(fixtures.MockPatchObject(
            db_api, 'services_get', wraps=db_api.services_get)).mock
        for request_id in ('req-1', 'req-2', 'req-3'):
            self.api.trigger_crash_dump(context(request_id=request_id),
                                        self.instance())
        self.assertEqual(3, self.rpc.trigger_crash_dump.call_count)
        self.assertEqual(1, services_get.call_count)
        self.rpc.trigger_crash_dump.reset_mock()
        # Past service_down_time the remembered heartbeat would say down:
        # the row is read again, and the agent is down.
        self.time.advance_time_seconds(61)
        self.assertIn('is down, so no NMI was sent',
                      self.trigger('compute-1', 'req-late'))
        self.assertEqual(2, services_get.call_count)

    def test_agent_back_after_being_down(self):
        self.time.advance_time_seconds(61)
        self.assertIn('is down', self.trigger('compute-1', 'req-down'))
        self.heartbeat('compute-1')
        self.api.trigger_crash_dump(context(request_id='req-up'),
                                    self.instance())
        self.rpc.trigger_crash_dump.assert_called_once()


class HostStatusesTest(ComputeApiTestCase):
    """host_statuses: 'UP' while the agent's heartbeat is younger than
    [DEFAULT] service_down_time, else 'UNKNOWN'; hosts without an agent
    row are left out."""

    def beat(self, host, seconds_ago):
        self.time.advance_time_seconds(-seconds_ago)
        db_api.service_heartbeat(host, 'crashdump-compute',
                                 'crashdump-compute', '1.0')
        self.time.advance_time_seconds(seconds_ago)

    def test_service_down_time_decides(self):
        self.beat('compute-1', 30)
        self.beat('compute-2', 90)
        hosts = {'compute-1', 'compute-2', 'compute-3'}
        self.assertEqual({'compute-1': 'UP', 'compute-2': 'UNKNOWN'},
                         self.api.host_statuses(context(), hosts))
        self.db.conf.set_override('service_down_time', 120)
        self.assertEqual({'compute-1': 'UP', 'compute-2': 'UP'},
                         self.api.host_statuses(context(), hosts))
