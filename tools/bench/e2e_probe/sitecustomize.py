"""Probes bench_e2e.py loads into the server it starts (and nowhere else).

bench_e2e.py puts this directory on the server's PYTHONPATH, so Python
imports this module at start-up. It changes no server code:

* ``virDomain.injectNMI`` is wrapped to log, at DEBUG through the server's
  own logging (so with its timestamps), "Injecting an NMI into domain
  <uuid>" just before the call and "injectNMI returned for domain <uuid>"
  just after it: the driver segment of the benchmark, exactly.
* With ``CRASHDUMP_BENCH_EVENT_RPC=1`` oslo.messaging's in-process
  (``fake://``) listener is woken by each delivered message instead of
  looking for one every 50 ms, to show what an event-driven in-process
  transport would give the RPC segment.
"""
import logging
import os
import threading
import time

_LOG = logging.getLogger('crashdump_bench.probe')


def _probe_inject_nmi():
    try:
        import libvirt
    except ImportError:
        return
    inject = libvirt.virDomain.injectNMI

    def injectNMI(self, flags=0):
        uuid = self.UUIDString()
        _LOG.debug('Injecting an NMI into domain %s', uuid)
        try:
            return inject(self, flags)
        finally:
            _LOG.debug('injectNMI returned for domain %s', uuid)

    libvirt.virDomain.injectNMI = injectNMI


def _event_driven_fake_transport():
    from oslo_messaging._drivers import base
    from oslo_messaging._drivers import impl_fake

    delivered = threading.Condition()
    count = [0]
    deliver = impl_fake.FakeExchange.deliver_message

    def deliver_message(self, *args, **kwargs):
        result = deliver(self, *args, **kwargs)
        with delivered:
            count[0] += 1
            delivered.notify_all()
        return result

    @base.batch_poll_helper
    def poll(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            with delivered:
                seen = count[0]
            for target in self._targets:
                exchange = self._exchange_manager.get_exchange(
                    target.exchange)
                ctxt, message, reply_q, requeue = exchange.poll(target,
                                                                self._pool)
                if message is not None:
                    return impl_fake.FakeIncomingMessage(ctxt, message,
                                                         reply_q, requeue)
            pause = 0.05
            if deadline is not None:
                pause = min(pause, deadline - time.monotonic())
                if pause < 0:
                    return None
            with delivered:
                # A message that came in since the look above is not
                # waited for.
                if count[0] == seen:
                    delivered.wait(pause)
        return None

    impl_fake.FakeExchange.deliver_message = deliver_message
    impl_fake.FakeListener.poll = poll


_probe_inject_nmi()
if os.environ.get('CRASHDUMP_BENCH_EVENT_RPC') == '1':
    _event_driven_fake_transport()
