"""A compute agent: RPC server, heartbeat and inventory sync around a driver.
"""
import threading
import time

import oslo_messaging as messaging
from oslo_log import log as logging

from crashdump_server.compute import manager as compute_manager
from crashdump_server.compute import rpcapi
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import rpc
from crashdump_server.virt import driver as virt_driver

LOG = logging.getLogger(__name__)

CHANGE_SETTLE_SECONDS = 0.2


class ComputeService:
    """One agent for ``conf.host``: start(), then stop() when done."""

    def __init__(self, conf):
        self.conf = conf
        self.host = conf.host
        self.driver = virt_driver.load(conf)
        self.manager = compute_manager.ComputeManager(self.host, self.driver)
        self._rpc_server = None
        self._stopping = threading.Event()
        self._sync_requested = threading.Event()
        self._thread = None
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
        self._heartbeat(context)
        target = messaging.Target(topic=rpcapi.TOPIC, server=self.host)
        self._rpc_server = rpc.get_server(target, [self.manager])
        self._rpc_server.start()
        self._thread = threading.Thread(target=self._periodic,
                                        name='crashdump-periodic',
                                        daemon=True)
        self._thread.start()
        LOG.info('Compute agent %s started with the %s driver', self.host,
                 self.conf.compute_driver)

    def _heartbeat(self, context):
        db_api.service_heartbeat(self.host, rpcapi.BINARY,
                                 rpcapi.TOPIC, rpcapi.LATEST_VERSION)

    def _periodic(self):
        """Heartbeat every report_interval; sync every sync_interval, or
        soon after the driver says its servers changed."""
        context = crashdump_context.get_admin_context()
        now = time.monotonic
        next_beat = now() + self.conf.report_interval
        next_sync = now() + self.conf.sync_interval
        while not self._stopping.is_set():
            wake = min(next_beat, next_sync) - now()
            if self._sync_requested.wait(max(wake, 0)):
                # Let a burst of lifecycle events settle into one sync.
                self._stopping.wait(CHANGE_SETTLE_SECONDS)
                self._sync_requested.clear()
                next_sync = now()
            if self._stopping.is_set():
                break
            try:
                if now() >= next_beat:
                    next_beat = now() + self.conf.report_interval
                    self._heartbeat(context)
                if now() >= next_sync:
                    next_sync = now() + self.conf.sync_interval
                    self.manager.sync_instances(context)
            except exception.DriverUnavailable as exc:
                LOG.warning('Inventory of %s not synced: %s; retrying in '
                            '%d s', self.host, exc, self.conf.sync_interval)
            except Exception:
                # Keep the agent alive through a database or driver hiccup;
                # the next round tries again.
                LOG.exception('Periodic report of %s failed', self.host)

    def stop(self):
        self._stopping.set()
        self._sync_requested.set()
        if self._rpc_server is not None:
            self._rpc_server.stop()
            self._rpc_server.wait()
        self.driver.cleanup_host(self.host)
