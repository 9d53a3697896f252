"""The compute RPC interface, client side (the API's view of the agents).

Version history (server side in compute/manager.py; bump both together):

* 1.0 - Base interface: sync_instances()
* 1.1 - Add trigger_crash_dump(instance_uuid, deadline)
* 1.2 - Add get_console_output(instance_uuid, tail_length), a call
* 1.3 - Add create_memory_dump(instance_uuid, dump_id, deadline), a cast,
  and delete_memory_dump(dump_id), a call

The API sends a call only if the version cap allows it. The cap comes from
``[upgrade_levels] compute``: empty for none, a version, or ``auto`` for the
oldest RPC version any running agent reported in the services table. A
request the cap rules out is refused before anything is recorded, so an old
agent never receives a method it does not know.
"""
import time

import oslo_messaging as messaging
from oslo_log import log as logging

from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import rpc

LOG = logging.getLogger(__name__)

TOPIC = 'crashdump-compute'
BINARY = 'crashdump-compute'
BASE_VERSION = '1.0'
TRIGGER_CRASH_DUMP_VERSION = '1.1'
CONSOLE_OUTPUT_VERSION = '1.2'
MEMORY_DUMP_VERSION = '1.3'
LATEST_VERSION = MEMORY_DUMP_VERSION

# How long an ``auto`` cap is trusted before the services table is read
# again; agents upgraded meanwhile are noticed within this many seconds.
AUTO_CAP_TTL = 60


def _version_key(version):
    major, minor = version.split('.')
    return int(major), int(minor)


class ComputeAPI:
    """Client side of the compute RPC interface.

    ``conf`` gives the version cap; ``admin_context`` reads the services
    table when the cap is ``auto``.
    """

    def __init__(self, conf, admin_context):
        self._conf = conf
        self._admin_context = admin_context
        self._auto_cap = None
        self._auto_cap_read_at = 0.0
        self._clients = {}

    def _version_cap(self):
        configured = self._conf.upgrade_levels.compute
        if not configured:
            return None
        if configured != 'auto':
            return configured
        now = time.monotonic()
        if self._auto_cap is None or now - self._auto_cap_read_at > (
                AUTO_CAP_TTL):
            versions = [s.rpc_version for s in db_api.services_get(BINARY)]
            # No agent has ever run: nothing can answer yet, assume the
            # newest so the request is recorded and waits in the queue.
            self._auto_cap = (min(versions, key=_version_key)
                              if versions else LATEST_VERSION)
            self._auto_cap_read_at = now
            LOG.info('Compute RPC version cap is %s (auto)', self._auto_cap)
        return self._auto_cap

    def _client(self):
        cap = self._version_cap()
        client = self._clients.get(cap)
        if client is None:
            target = messaging.Target(topic=TOPIC, version=BASE_VERSION)
            client = self._clients[cap] = rpc.get_client(target,
                                                         version_cap=cap)
        return client

    def can_trigger_crash_dump(self):
        """True when the version cap lets the API send trigger_crash_dump."""
        return self._client().can_send_version(TRIGGER_CRASH_DUMP_VERSION)

    def trigger_crash_dump(self, context, instance, deadline):
        """Cast trigger_crash_dump to the agent of ``instance.host``.

        ``deadline`` (ISO 8601, UTC) travels with the message: an agent that
        receives it later refuses to fire.
        """
        # at_least_once: with RabbitMQ a cast to a host whose agent never
        # started raises MessageUndeliverable instead of vanishing.
        cctxt = self._client().prepare(
            server=instance.host, version=TRIGGER_CRASH_DUMP_VERSION,
            transport_options=messaging.TransportOptions(at_least_once=True))
        try:
            cctxt.cast(context, 'trigger_crash_dump',
                       instance_uuid=instance.uuid, deadline=deadline)
        # MessageUndeliverable is no MessagingException: name it too.
        except (messaging.MessagingException,
                messaging.MessageUndeliverable) as exc:
            LOG.error('Crash dump request %(req)s for server %(uuid)s could '
                      'not be sent to the agent on %(host)s: %(exc)s',
                      {'req': context.request_id, 'uuid': instance.uuid,
                       'host': instance.host, 'exc': exc})
            raise exception.ComputeAgentUnreachable(host=instance.host)

    def get_console_output(self, context, instance, tail_length):
        """The last ``tail_length`` lines (None: all) of the guest console.

        A call, not a cast: the API waits for the agent. Raises
        FeatureNotSupported when the version cap rules the call out and
        ComputeAgentUnreachable when the agent does not answer in time.
        """
        client = self._client()
        if not client.can_send_version(CONSOLE_OUTPUT_VERSION):
            raise exception.FeatureNotSupported()
        cctxt = client.prepare(server=instance.host,
                               version=CONSOLE_OUTPUT_VERSION)
        try:
            return cctxt.call(context, 'get_console_output',
                              instance_uuid=instance.uuid,
                              tail_length=tail_length)
        except messaging.MessagingTimeout:
            raise exception.ComputeAgentUnreachable(host=instance.host)

    def can_dump_memory(self):
        """True when the version cap lets the API send memory dumps."""
        return self._client().can_send_version(MEMORY_DUMP_VERSION)

    def create_memory_dump(self, context, instance, dump_id, deadline):
        """Cast create_memory_dump to the agent of ``instance.host``.

        Raises ComputeAgentUnreachable when the cast cannot be sent.
        """
        cctxt = self._client().prepare(
            server=instance.host, version=MEMORY_DUMP_VERSION,
            transport_options=messaging.TransportOptions(at_least_once=True))
        try:
            cctxt.cast(context, 'create_memory_dump',
                       instance_uuid=instance.uuid, dump_id=dump_id,
                       deadline=deadline)
        except (messaging.MessagingException,
                messaging.MessageUndeliverable) as exc:
            LOG.error('Memory dump %(dump)s of server %(uuid)s could not be '
                      'sent to the agent on %(host)s: %(exc)s',
                      {'dump': dump_id, 'uuid': instance.uuid,
                       'host': instance.host, 'exc': exc})
            raise exception.ComputeAgentUnreachable(host=instance.host)

    def delete_memory_dump(self, context, host, dump_id):
        """Ask the agent on ``host`` to abort and delete a dump being
        created; waits for it. Raises ComputeAgentUnreachable."""
        cctxt = self._client().prepare(server=host,
                                       version=MEMORY_DUMP_VERSION,
                                       timeout=120)
        try:
            cctxt.call(context, 'delete_memory_dump', dump_id=dump_id)
        except messaging.MessagingTimeout:
            raise exception.ComputeAgentUnreachable(host=host)

    def sync_instances(self, context, host):
        """Ask the agent on ``host`` to report its servers again."""
        cctxt = self._client().prepare(server=host, version=BASE_VERSION)
        cctxt.cast(context, 'sync_instances')
