"""A compute agent: RPC server, heartbeat and inventory sync around a driver.
"""
import threading

import oslo_messaging as messaging
from oslo_log import log as logging

from crashdump_server.compute import manager as compute_manager
from crashdump_server.compute import rpcapi
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server import rpc
from crashdump_server.virt import driver as virt_driver

LOG = logging.getLogger(__name__)


class ComputeService:
    """One agent for ``conf.host``: start(), then stop() when done."""

    def __init__(self, conf):
        self.conf = conf
        self.host = conf.host
        self.driver = virt_driver.load(conf)
        self.manager = compute_manager.ComputeManager(self.host, self.driver)
        self._rpc_server = None
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        """Connect the driver, report servers, listen, and keep reporting."""
        context = crashdump_context.get_admin_context()
        self.driver.init_host(self.host)
        self.manager.sync_instances(context)
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
        db_api.service_heartbeat(context, self.host, rpcapi.BINARY,
                                 rpcapi.TOPIC, rpcapi.LATEST_VERSION)

    def _periodic(self):
        context = crashdump_context.get_admin_context()
        beat = self.conf.report_interval
        sync = self.conf.sync_interval
        elapsed = 0
        while not self._stopping.wait(beat):
            elapsed += beat
            try:
                self._heartbeat(context)
                if elapsed >= sync:
                    elapsed = 0
                    self.manager.sync_instances(context)
            except Exception:
                # Keep the agent alive through a database hiccup; the next
                # round tries again.
                LOG.exception('Periodic report of %s failed', self.host)

    def stop(self):
        self._stopping.set()
        if self._rpc_server is not None:
            self._rpc_server.stop()
            self._rpc_server.wait()
        self.driver.cleanup_host(self.host)
