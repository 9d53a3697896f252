"""The embedded transport against the oslo.messaging it builds on.

``inproc://`` subclasses oslo.messaging's private fake driver
(``oslo_messaging._drivers.impl_fake``). These tests pin every private
name and signature it relies on, and send real calls and casts through
it, so an oslo.messaging release that changes them fails here rather than
in the embedded mode.
"""
import inspect
import threading

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import conffixture as messaging_fixture
from oslo_messaging._drivers import base
from oslo_messaging._drivers import impl_fake
import testtools

from crashdump_server import inproc_transport


def params(function):
    return list(inspect.signature(function).parameters)


class PrivateApiTest(testtools.TestCase):
    """What inproc_transport takes from impl_fake and base, by name."""

    def test_classes_it_subclasses_or_builds(self):
        for name in ('FakeExchange', 'FakeExchangeManager', 'FakeListener',
                     'FakeIncomingMessage', 'FakeDriver'):
            self.assertTrue(inspect.isclass(getattr(impl_fake, name)), name)
        self.assertTrue(callable(base.batch_poll_helper))
        self.assertTrue(inspect.isclass(base.PollStyleListenerAdapter))

    def test_signatures(self):
        self.assertEqual(['self', 'target', 'pool'],
                         params(impl_fake.FakeExchange.poll))
        self.assertEqual(
            ['self', 'topic', 'ctxt', 'message', 'server', 'fanout',
             'reply_q'], params(impl_fake.FakeExchange.deliver_message))
        self.assertEqual(['self', 'name'], params(
            impl_fake.FakeExchangeManager.get_exchange))
        self.assertEqual(['self', 'ctxt', 'message', 'reply_q', 'requeue'],
                         params(impl_fake.FakeIncomingMessage.__init__))
        self.assertEqual(
            ['self', 'conf', 'url', 'default_exchange',
             'allowed_remote_exmods'],
            params(impl_fake.FakeDriver.__init__))
        self.assertEqual(['self', 'poll_style_listener', 'batch_size',
                          'batch_timeout'],
                         params(base.PollStyleListenerAdapter.__init__))

    def test_attributes_the_listener_reads(self):
        manager = inproc_transport._ExchangeManager('crashdump')
        self.assertEqual('crashdump', manager._default_exchange)
        target = messaging.Target(topic='t', exchange='crashdump')
        listener = inproc_transport._Listener(manager, [target])
        for name in ('_stopped', '_targets', '_exchange_manager', '_pool'):
            self.assertTrue(hasattr(listener, name), name)
        self.assertIsInstance(manager.get_exchange(None),
                              inproc_transport._Exchange)


class Endpoint:

    def __init__(self):
        self.casts = []
        self.cast_arrived = threading.Event()

    def echo(self, _ctxt, value):
        return value

    def note(self, _ctxt, value):
        self.casts.append(value)
        self.cast_arrived.set()


class RoundTripTest(testtools.TestCase):
    """Calls and casts through ``inproc://`` as the embedded mode uses it."""

    def setUp(self):
        super().setUp()
        conf = cfg.ConfigOpts()
        conf([], default_config_files=[])
        # Registers oslo.messaging's options; the URL below wins over the
        # fixture's fake:/.
        self.useFixture(messaging_fixture.ConfFixture(conf))
        self.transport = messaging.get_rpc_transport(conf, url='inproc://')
        self.addCleanup(self.transport.cleanup)
        self.assertIsInstance(self.transport._driver,
                              inproc_transport.InProcessDriver)
        self.endpoint = Endpoint()
        target = messaging.Target(topic='pin', server='host-1')
        self.server = messaging.get_rpc_server(
            self.transport, target, [self.endpoint], executor='threading')
        self.server.start()
        self.addCleanup(self.server.wait)
        self.addCleanup(self.server.stop)
        self.client = messaging.get_rpc_client(
            self.transport, messaging.Target(topic='pin', server='host-1'))

    def test_call_returns_the_answer(self):
        self.assertEqual({'a': 1}, self.client.call({}, 'echo',
                                                    value={'a': 1}))

    def test_cast_is_delivered(self):
        self.client.cast({}, 'note', value='nmi')
        self.assertTrue(self.endpoint.cast_arrived.wait(10))
        self.assertEqual(['nmi'], self.endpoint.casts)
