"""The embedded mode's message transport: in-process, woken per message.

oslo.messaging's own in-process driver (``fake://``, written for tests)
has its listeners look for messages every 50 ms, which put 25 ms on average
between the API's cast and the agent acting on it. This driver is that one
with a listener that sleeps until a message is delivered. It is registered
as ``inproc`` in the ``oslo.messaging.drivers`` entry point group, so the
embedded mode's ``transport_url`` is ``inproc://``.

It builds on oslo.messaging's private fake driver module: the library range
in pyproject.toml is pinned below its next major version for that reason,
and tests/unit/server/test_inproc_transport.py pins every private name and
signature used here and sends calls and casts through it. Kept rather than
replaced: oslo.messaging has no public in-process driver, and a broker in
the embedded mode is what that mode exists to avoid.
"""
import threading
import time

import oslo_messaging
from oslo_messaging._drivers import base
from oslo_messaging._drivers import impl_fake

_DELIVERED = threading.Condition()
_deliveries = 0


class _Exchange(impl_fake.FakeExchange):
    """An exchange that wakes waiting listeners on every message."""

    def deliver_message(self, *args, **kwargs):
        global _deliveries
        result = super().deliver_message(*args, **kwargs)
        with _DELIVERED:
            _deliveries += 1
            _DELIVERED.notify_all()
        return result


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
                    return impl_fake.FakeIncomingMessage(
                        ctxt, message, reply_q, requeue)
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
