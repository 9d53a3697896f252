"""compute.api.API: visibility, the checks' order, the record, the cast.

The RPC client is a mock; the database is real (SQLite).
"""
import datetime
import types
from unittest import mock

from oslo_utils import fixture as utils_fixture
import testtools

from crashdump_server.compute import api as compute_api
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
        self.useFixture(utils_fixture.TimeFixture(NOW))
        db_api.instance_sync(self.db.context, 'compute-1', [
            test_db_api.record(SERVER, 'web-1', host='compute-1',
                               launched_at=NOW),
            test_db_api.record(OTHER, 'db-1', host='compute-1',
                               project_id='other', launched_at=NOW)])
        self.api = compute_api.API(self.db.conf)
        self.rpc = self.api.compute_rpcapi = mock.Mock()
        self.rpc.can_trigger_crash_dump.return_value = True

    def instance(self, **changes):
        # A server as the API reads it, with some columns changed.
        instance = db_api.instance_get(self.db.context, SERVER)
        return types.SimpleNamespace(**dict(instance._mapping, **changes))

    def actions(self, server_id=SERVER):
        return db_api.actions_get(self.db.context, server_id)


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
        db_api.instance_sync(self.db.context, 'compute-1', [])
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
        action = db_api.action_get_by_request_id(ctxt, SERVER,
                                                 ctxt.request_id)
        self.assertEqual('Error', action.message)
        [event] = action.events
        self.assertEqual(('compute_trigger_crash_dump', 'Error',
                          exc.message, 'compute-1'),
                         (event.event, event.result, event.details,
                          event.host))
        self.assertIsNotNone(event.finish_time)
