"""The embedded mode's message transport: in-process, woken per message.

oslo.messaging's own in-process driver (``fake://``, written for tests)
has its listeners look for messages every 50 ms, which put 25 ms on average
between the API's cast and the agent acting on it. This driver is that one
with a listener that sleeps until a message is delivered. It is registered
as ``inproc`` in the ``oslo.messaging.drivers`` entry point group, so the
embedded mode's ``transport_url`` is ``inproc://``.

The API and the agent share one interpreter, and the API's many HTTP
threads would otherwise take most of it: requests were accepted faster
than the agent delivered them, and waited in the queue (with a short
``request_ttl``, until they expired). So a queue that an agent listens on
holds at most :data:`MAX_BACKLOG` messages not yet answered; a sender
waits for room (at most :data:`BACKLOG_WAIT` seconds), and the API accepts
requests as fast as the agent delivers them.

It builds on oslo.messaging's private fake driver module: the library range
in pyproject.toml is pinned below its next major version for that reason,
and tests/unit/server/test_inproc_transport.py pins every private name and
signature used here and sends calls and casts through it. Kept rather than
replaced: oslo.messaging has no public in-process driver, and a broker in
the embedded mode is what that mode exists to avoid.
"""
import collections
import functools
import threading
import time

import oslo_messaging
from oslo_messaging._drivers import base
from oslo_messaging._drivers import impl_fake

_DELIVERED = threading.Condition()
_deliveries = 0

#: Messages a listened-to server queue holds, taken or not, until the
#: agent has answered them; a sender waits while it is full. Twice the
#: agent's threads (rpc.AGENT_THREADS) keeps each of them busy.
MAX_BACKLOG = 16
#: The longest a sender waits for room before it delivers all the same
#: (an agent stuck in its driver must not stop the API; the request's
#: deadline still keeps a late NMI from firing).
BACKLOG_WAIT = 5.0


class _Exchange(impl_fake.FakeExchange):
    """An exchange that wakes waiting listeners on every message, and
    makes senders wait while a listened-to server queue is full."""

    def __init__(self, name):
        super().__init__(name)
        self._room = threading.Condition()
        self._backlog = collections.Counter()
        self._listened = collections.Counter()

    def listen(self, key):
        with self._room:
            self._listened[key] += 1

    def unlisten(self, key):
        with self._room:
            self._listened[key] -= 1
            self._room.notify_all()

    def answered(self, key):
        """A message taken from the server queue ``key`` was handled."""
        with self._room:
            self._backlog[key] -= 1
            self._room.notify()

    def deliver_message(self, topic, ctxt, message, server=None,
                        fanout=False, reply_q=None):
        global _deliveries
        key = (topic, server)
        counted = server is not None and not fanout
        if counted:
            with self._room:
                self._room.wait_for(
                    lambda: (self._listened[key] <= 0
                             or self._backlog[key] < MAX_BACKLOG),
                    BACKLOG_WAIT)
                self._backlog[key] += 1
        result = super().deliver_message(topic, ctxt, message, server=server,
                                         fanout=fanout, reply_q=reply_q)
        with _DELIVERED:
            _deliveries += 1
            _DELIVERED.notify_all()
        return result


class _IncomingMessage(impl_fake.FakeIncomingMessage):
    """A message that frees its place in the backlog once answered (the
    RPC server replies to casts too, after the endpoint returns)."""

    def __init__(self, ctxt, message, reply_q, requeue, done):
        super().__init__(ctxt, message, reply_q, requeue)
        self._done = done

    def reply(self, reply=None, failure=None):
        try:
            super().reply(reply, failure)
        finally:
            done, self._done = self._done, None
            if done is not None:
                done()


class _ExchangeManager(impl_fake.FakeExchangeManager):
    # Exchanges of their own, apart from any fake:// transport's.
    _exchanges_lock = threading.Lock()
    _exchanges = {}

    def get_exchange(self, name):
        if name is None:
            name = self._default_exchange
        with self._exchanges_lock:
            exchange = self._exchanges.get(name)
            if exchange is None:
                exchange = self._exchanges[name] = _Exchange(name)
            return exchange


class _Listener(impl_fake.FakeListener):
    """Takes a message as soon as one is delivered."""

    # The longest sleep without a delivery: stop() is noticed this fast.
    IDLE_WAKE = 0.5

    def __init__(self, exchange_manager, targets, pool=None):
        super().__init__(exchange_manager, targets, pool)
        for target in self._server_targets():
            self._exchange(target).listen((target.topic, target.server))

    def _exchange(self, target):
        return self._exchange_manager.get_exchange(target.exchange)

    def _server_targets(self):
        return [t for t in self._targets if t.server]

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            with _DELIVERED:
                seen = _deliveries
            for target in self._targets:
                exchange = self._exchange_manager.get_exchange(
                    target.exchange)
                ctxt, message, reply_q, requeue = exchange.poll(target,
                                                                self._pool)
                if message is not None:
                    done = None
                    if target.server:
                        done = functools.partial(
                            exchange.answered, (target.topic, target.server))
                    return _IncomingMessage(ctxt, message, reply_q, requeue,
                                            done)
            pause = self.IDLE_WAKE
            if deadline is not None:
                pause = min(pause, deadline - time.monotonic())
                if pause <= 0:
                    return None
            with _DELIVERED:
                # A delivery since the look above means: look again now.
                if _deliveries == seen:
                    _DELIVERED.wait(pause)
        return None

    def stop(self):
        if not self._stopped.is_set():
            for target in self._server_targets():
                self._exchange(target).unlisten(
                    (target.topic, target.server))
        super().stop()
        with _DELIVERED:
            _DELIVERED.notify_all()


class InProcessDriver(impl_fake.FakeDriver):
    """oslo.messaging driver ``inproc``: API and agent in one process."""

    def __init__(self, conf, url, default_exchange=None,
                 allowed_remote_exmods=None):
        super().__init__(conf, url, default_exchange,
                         allowed_remote_exmods=allowed_remote_exmods)
        self._exchange_manager = _ExchangeManager(default_exchange)

    def listen(self, target, batch_size, batch_timeout):
        exchange = target.exchange or self._default_exchange
        listener = _Listener(self._exchange_manager, [
            oslo_messaging.Target(topic=target.topic, server=target.server,
                                  exchange=exchange),
            oslo_messaging.Target(topic=target.topic, exchange=exchange)])
        return base.PollStyleListenerAdapter(listener, batch_size,
                                             batch_timeout)
