"""The compute agent's side: events, notifications, outcomes, deadline.

Requests go through the in-process API and fake messaging to the agent;
a few tests call the manager directly to control what it receives.
"""
import datetime
import time
import types
from unittest import mock

import fixtures
from oslo_messaging.notify import _impl_test as test_notifier
from oslo_utils import timeutils
import testtools

from crashdump_server.compute import api as compute_api
from crashdump_server.compute import instance_actions
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from tests.lib import embedded
from tests.lib import inprocess

DELIVERED = '0d000000-0000-4000-8000-000000000001'
NOT_SUPPORTED = '0d000000-0000-4000-8000-000000000002'
NOT_RUNNING = '0d000000-0000-4000-8000-000000000003'
NOT_IMPLEMENTED = '0d000000-0000-4000-8000-000000000004'
PAUSED = '0d000000-0000-4000-8000-000000000005'
UNKNOWN = '0d000000-0000-4000-8000-0000000000ff'

SERVERS = [
    embedded.fake_server(DELIVERED, 'web-1'),
    embedded.fake_server(NOT_SUPPORTED, 'old-qemu', outcome='not_supported'),
    embedded.fake_server(NOT_RUNNING, 'off-1', outcome='not_running'),
    embedded.fake_server(NOT_IMPLEMENTED, 'odd-1',
                         outcome='not_implemented'),
    embedded.fake_server(PAUSED, 'paused-1', vm_state='paused'),
]
START = 'instance.trigger_crash_dump.start'
END = 'instance.trigger_crash_dump.end'
ERROR = 'instance.trigger_crash_dump.error'
EVENT = 'compute_trigger_crash_dump'


class ManagerTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(inprocess.InProcessServer(SERVERS))

    def trigger(self, server_id, token='alice:demo'):
        response = self.server.request(
            'POST', '/v2.1/servers/%s/action' % server_id,
            {'trigger_crash_dump': None}, version='2.17', token=token)
        self.assertEqual(202, response.status_int, response.body)
        request_id = response.headers['x-openstack-request-id']
        return request_id, self.server.wait_for_event(server_id, request_id)

    def wait_for_notifications(self, count, timeout=10):
        """The notifications once ``count`` have been sent (the agent
        emits the last one after finishing the event)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.server.notifications()
            if len(sent) >= count:
                # Give a stray extra notification the chance to show up.
                time.sleep(0.05)
                return self.server.notifications()
            time.sleep(0.02)
        self.fail('%d notifications expected, got %r'
                  % (count, self.server.notifications()))

    def instance_row(self, server_id):
        return db_api.instance_get(server_id)


class SuccessTest(ManagerTestCase):

    def test_success_event(self):
        request_id, action = self.trigger(DELIVERED)
        self.assertIsNone(action['message'])
        self.assertEqual(1, len(action['events']))
        event = action['events'][0]
        self.assertEqual((EVENT, 'Success', None, None, 'compute-1'),
                         (event['event'], event['result'],
                          event['traceback'], event['details'],
                          event['host']))
        self.assertIsNotNone(event['start_time'])
        self.assertIsNotNone(event['finish_time'])
        self.assertLessEqual(event['start_time'], event['finish_time'])
        self.assertEqual([DELIVERED], self.server.driver.nmis)

    def test_start_and_end_notifications(self):
        request_id, _action = self.trigger(DELIVERED)
        sent = self.wait_for_notifications(2)
        self.assertEqual([(START, 'INFO'), (END, 'INFO')],
                         [(event_type, priority)
                          for event_type, priority, _payload in sent])
        for _event_type, _priority, payload in sent:
            self.assertEqual('InstanceActionPayload',
                             payload['crashdump_object.name'])
            data = payload['crashdump_object.data']
            self.assertEqual(
                (DELIVERED, 'web-1', 'demo', 'alice', 'compute-1', 'active',
                 None, False, 'alice', 'demo', request_id, None),
                (data['uuid'], data['display_name'], data['tenant_id'],
                 data['user_id'], data['host'], data['state'],
                 data['task_state'], data['locked'],
                 data['action_initiator_user'],
                 data['action_initiator_project'], data['request_id'],
                 data['fault']))
        publishers = {message['publisher_id']
                      for _ctxt, message, _prio, _retry
                      in test_notifier.NOTIFICATIONS}
        self.assertEqual({'crashdump-compute:compute-1'}, publishers)

    def test_admin_is_the_initiator(self):
        request_id, _action = self.trigger(DELIVERED, token='admin:admin')
        sent = self.wait_for_notifications(2)
        data = sent[0][2]['crashdump_object.data']
        self.assertEqual(('admin', 'admin', 'demo'),
                         (data['action_initiator_user'],
                          data['action_initiator_project'],
                          data['tenant_id']))

    def test_states_unchanged(self):
        for server_id, vm_state in ((DELIVERED, 'active'),
                                    (PAUSED, 'paused')):
            before = self.instance_row(server_id)
            self.trigger(server_id)
            after = self.instance_row(server_id)
            self.assertEqual((vm_state, None),
                             (after.vm_state, after.task_state))
            self.assertEqual(
                (before.vm_state, before.task_state, before.power_state,
                 before.locked),
                (after.vm_state, after.task_state, after.power_state,
                 after.locked))
            shown = self.server.request(
                'GET', '/v2.1/servers/%s' % server_id).json['server']
            self.assertEqual((vm_state, None),
                             (shown['OS-EXT-STS:vm_state'],
                              shown['OS-EXT-STS:task_state']))
        self.assertEqual([DELIVERED, PAUSED], self.server.driver.nmis)

    def test_owner_sees_event_without_traceback(self):
        request_id, _action = self.trigger(DELIVERED)
        shown = self.server.request(
            'GET', '/v2.1/servers/%s/os-instance-actions/%s'
            % (DELIVERED, request_id), version='2.51').json
        event = shown['instanceAction']['events'][0]
        self.assertEqual('Success', event['result'])
        self.assertNotIn('traceback', event)


class OutcomeTest(ManagerTestCase):
    """Each fake outcome ends in an Error event with Nova's details."""

    def assertErrorOutcome(self, server_id, details, exception_name):
        request_id, action = self.trigger(server_id)
        self.assertEqual('Error', action['message'])
        self.assertEqual(1, len(action['events']))
        event = action['events'][0]
        self.assertEqual((EVENT, 'Error', details, 'compute-1'),
                         (event['event'], event['result'],
                          event['details'], event['host']))
        self.assertIn('Traceback (most recent call last)',
                      event['traceback'])
        self.assertIn(exception_name, event['traceback'])
        self.assertEqual([], self.server.driver.nmis)
        sent = self.wait_for_notifications(2)
        self.assertEqual([(START, 'INFO'), (ERROR, 'ERROR')],
                         [(event_type, priority)
                          for event_type, priority, _payload in sent])
        data = sent[1][2]['crashdump_object.data']
        self.assertEqual(({'message': details}, request_id, server_id),
                         (data['fault'], data['request_id'], data['uuid']))
        row = self.instance_row(server_id)
        self.assertEqual(('active', None), (row.vm_state, row.task_state))

    def test_not_supported(self):
        self.assertErrorOutcome(NOT_SUPPORTED,
                                'Triggering crash dump is not supported',
                                'TriggerCrashDumpNotSupported')

    def test_not_running(self):
        self.assertErrorOutcome(NOT_RUNNING,
                                'Instance %s is not running.' % NOT_RUNNING,
                                'InstanceNotRunning')

    def test_not_implemented(self):
        self.assertErrorOutcome(NOT_IMPLEMENTED, 'NotImplementedError',
                                'NotImplementedError')

    def test_error_does_not_stop_the_next_request(self):
        self.trigger(NOT_RUNNING)
        _request_id, action = self.trigger(DELIVERED)
        self.assertEqual('Success', action['events'][0]['result'])
        self.assertEqual([DELIVERED], self.server.driver.nmis)


class DeadlineTest(ManagerTestCase):

    def test_expired_request_is_error_without_nmi(self):
        # The API stamped the request long ago: it arrives expired.
        long_ago = datetime.datetime(2020, 1, 1, 12, 0, 0)
        self.useFixture(fixtures.MockPatchObject(
            compute_api, 'timeutils',
            types.SimpleNamespace(utcnow=lambda: long_ago)))
        request_id, action = self.trigger(DELIVERED)
        deadline = (long_ago + datetime.timedelta(seconds=300)).isoformat()
        event = action['events'][0]
        self.assertEqual('Error', event['result'])
        self.assertEqual(
            'Request %s expired at %s before the compute agent on '
            'compute-1 received it; no NMI was sent.'
            % (request_id, deadline), event['details'])
        self.assertIn('RequestExpired', event['traceback'])
        self.assertEqual('Error', action['message'])
        self.assertEqual([], self.server.driver.nmis)
        sent = self.wait_for_notifications(1)
        # Nothing started: only the error is announced.
        self.assertEqual([(ERROR, 'ERROR')],
                         [(event_type, priority)
                          for event_type, priority, _payload in sent])

    def test_deadline_follows_request_ttl(self):
        self.server.conf.set_override('request_ttl', 42)
        casts = []
        self.useFixture(fixtures.MockPatchObject(
            compute_api.rpcapi.ComputeAPI, 'trigger_crash_dump',
            side_effect=lambda ctx, instance, deadline: casts.append(
                (instance.uuid, deadline))))
        before = timeutils.utcnow()
        response = self.server.request(
            'POST', '/v2.1/servers/%s/action' % DELIVERED,
            {'trigger_crash_dump': None}, version='2.17')
        after = timeutils.utcnow()
        self.assertEqual(202, response.status_int)
        self.assertEqual([DELIVERED], [uuid for uuid, _ in casts])
        deadline = datetime.datetime.fromisoformat(casts[0][1])
        ttl = datetime.timedelta(seconds=42)
        self.assertTrue(before + ttl <= deadline <= after + ttl,
                        (before, deadline, after))


class DirectCallTest(ManagerTestCase):
    """The manager called as the RPC server would call it."""

    def context(self, request_id='req-0d0d0d0d-0000-4000-8000-000000000001'):
        return crashdump_context.RequestContext(
            user_id='alice', project_id='demo', roles=['member'],
            request_id=request_id)

    def start_action(self, context, server_id):
        db_api.action_start(context, server_id,
                            instance_actions.TRIGGER_CRASH_DUMP,
                            context.request_id)

    def event(self, context, server_id):
        action = db_api.action_get_by_request_id(server_id,
                                                 context.request_id)
        self.assertEqual(1, len(action.events))
        return action, action.events[0]

    def test_expired_deadline(self):
        context = self.context()
        self.start_action(context, DELIVERED)
        past = (timeutils.utcnow() - datetime.timedelta(seconds=1))
        self.server.agent.manager.trigger_crash_dump(
            context, DELIVERED, deadline=past.isoformat())
        action, event = self.event(context, DELIVERED)
        self.assertEqual(('Error', 'Error'), (action.message, event.result))
        self.assertIn('expired at %s' % past.isoformat(), event.details)
        self.assertEqual([], self.server.driver.nmis)

    def test_request_the_api_closed_sends_no_nmi(self):
        # As API.close_unanswered_requests leaves it.
        context = self.context()
        self.start_action(context, DELIVERED)
        db_api.event_start(DELIVERED, context.request_id,
                           instance_actions.EVENT_TRIGGER_CRASH_DUMP, 'api')
        db_api.event_finish(DELIVERED, context.request_id,
                            instance_actions.EVENT_TRIGGER_CRASH_DUMP,
                            instance_actions.ERROR, details='closed')
        self.server.agent.manager.trigger_crash_dump(context, DELIVERED)
        _action, event = self.event(context, DELIVERED)
        self.assertEqual(('Error', 'closed', 'api'),
                         (event.result, event.details, event.host))
        self.assertEqual([], self.server.driver.nmis)

    def test_deadline_with_timezone(self):
        context = self.context()
        self.start_action(context, DELIVERED)
        future = timeutils.utcnow() + datetime.timedelta(minutes=5)
        self.server.agent.manager.trigger_crash_dump(
            context, DELIVERED, deadline=future.isoformat() + '+00:00')
        _action, event = self.event(context, DELIVERED)
        self.assertEqual('Success', event.result)
        self.assertEqual([DELIVERED], self.server.driver.nmis)

    def test_no_deadline_is_delivered(self):
        context = self.context()
        self.start_action(context, DELIVERED)
        self.server.agent.manager.trigger_crash_dump(context, DELIVERED)
        action, event = self.event(context, DELIVERED)
        self.assertEqual((None, 'Success', None, None),
                         (action.message, event.result, event.details,
                          event.traceback))
        self.assertEqual([DELIVERED], self.server.driver.nmis)

    def test_server_gone_before_delivery(self):
        context = self.context()
        self.start_action(context, UNKNOWN)
        self.server.agent.manager.trigger_crash_dump(context, UNKNOWN)
        action, event = self.event(context, UNKNOWN)
        self.assertEqual(('Error', 'Error'), (action.message, event.result))
        self.assertEqual('Instance %s could not be found.' % UNKNOWN,
                         event.details)
        self.assertEqual([], self.server.driver.nmis)
        # No server, no payload: nothing is announced.
        self.assertEqual([], self.server.notifications())


class AgentRestartTest(ManagerTestCase):
    """An agent killed between an event's start and finish: its next start
    gives the event a final result (the NMI may have been sent)."""

    def test_next_start_closes_the_unfinished_event(self):
        admin = crashdump_context.get_admin_context()
        db_api.action_start(admin, DELIVERED,
                            instance_actions.TRIGGER_CRASH_DUMP, 'req-killed')
        db_api.event_start(DELIVERED, 'req-killed', EVENT, 'compute-1')
        manager = self.server.agent.manager
        self.assertEqual(1, manager.close_unfinished_events(admin))
        [event] = db_api.action_get_by_request_id(
            DELIVERED, 'req-killed').events
        self.assertEqual(
            ('Error', 'The compute agent of host compute-1 stopped while '
             'delivering this request; the NMI may have been sent. Look at '
             "the server's console before asking again."),
            (event.result, event.details))
        self.assertIsNotNone(event.finish_time)
        self.assertEqual(0, manager.close_unfinished_events(admin))

    def test_event_finished_meanwhile_is_left_alone(self):
        # The API's closer finishes the event between the agent's look and
        # its write: the agent starts all the same.
        admin = crashdump_context.get_admin_context()
        for request_id in ('req-closed', 'req-killed'):
            db_api.action_start(admin, DELIVERED,
                                instance_actions.TRIGGER_CRASH_DUMP,
                                request_id)
            db_api.event_start(DELIVERED, request_id, EVENT, 'compute-1')
        unfinished = db_api.unfinished_events('compute-1', EVENT)
        db_api.event_finish(DELIVERED, 'req-closed', EVENT, 'Error',
                            details='closed by the API')
        manager = self.server.agent.manager
        with mock.patch.object(db_api, 'unfinished_events',
                               return_value=unfinished):
            self.assertEqual(1, manager.close_unfinished_events(admin))
        [closed] = db_api.action_get_by_request_id(
            DELIVERED, 'req-closed').events
        self.assertEqual('closed by the API', closed.details)
        [killed] = db_api.action_get_by_request_id(
            DELIVERED, 'req-killed').events
        self.assertIn('stopped while delivering', killed.details)
