"""Probes bench_e2e.py loads into the server it starts (and nowhere else).

bench_e2e.py puts this directory on the server's PYTHONPATH, so Python
imports this module at start-up. It changes no server code:

* ``virDomain.injectNMI`` is wrapped to log, at DEBUG through the server's
  own logging (so with its timestamps), "Injecting an NMI into domain
  <uuid>" just before the call and "injectNMI returned for domain <uuid>"
  just after it: the driver segment of the benchmark, exactly.
"""
import logging

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


_probe_inject_nmi()
