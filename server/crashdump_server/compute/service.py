"""A compute agent: RPC server, heartbeat and inventory sync around a driver.
"""
import contextlib
import threading

import oslo_messaging as messaging
from oslo_log import log as logging

from crashdump_server.compute import manager as compute_manager
from crashdump_server.compute import rpcapi
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import periodic
from crashdump_server import rpc
from crashdump_server.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

# How often the agent looks whether the driver reported a change; a burst
# of lifecycle events within one look becomes one sync.
CHANGE_SETTLE_SECONDS = 0.2


class ComputeService:
    """One agent for ``conf.host``: start(), then stop() when done."""

    def __init__(self, conf):
        self.conf = conf
        self.host = conf.host
        self.driver = virt_driver.load(conf)
        self.manager = compute_manager.ComputeManager(self.host, self.driver,
                                                      conf)
        self._rpc_server = None
        self._sync_requested = threading.Event()
        self._periodics = None
        self.driver.on_inventory_change = self._sync_requested.set

    def start(self):
        """Connect the driver, report servers, listen, and keep reporting."""
        context = crashdump_context.get_admin_context()
        self.driver.init_host(self.host)
        try:
            self.manager.sync_instances(context)
        except exception.ConfigError:
            raise
        except Exception:
            # The backend may be down now and back later: the periodic sync
            # retries, and triggers meanwhile get a clear Error event.
            LOG.exception('First inventory sync of %s failed', self.host)
        # Dumps this host left unfinished when it stopped.
        self.manager.memory_dumps.recover(context)
        self._apply_retention()
        self._heartbeat()
        target = messaging.Target(topic=rpcapi.TOPIC, server=self.host)
        self._rpc_server = rpc.get_server(target, [self.manager])
        self._rpc_server.start()
        self._periodics = periodic.Periodics('crashdump-periodic', [
            (self.conf.report_interval, self._report),
            (self.conf.sync_interval, self._sync),
            (CHANGE_SETTLE_SECONDS, self._sync_if_changed),
            (self.conf.memory_dump.retention_interval,
             self._apply_retention),
        ]).start()
        LOG.info('Compute agent %s started with the %s driver', self.host,
                 self.conf.compute_driver)

    def _heartbeat(self):
        db_api.service_heartbeat(self.host, rpcapi.BINARY,
                                 rpcapi.TOPIC, rpcapi.LATEST_VERSION)

    def _report(self):
        """Heartbeat (every report_interval)."""
        with self._logged_failures():
            self._heartbeat()

    def _sync(self):
        """Report the driver's servers (every sync_interval)."""
        with self._logged_failures():
            self.manager.sync_instances(crashdump_context.get_admin_context())

    def _apply_retention(self):
        """Remove memory dumps past their age or size limits."""
        with self._logged_failures():
            self.manager.memory_dumps.apply_retention(
                crashdump_context.get_admin_context())

    def _sync_if_changed(self):
        """Report the servers soon after the driver said they changed."""
        if self._sync_requested.is_set():
            self._sync_requested.clear()
            self._sync()

    @contextlib.contextmanager
    def _logged_failures(self):
        # Keep the agent alive through a database or driver hiccup; the
        # next round tries again.
        try:
            yield
        except exception.DriverUnavailable as exc:
            LOG.warning('Inventory of %s not synced: %s; retrying in %d s',
                        self.host, exc, self.conf.sync_interval)
        except Exception:
            LOG.exception('Periodic report of %s failed', self.host)

    def stop(self):
        if self._periodics is not None:
            self._periodics.stop()
        if self._rpc_server is not None:
            self._rpc_server.stop()
            self._rpc_server.wait()
        self.driver.cleanup_host(self.host)
