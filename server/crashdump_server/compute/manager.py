"""The compute agent's side of the RPC interface: it runs the driver.

The manager records the event ``compute_trigger_crash_dump`` with its
result, emits the versioned notifications, and leaves vm_state and
task_state alone: a crash dump changes the guest, not the server record.
"""
import traceback

import oslo_messaging as messaging
from oslo_log import log as logging

from crashdump_server.compute import instance_actions
from crashdump_server.compute import memory_dumps
from crashdump_server.compute import outcomes
from crashdump_server.compute import rpcapi
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import notifications

LOG = logging.getLogger(__name__)


class ComputeManager:
    """RPC endpoint of one agent; ``driver`` is its virt driver."""

    target = messaging.Target(version=rpcapi.LATEST_VERSION)

    def __init__(self, host, driver, conf=None):
        self.host = host
        self.driver = driver
        self.memory_dumps = (memory_dumps.MemoryDumpAgent(host, driver, conf)
                             if conf is not None else None)

    def sync_instances(self, context):
        """Store the driver's current servers as this host's servers."""
        records = self.driver.list_instances()
        for record in records:
            record.setdefault('host', self.host)
        added, updated, deleted = db_api.instance_sync(self.host, records)
        LOG.debug('Synced servers of %s: %d added, %d updated, %d gone',
                  self.host, added, updated, deleted)

    def close_unfinished_events(self, context):
        """At start: finish the events this host's previous run started
        and never finished (it was killed while delivering), saying the
        NMI may have been sent. Returns how many were closed."""
        event = instance_actions.EVENT_TRIGGER_CRASH_DUMP
        closed = 0
        for row in db_api.unfinished_events(self.host, event):
            try:
                db_api.event_finish(row.instance_uuid, row.request_id,
                                    event, instance_actions.ERROR,
                                    details=instance_actions.AGENT_STOPPED
                                    % self.host)
            except exception.NotFound:
                continue  # the API's closer finished it meanwhile
            closed += 1
            LOG.warning('Request %s for server %s was being delivered when '
                        'the agent of %s stopped; closed as Error (the NMI '
                        'may have been sent)', row.request_id,
                        row.instance_uuid, self.host)
        return closed

    def trigger_crash_dump(self, context, instance_uuid, deadline=None):
        """Deliver the NMI; the outcome lands in the action's event."""
        event = instance_actions.EVENT_TRIGGER_CRASH_DUMP
        request_id = context.request_id
        try:
            db_api.event_start(instance_uuid, request_id, event,
                               self.host)
        except exception.EventAlreadyRecorded:
            # The API closed the request: it waited past its deadline.
            LOG.warning('Crash dump request %(req)s for server %(uuid)s was '
                        'closed before this agent got it; no NMI sent',
                        {'req': request_id, 'uuid': instance_uuid})
            return
        instance = None
        try:
            instance = db_api.instance_get(instance_uuid)
            _check_deadline(deadline, request_id, self.host)
            notifications.notify_about_instance_action(
                context, instance, self.host, 'trigger_crash_dump', 'start')
            self.driver.trigger_crash_dump(instance)
        except Exception as exc:
            details = _details(exc)
            LOG.error('Crash dump of server %(uuid)s (request %(req)s) '
                      'failed: %(details)s',
                      {'uuid': instance_uuid, 'req': request_id,
                       'details': details})
            db_api.event_finish(instance_uuid, request_id, event,
                                instance_actions.ERROR,
                                traceback=traceback.format_exc(),
                                details=details)
            if instance is not None:
                notifications.notify_about_instance_action(
                    context, instance, self.host, 'trigger_crash_dump',
                    'error', fault=details)
            return
        db_api.event_finish(instance_uuid, request_id, event,
                            instance_actions.SUCCESS)
        notifications.notify_about_instance_action(
            context, instance, self.host, 'trigger_crash_dump', 'end')
        LOG.info('NMI delivered to server %(uuid)s (request %(req)s)',
                 {'uuid': instance_uuid, 'req': request_id})

    def create_memory_dump(self, context, instance_uuid, dump_id,
                           deadline=None):
        """Start the memory dump ``dump_id`` (recorded by the API); its
        outcome lands in the dump's record and the action's event."""
        self.memory_dumps.start(context, instance_uuid, dump_id, deadline)

    @messaging.expected_exceptions(exception.MemoryDumpFailed)
    def delete_memory_dump(self, context, dump_id):
        """Abort the dump if it is being created; remove file and record."""
        self.memory_dumps.delete(context, dump_id)

    @messaging.expected_exceptions(exception.ConsoleNotAvailable,
                                   exception.InstanceNotFound,
                                   NotImplementedError)
    def get_console_output(self, context, instance_uuid, tail_length=None):
        """The guest console's last ``tail_length`` lines (None: all)."""
        instance = db_api.instance_get(instance_uuid)
        output = self.driver.get_console_output(instance)
        if tail_length is None or int(tail_length) < 0:
            return output
        lines = output.splitlines(keepends=True)
        return ''.join(lines[len(lines) - int(tail_length):]
                       if int(tail_length) else [])


_check_deadline = outcomes.check_deadline
_details = outcomes.details
