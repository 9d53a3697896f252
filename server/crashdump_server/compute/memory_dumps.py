"""The compute agent's memory dumps: create, abort, recover, retain.

A dump is written by the driver under a temporary name (``<file>.part``),
then flushed to disk, hashed and renamed, so a file without the suffix is
always complete. Each create is the instance action ``memory_dump`` with
the event ``compute_memory_dump``; with "trigger after" the NMI follows the
dump (so the dump holds the stalled state) and its outcome is the action's
second event, ``compute_trigger_crash_dump``.
"""
import datetime
import hashlib
import os
import threading
import time
import traceback

from oslo_log import log as logging
from oslo_utils import timeutils

from crashdump_server.compute import dump_formats
from crashdump_server.compute import instance_actions
from crashdump_server.compute import outcomes
from crashdump_server.db import api as db_api
from crashdump_server.db import memory_dumps as dumps_db
from crashdump_server import exception

LOG = logging.getLogger(__name__)

PART_SUFFIX = '.part'
# Seconds between two progress writes to the database.
PROGRESS_INTERVAL = 1.0
# How long a delete waits for an aborted dump to stop.
ABORT_WAIT = 60


def paths(directory, dump):
    """(final path, temporary path) of a dump's file."""
    final = os.path.join(directory, dump.file_name)
    return final, final + PART_SUFFIX


def remove_files(directory, dump):
    """Remove a dump's file and any partial file; returns nothing."""
    for path in paths(directory, dump):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def _hash_and_sync(path):
    """(size, sha256 hex) of the file at ``path``, after fsync."""
    digest = hashlib.sha256()
    size = 0
    with open(path, 'rb') as stream:
        os.fsync(stream.fileno())
        for block in iter(lambda: stream.read(1 << 20), b''):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _sync_directory(directory):
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Running:
    def __init__(self):
        self.abort = threading.Event()
        self.done = threading.Event()


class MemoryDumpAgent:
    """The memory dumps of one agent's ``host``, made by ``driver``."""

    def __init__(self, host, driver, conf):
        self.host = host
        self.driver = driver
        self.conf = conf
        self._slots = threading.BoundedSemaphore(
            conf.memory_dump.max_concurrent)
        self._running = {}
        self._lock = threading.Lock()

    @property
    def directory(self):
        return self.conf.memory_dump.directory

    def start(self, context, instance_uuid, dump_id, deadline=None):
        """Take a create request up; the dump runs in a thread of its own
        (returned) so the RPC workers stay free for deletes."""
        running = _Running()
        with self._lock:
            self._running[dump_id] = running
        worker = threading.Thread(
            target=self.create, name='memory-dump-%s' % dump_id,
            args=(context, instance_uuid, dump_id, deadline, running),
            daemon=True)
        worker.start()
        return worker

    def create(self, context, instance_uuid, dump_id, deadline, running):
        """Write the dump, record its outcome, then the NMI if asked."""
        try:
            dump = dumps_db.get(dump_id)
        except exception.MemoryDumpNotFound:
            LOG.info('Memory dump %s was deleted before it started', dump_id)
            return self._forget(dump_id, running)
        event = dump_formats.EVENT_MEMORY_DUMP
        try:
            db_api.event_start(instance_uuid, dump.request_id,
                               event, self.host)
        except exception.EventAlreadyRecorded:
            return self._forget(dump_id, running)
        instance = None
        try:
            instance = db_api.instance_get(instance_uuid)
            outcomes.check_deadline(deadline, dump.request_id, self.host)
            if not self._slots.acquire(blocking=False):
                raise exception.MemoryDumpLimitReached(
                    host=self.host,
                    count=self.conf.memory_dump.max_concurrent)
            try:
                self._write(context, instance, dump, running.abort)
            finally:
                self._slots.release()
        except Exception as exc:
            details = _dump_details(exc)
            LOG.error('Memory dump %(dump)s of server %(uuid)s failed: '
                      '%(details)s', {'dump': dump_id, 'uuid': instance_uuid,
                                      'details': details})
            dumps_db.update(dump_id, status=dump_formats.ERROR,
                            error=details, finished_at=timeutils.utcnow())
            db_api.event_finish(instance_uuid, dump.request_id,
                                event, instance_actions.ERROR,
                                traceback=traceback.format_exc(),
                                details=details)
        else:
            db_api.event_finish(instance_uuid, dump.request_id,
                                event, instance_actions.SUCCESS)
        finally:
            self._forget(dump_id, running)
        if (dump.trigger_after and instance is not None
                and not running.abort.is_set()):
            self._trigger_after(context, instance, dump)

    def _forget(self, dump_id, running):
        with self._lock:
            self._running.pop(dump_id, None)
        running.done.set()

    def _write(self, context, instance, dump, abort):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        self._check_free_space(instance)
        final, partial = paths(self.directory, dump)
        last = [0.0, -1]

        def progress(percent):
            now = time.monotonic()
            if percent != last[1] and now - last[0] >= PROGRESS_INTERVAL:
                last[:] = [now, percent]
                dumps_db.update(dump.uuid, progress=percent)

        LOG.info('Dumping the memory of server %(uuid)s as %(format)s to '
                 '%(path)s', {'uuid': instance.uuid, 'format': dump.format,
                              'path': final})
        try:
            self.driver.dump_memory(instance, partial, dump.format,
                                    progress=progress, abort=abort)
            size, sha256 = _hash_and_sync(partial)
            os.rename(partial, final)
            _sync_directory(self.directory)
        except BaseException:
            remove_files(self.directory, dump)
            raise
        if not dumps_db.update(
                dump.uuid, status=dump_formats.AVAILABLE, size=size,
                sha256=sha256, progress=100,
                finished_at=timeutils.utcnow()):
            remove_files(self.directory, dump)  # deleted meanwhile
        LOG.info('Memory dump %(dump)s of server %(uuid)s: %(size)d bytes, '
                 'sha256 %(sha)s', {'dump': dump.uuid, 'uuid': instance.uuid,
                                    'size': size, 'sha': sha256})

    def _check_free_space(self, instance):
        needed = self.driver.guest_memory_bytes(instance)
        if not needed:
            return
        needed = int(needed * self.conf.memory_dump.free_space_margin)
        stat = os.statvfs(self.directory)
        free = stat.f_bavail * stat.f_frsize
        if free < needed:
            raise exception.MemoryDumpFailed(
                reason='Not enough free space in %s on host %s for a memory '
                       'dump of server %s: %d MiB needed (the guest\'s '
                       'memory), %d MiB free. Free some space (delete old '
                       'dumps), or see [memory_dump] directory and '
                       'free_space_margin.' % (
                           self.directory, self.host, instance.uuid,
                           needed >> 20, free >> 20))

    def _trigger_after(self, context, instance, dump):
        """The NMI after the dump, recorded as the action's second event
        and in the dump's trigger_result."""
        event = instance_actions.EVENT_TRIGGER_CRASH_DUMP
        db_api.event_start(instance.uuid, dump.request_id, event,
                           self.host)
        try:
            self.driver.trigger_crash_dump(instance)
        except Exception as exc:
            details = outcomes.details(exc)
            LOG.error('NMI after memory dump %(dump)s of server %(uuid)s '
                      'failed: %(details)s', {'dump': dump.uuid,
                                              'uuid': instance.uuid,
                                              'details': details})
            db_api.event_finish(instance.uuid, dump.request_id,
                                event, instance_actions.ERROR,
                                traceback=traceback.format_exc(),
                                details=details)
            dumps_db.update(dump.uuid, trigger_result=details)
            return
        db_api.event_finish(instance.uuid, dump.request_id, event,
                            instance_actions.SUCCESS)
        dumps_db.update(dump.uuid,
                        trigger_result=instance_actions.SUCCESS)
        LOG.info('NMI delivered to server %s after its memory dump',
                 instance.uuid)

    def delete(self, context, dump_id):
        """Abort the dump if it is being created, then remove its file and
        record. Raises MemoryDumpFailed when the abort does not finish."""
        with self._lock:
            running = self._running.get(dump_id)
        if running is not None:
            running.abort.set()
            if not running.done.wait(ABORT_WAIT):
                raise exception.MemoryDumpFailed(
                    reason='the dump being created did not stop within %d '
                           's; try again' % ABORT_WAIT)
        try:
            dump = dumps_db.get(dump_id)
        except exception.MemoryDumpNotFound:
            return
        remove_files(self.directory, dump)
        dumps_db.destroy(dump_id)

    def recover(self, context):
        """At start: a dump this host left 'creating' is an error now, and
        its partial file is removed. Returns how many were recovered."""
        details = ('The compute agent on %s stopped while the dump was '
                   'being created; its partial file was removed.' % self.host)
        stale = dumps_db.get_all(host=self.host,
                                 statuses=[dump_formats.CREATING])
        for dump in stale:
            try:
                instance = db_api.instance_get(dump.instance_uuid,
                                               read_deleted=True)
            except exception.InstanceNotFound:
                instance = None
            if instance is not None and self.driver.abort_memory_dump(
                    instance):
                LOG.info('Aborted the dump job left running for server %s',
                         dump.instance_uuid)
            remove_files(self.directory, dump)
            dumps_db.update(dump.uuid, status=dump_formats.ERROR,
                            error=details, finished_at=timeutils.utcnow())
            event = dump_formats.EVENT_MEMORY_DUMP
            try:
                db_api.event_start(dump.instance_uuid,
                                   dump.request_id, event, self.host)
            except exception.EventAlreadyRecorded:
                pass
            try:
                db_api.event_finish(dump.instance_uuid,
                                    dump.request_id, event,
                                    instance_actions.ERROR, details=details)
            except exception.NotFound:
                pass  # finished already
            LOG.warning('Memory dump %(dump)s of server %(uuid)s was left '
                        'unfinished; recorded as error', {
                            'dump': dump.uuid, 'uuid': dump.instance_uuid})
        return len(stale)

    def apply_retention(self, context):
        """Delete finished dumps older than max_age, then the oldest
        available ones while this host's dumps exceed max_total_size.
        Returns the ids of the dumps deleted."""
        options = self.conf.memory_dump
        finished = dumps_db.get_all(
            host=self.host,
            statuses=[dump_formats.AVAILABLE, dump_formats.ERROR])
        doomed = []
        if options.max_age:
            oldest = timeutils.utcnow() - _seconds(options.max_age)
            doomed = [d for d in finished
                      if (d.finished_at or d.created_at) < oldest]
        if options.max_total_size:
            kept = [d for d in finished if d not in doomed
                    and d.status == dump_formats.AVAILABLE]
            total = sum(d.size or 0 for d in kept)
            for dump in reversed(kept):  # oldest first
                if total <= options.max_total_size:
                    break
                doomed.append(dump)
                total -= dump.size or 0
        for dump in doomed:
            LOG.info('Retention: deleting memory dump %(dump)s of server '
                     '%(uuid)s (created %(at)s)', {
                         'dump': dump.uuid, 'uuid': dump.instance_uuid,
                         'at': dump.created_at})
            remove_files(self.directory, dump)
            dumps_db.destroy(dump.uuid)
        return [dump.uuid for dump in doomed]


def _seconds(count):
    return datetime.timedelta(seconds=count)


def _dump_details(exc):
    if isinstance(exc, OSError):
        # ENOSPC and the like: the sentence says which file.
        return 'Writing the dump failed: %s' % exc
    return outcomes.details(exc)
