"""The compute RPC client: the version cap and what it lets the API send."""
import types
from unittest import mock

import fixtures
import oslo_messaging as messaging
from oslo_messaging import conffixture as messaging_fixture
import testtools

from crashdump_server.compute import manager as compute_manager
from crashdump_server.compute import rpcapi
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import rpc
from tests.unit.server import test_db_api


class RpcTestCase(testtools.TestCase):
    """A database and the fake transport; no agent runs."""

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(test_db_api.Database())
        self.conf = self.db.conf
        self.useFixture(messaging_fixture.ConfFixture(self.conf))
        rpc.init(self.conf)
        self.addCleanup(rpc.cleanup)
        self.context = self.db.context

    def cap(self, value):
        self.conf.set_override('compute', value, group='upgrade_levels')

    def agents(self, *versions):
        for n, version in enumerate(versions):
            db_api.service_heartbeat('host-%d' % n,
                                     rpcapi.BINARY, rpcapi.TOPIC, version)

    def client(self):
        return rpcapi.ComputeAPI(self.conf,
                                 crashdump_context.get_admin_context())


class CanTriggerCrashDumpTest(RpcTestCase):

    def test_no_cap(self):
        for value in (None, ''):
            self.cap(value)
            self.assertTrue(self.client().can_trigger_crash_dump())

    def test_no_cap_ignores_old_agents(self):
        self.agents('1.0')
        self.cap(None)
        self.assertTrue(self.client().can_trigger_crash_dump())

    def test_pinned_below(self):
        self.cap('1.0')
        self.assertFalse(self.client().can_trigger_crash_dump())

    def test_pinned_at(self):
        self.cap('1.1')
        self.assertTrue(self.client().can_trigger_crash_dump())

    def test_pinned_ignores_services(self):
        self.agents('1.0')
        self.cap('1.1')
        self.assertTrue(self.client().can_trigger_crash_dump())
        self.cap('1.0')
        self.agents('1.1')
        self.assertFalse(self.client().can_trigger_crash_dump())

    def test_auto_with_an_old_agent(self):
        self.agents('1.1', '1.0')
        self.cap('auto')
        self.assertFalse(self.client().can_trigger_crash_dump())

    def test_auto_with_new_agents(self):
        self.agents('1.1', '1.1')
        self.cap('auto')
        self.assertTrue(self.client().can_trigger_crash_dump())

    def test_auto_with_only_old_agents(self):
        self.agents('1.0')
        self.cap('auto')
        self.assertFalse(self.client().can_trigger_crash_dump())

    def test_auto_without_agents_assumes_latest(self):
        self.cap('auto')
        self.assertTrue(self.client().can_trigger_crash_dump())

    def test_auto_compares_versions_as_numbers(self):
        # '1.10' is newer than '1.9' although it sorts before it as text.
        self.agents('1.10', '1.9')
        self.cap('auto')
        client = self.client()
        self.assertTrue(client.can_trigger_crash_dump())
        self.assertEqual('1.9', client._version_cap())

    def test_auto_cap_read_again_after_ttl(self):
        clock = types.SimpleNamespace(monotonic=lambda: clock.now, now=1000.0)
        self.useFixture(fixtures.MockPatchObject(rpcapi, 'time', clock))
        self.agents('1.1')
        self.cap('auto')
        client = self.client()
        self.assertTrue(client.can_trigger_crash_dump())
        db_api.service_heartbeat('late-old-agent',
                                 rpcapi.BINARY, rpcapi.TOPIC, '1.0')
        clock.now += rpcapi.AUTO_CAP_TTL - 1
        self.assertTrue(client.can_trigger_crash_dump())
        clock.now += 2
        self.assertFalse(client.can_trigger_crash_dump())

    def test_other_binaries_do_not_count(self):
        db_api.service_heartbeat('h', 'crashdump-api',
                                 'x', '1.0')
        self.agents('1.1')
        self.cap('auto')
        self.assertTrue(self.client().can_trigger_crash_dump())


class CastTest(RpcTestCase):
    """What goes on the wire, with oslo.messaging's client mocked."""

    def setUp(self):
        super().setUp()
        self.rpc_client = mock.Mock()
        self.get_client = self.useFixture(fixtures.MockPatchObject(
            rpc, 'get_client', return_value=self.rpc_client)).mock

    def test_trigger_crash_dump_cast(self):
        self.cap('1.1')
        instance = types.SimpleNamespace(uuid='u-1', host='compute-7')
        context = object()
        self.client().trigger_crash_dump(context, instance,
                                         '2024-05-01T12:05:00')
        [(target,), kwargs] = self.get_client.call_args
        self.assertEqual((rpcapi.TOPIC, '1.0', {'version_cap': '1.1'}),
                         (target.topic, target.version, kwargs))
        self.assertEqual(1, self.rpc_client.prepare.call_count)
        prepared = self.rpc_client.prepare.call_args[1]
        self.assertEqual(('compute-7', '1.1'),
                         (prepared['server'], prepared['version']))
        self.rpc_client.prepare.return_value.cast.assert_called_once_with(
            context, 'trigger_crash_dump', instance_uuid='u-1',
            deadline='2024-05-01T12:05:00')
        self.rpc_client.prepare.return_value.call.assert_not_called()

    def test_undeliverable_cast_is_agent_unreachable(self):
        # RabbitMQ returns a cast for a host no agent ever listened on;
        # MessageUndeliverable is not a MessagingException.
        instance = types.SimpleNamespace(uuid='u-1', host='compute-9')
        context = types.SimpleNamespace(request_id='req-1')
        undeliverable = messaging.MessageUndeliverable(
            Exception('no route'), 'crashdump', 'k', 'm')
        for failure in (undeliverable,
                        messaging.MessageDeliveryFailure('broker gone')):
            self.rpc_client.prepare.return_value.cast.side_effect = failure
            error = self.assertRaises(
                exception.ComputeAgentUnreachable,
                self.client().trigger_crash_dump, context, instance,
                '2024-05-01T12:05:00')
            self.assertIn('compute-9', error.message)
        prepared = self.rpc_client.prepare.call_args[1]
        self.assertTrue(prepared['transport_options'].at_least_once)

    def test_one_client_per_cap(self):
        api = self.client()
        self.cap(None)
        api.can_trigger_crash_dump()
        api.can_trigger_crash_dump()
        self.assertEqual(1, self.get_client.call_count)
        self.cap('1.0')
        api.can_trigger_crash_dump()
        self.assertEqual(2, self.get_client.call_count)
        self.assertEqual({'version_cap': '1.0'},
                         self.get_client.call_args[1])

    def test_sync_instances_cast(self):
        context = object()
        self.client().sync_instances(context, 'compute-7')
        self.rpc_client.prepare.assert_called_once_with(
            server='compute-7', version='1.0')
        self.rpc_client.prepare.return_value.cast.assert_called_once_with(
            context, 'sync_instances')


class VersionsTest(testtools.TestCase):

    def test_trigger_crash_dump_is_a_bump(self):
        self.assertEqual('1.0', rpcapi.BASE_VERSION)
        self.assertEqual('1.1', rpcapi.TRIGGER_CRASH_DUMP_VERSION)

    def test_manager_serves_the_latest(self):
        self.assertEqual(rpcapi.LATEST_VERSION,
                         compute_manager.ComputeManager.target.version)
