"""The embedded mode's in-process transport: a full agent queue makes the
sender wait, so the API accepts no faster than the agent delivers."""
import threading
import time
import unittest
from unittest import mock
import uuid

from oslo_config import cfg
import oslo_messaging as messaging

from crashdump_server import inproc_transport


class Endpoint:
    """Handles ``hold`` casts only when ``release`` is set."""

    def __init__(self):
        self.release = threading.Event()
        self.handled = []

    def hold(self, context, number):
        self.release.wait(10)
        self.handled.append(number)


class BacklogTest(unittest.TestCase):

    def setUp(self):
        super().setUp()
        for name, value in (('MAX_BACKLOG', 2), ('BACKLOG_WAIT', 10.0)):
            patcher = mock.patch.object(inproc_transport, name, value)
            patcher.start()
            self.addCleanup(patcher.stop)
        # oslo.messaging registers some of its options on the global CONF.
        self.transport = messaging.get_rpc_transport(cfg.CONF,
                                                     url='inproc://')
        self.addCleanup(self.transport.cleanup)
        self.topic = 'backlog-%s' % uuid.uuid4()
        self.endpoint = Endpoint()
        self.addCleanup(self.endpoint.release.set)

    def start_agent(self, host='agent-1'):
        server = messaging.get_rpc_server(
            self.transport, messaging.Target(topic=self.topic, server=host),
            [self.endpoint], executor='threading')
        server.start()

        def stop():
            self.endpoint.release.set()
            server.stop()
            server.wait()
        self.addCleanup(stop)

    def cast(self, number, host='agent-1'):
        client = messaging.get_rpc_client(
            self.transport, messaging.Target(topic=self.topic))
        client.prepare(server=host).cast({}, 'hold', number=number)

    def cast_in_thread(self, number):
        thread = threading.Thread(target=self.cast, args=(number,),
                                  daemon=True)
        thread.start()
        return thread

    def test_a_full_queue_makes_the_sender_wait_for_an_answer(self):
        self.start_agent()
        self.cast(1)
        self.cast(2)
        waiting = self.cast_in_thread(3)
        waiting.join(0.5)
        self.assertTrue(waiting.is_alive(), 'the third cast did not wait')
        self.endpoint.release.set()
        waiting.join(10)
        self.assertFalse(waiting.is_alive())
        deadline = time.monotonic() + 10
        while len(self.endpoint.handled) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual([1, 2, 3], sorted(self.endpoint.handled))

    def test_the_wait_is_bounded(self):
        self.start_agent()
        self.cast(1)
        self.cast(2)
        with mock.patch.object(inproc_transport, 'BACKLOG_WAIT', 0.2):
            started = time.monotonic()
            self.cast(3)
        self.assertGreaterEqual(time.monotonic() - started, 0.2)

    def test_a_queue_nobody_listens_on_never_makes_the_sender_wait(self):
        self.start_agent()
        started = time.monotonic()
        for number in range(5):
            self.cast(number, host='no-such-agent')
        self.assertLess(time.monotonic() - started, 5)
