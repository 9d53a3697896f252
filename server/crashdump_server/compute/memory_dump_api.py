"""The compute API of memory dumps: checks and records behind the API's
memory-dump handlers (crashdump's own resource, not Nova's)."""
import datetime
import os

from oslo_utils import timeutils
from oslo_utils import uuidutils

from crashdump_server.compute import dump_formats
from crashdump_server.compute import instance_actions
from crashdump_server.compute import memory_dumps
from crashdump_server.compute import vm_states
from crashdump_server.db import api as db_api
from crashdump_server.db import memory_dumps as dumps_db
from crashdump_server import exception


class MemoryDumpAPI:
    """Memory dumps of servers; ``compute_rpcapi`` reaches the agents."""

    def __init__(self, conf, compute_rpcapi):
        self._conf = conf
        self.compute_rpcapi = compute_rpcapi

    @property
    def directory(self):
        return self._conf.memory_dump.directory

    def create(self, context, instance, dump_format, trigger_after=False):
        """Check, record and cast a memory dump; returns the dump's row.

        Raises InstanceIsLocked (trigger_after, non-admins), InstanceNotReady,
        InstanceInvalidState, FeatureNotSupported (the RPC version cap is
        below memory dumps), MemoryDumpLimitReached, and
        ComputeAgentUnreachable after recording the dump as an error.
        """
        # A dump only reads the guest; the NMI after it changes it.
        if trigger_after and instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        if instance.vm_state not in vm_states.ALLOW_TRIGGER_CRASH_DUMP:
            raise exception.InstanceInvalidState(
                method='memory_dump', instance_uuid=instance.uuid,
                attr='vm_state', state=instance.vm_state)
        if not self.compute_rpcapi.can_dump_memory():
            raise exception.FeatureNotSupported()
        creating = dumps_db.count(instance.host,
                                  dump_formats.CREATING)
        if creating >= self._conf.memory_dump.max_concurrent:
            raise exception.MemoryDumpLimitReached(host=instance.host,
                                                   count=creating)
        dump_id = uuidutils.generate_uuid()
        deadline = timeutils.utcnow() + datetime.timedelta(
            seconds=self._conf.request_ttl)
        db_api.action_start(context, instance.uuid, dump_formats.ACTION,
                            context.request_id, deadline)
        dump = dumps_db.create(
            uuid=dump_id, instance_uuid=instance.uuid,
            project_id=instance.project_id, user_id=context.user_id,
            host=instance.host, request_id=context.request_id,
            status=dump_formats.CREATING, format=dump_format,
            file_name=dump_id + dump_formats.SUFFIXES[dump_format],
            trigger_after=bool(trigger_after))
        try:
            self.compute_rpcapi.create_memory_dump(
                context, instance, dump_id, deadline.isoformat())
        except exception.ComputeAgentUnreachable as exc:
            dumps_db.update(dump_id, status=dump_formats.ERROR,
                            error=exc.message,
                            finished_at=timeutils.utcnow())
            event = dump_formats.EVENT_MEMORY_DUMP
            db_api.event_start(instance.uuid, context.request_id,
                               event, instance.host)
            db_api.event_finish(instance.uuid, context.request_id,
                                event, instance_actions.ERROR,
                                details=exc.message)
            raise
        return dump

    def get_all(self, context, instance):
        """The server's dumps, newest first."""
        return dumps_db.get_all(instance_uuid=instance.uuid)

    def get(self, context, instance, dump_id):
        """One of the server's dumps; raises MemoryDumpNotFound."""
        if not uuidutils.is_uuid_like(dump_id):
            raise exception.MemoryDumpNotFound(dump_id=dump_id,
                                               instance_uuid=instance.uuid)
        return dumps_db.get(dump_id, instance_uuid=instance.uuid)

    def delete(self, context, instance, dump_id):
        """Delete a dump; one being created is aborted by its agent.

        Raises MemoryDumpNotFound, ComputeAgentUnreachable (a dump being
        created whose agent does not answer) and MemoryDumpFailed (the
        abort did not finish).
        """
        dump = self.get(context, instance, dump_id)
        if dump.status == dump_formats.CREATING:
            self.compute_rpcapi.delete_memory_dump(context, dump.host,
                                                   dump.uuid)
            return
        memory_dumps.remove_files(self.directory, dump)
        dumps_db.destroy(dump.uuid)

    def open(self, context, instance, dump_id):
        """(the dump's row, its file opened for reading in binary mode).

        Raises MemoryDumpNotFound, MemoryDumpNotAvailable (not finished, or
        failed) and MemoryDumpFileUnreachable (this API cannot read the
        file: a directory that is not shared in distributed mode).
        """
        dump = self.get(context, instance, dump_id)
        if dump.status != dump_formats.AVAILABLE:
            raise exception.MemoryDumpNotAvailable(dump_id=dump.uuid,
                                                   status=dump.status)
        path = os.path.join(self.directory, dump.file_name)
        try:
            stream = open(path, 'rb')
        except OSError as exc:
            raise exception.MemoryDumpFileUnreachable(
                dump_id=dump.uuid, reason='%s: %s' % (path, exc.strerror))
        if os.fstat(stream.fileno()).st_size != dump.size:
            stream.close()
            raise exception.MemoryDumpFileUnreachable(
                dump_id=dump.uuid,
                reason='%s is not the %d bytes the agent wrote' % (
                    path, dump.size))
        return dump, stream
