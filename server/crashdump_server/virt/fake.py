"""The fake driver: servers from a file, NMIs that only get counted.

For demos and tests. ``[fake] servers_file`` lists the servers; each says
what a crash dump request should do to it (``outcome``). Every delivered
NMI is counted in memory and appended to ``<state_path>/fake-nmis.log``
(one JSON line per NMI, with the server's uuid) so a test in another
process can count too.
"""
import datetime
import hashlib
import json
import logging
import logging.handlers
import os
import threading
import time
import uuid

from oslo_utils import timeutils
from oslo_utils import uuidutils
import yaml

from crashdump_server.compute import dump_formats
from crashdump_server.compute import vm_states
from crashdump_server import exception
from crashdump_server.virt import driver

#: The size of the fake driver's synthetic memory dumps (and its guests).
FAKE_DUMP_BYTES = 256 * 1024
# A synthetic dump starts as a real one does, so format checks can run on it.
_DUMP_HEADERS = {dump_formats.ELF: b'\x7fELF\x02\x01\x01',
                 dump_formats.WIN_DMP: b'PAGEDU64'}
_KDUMP_HEADER = b'makedumpfile\0\0\0\0'
OUTCOMES = ('delivered', 'not_supported', 'not_running', 'not_implemented')
_POWER = {vm_states.ACTIVE: vm_states.RUNNING,
          vm_states.PAUSED: vm_states.PAUSED_POWER,
          vm_states.SUSPENDED: vm_states.SUSPENDED_POWER,
          vm_states.RESCUED: vm_states.RUNNING,
          vm_states.RESIZED: vm_states.RUNNING}
_FIELDS = ('id', 'name', 'project_id', 'user_id', 'vm_state', 'locked',
           'host', 'outcome', 'task_state', 'locked_reason', 'description',
           'hostname', 'availability_zone', 'metadata', 'tags',
           'created_at', 'launched_at')


# libyaml's loader when PyYAML has it: ten times faster on a file of
# thousands of servers, which the agent reads at every sync.
_LOADER = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


def load_servers(path):
    """The validated server entries of a servers file; raises ConfigError.

    ``created_at`` and ``launched_at`` come back as naive UTC datetimes
    (JSON can only write them as ISO 8601 strings).
    """
    try:
        with open(path) as stream:
            entries = yaml.load(stream, Loader=_LOADER) or []
    except (OSError, yaml.YAMLError) as exc:
        raise exception.ConfigError(
            reason='[fake] servers_file %s is unreadable: %s' % (path, exc))
    if isinstance(entries, dict):
        unknown = sorted(set(entries) - {'servers'}, key=str)
        if unknown:
            raise exception.ConfigError(
                reason='[fake] servers_file %s has unknown top-level keys '
                       '%s: it holds a list of servers, or {"servers": '
                       '[...]}' % (path, unknown))
        entries = entries.get('servers') or []
    if not isinstance(entries, list):
        raise exception.ConfigError(
            reason='[fake] servers_file %s must hold a list of servers'
            % path)
    seen = {}
    for entry in entries:
        problem = _problem(entry) or _duplicate(entry, seen)
        if problem:
            raise exception.ConfigError(
                reason='[fake] servers_file %s: %s' % (path, problem))
    return [_normalized(entry) for entry in entries]


_STRINGS = ('name', 'project_id', 'user_id', 'host', 'task_state',
            'locked_reason', 'description', 'hostname', 'availability_zone')
_TIMES = ('created_at', 'launched_at')


def _problem(entry):
    if not isinstance(entry, dict):
        return 'every server must be an object, got %r' % (entry,)
    unknown = set(entry) - set(_FIELDS)
    if unknown:
        return 'unknown keys %s in %r' % (sorted(unknown, key=str), entry)
    for key in ('id', 'name'):
        if not entry.get(key):
            return 'a server needs %s: %r' % (key, entry)
    if not (isinstance(entry['id'], str)
            and uuidutils.is_uuid_like(entry['id'])
            and entry['id'] == str(uuid.UUID(entry['id']))):
        return ('id %r of server %r is not a UUID written as Nova writes '
                'one (such as %s)' % (entry['id'], entry['name'],
                                      uuidutils.generate_uuid()))
    return _type_problem(entry) or _choice_problem(entry)


def _type_problem(entry):
    server = entry['id']
    for key in _STRINGS:
        # host, task_state and the like may be null; name may not (above).
        if entry.get(key) is not None and not isinstance(entry[key], str):
            return '%s of %s must be a string, got %r' % (key, server,
                                                          entry[key])
    if not isinstance(entry.get('locked', False), bool):
        return ('locked of %s must be true or false (not quoted), got %r'
                % (server, entry['locked']))
    metadata = entry.get('metadata', {})
    if not (isinstance(metadata, dict) and all(
            isinstance(value, str) for value in metadata.values())):
        return 'metadata of %s must map names to strings, got %r' % (
            server, metadata)
    tags = entry.get('tags', [])
    if not (isinstance(tags, list) and all(isinstance(tag, str)
                                           for tag in tags)):
        return 'tags of %s must be a list of strings, got %r' % (server,
                                                                 tags)
    for key in _TIMES:
        if key in entry and _time(entry[key]) is None:
            return ('%s of %s must be a time such as 2024-05-01T12:00:00Z, '
                    'got %r' % (key, server, entry[key]))
    return None


def _choice_problem(entry):
    if entry.get('outcome', 'delivered') not in OUTCOMES:
        return 'outcome of %s must be one of %s' % (
            entry['id'], ', '.join(OUTCOMES))
    if entry.get('vm_state', vm_states.ACTIVE) not in vm_states.ALL:
        return 'vm_state of %s must be one of %s' % (
            entry['id'], ', '.join(vm_states.ALL))
    return None


def _duplicate(entry, seen):
    if entry['id'] in seen:
        return ('servers %r and %r have the same id %s; give each its own'
                % (seen[entry['id']], entry['name'], entry['id']))
    seen[entry['id']] = entry['name']
    return None


def _time(value):
    """A naive UTC datetime from a YAML time or an ISO 8601 string, or
    None when it is neither."""
    if isinstance(value, datetime.datetime):
        return timeutils.normalize_time(value)
    if isinstance(value, datetime.date) or not isinstance(value, str):
        return None
    try:
        return timeutils.normalize_time(timeutils.parse_isotime(value))
    except ValueError:
        return None


def _normalized(entry):
    entry = dict(entry)
    for key in _TIMES:
        if key in entry:
            entry[key] = _time(entry[key])
    return entry


class FakeDriver(driver.ComputeDriver):
    """Servers from ``[fake] servers_file``; NMIs recorded, not sent."""

    def __init__(self, conf):
        super().__init__(conf)
        self.nmis = []
        self._lock = threading.Lock()
        self._log_path = os.path.join(conf.state_path, 'fake-nmis.log')
        # Kept open, and opened again should the file be moved or removed
        # (logging's watched file handler does both).
        self._log = logging.handlers.WatchedFileHandler(self._log_path,
                                                        delay=True)
        self._host = conf.host
        self._first_seen = {}
        if conf.fake.servers_file:
            # A bad file stops the agent at start, not at its first sync.
            load_servers(conf.fake.servers_file)

    def init_host(self, host):
        self._host = host
        os.makedirs(os.path.dirname(self._log_path), exist_ok=True)

    def cleanup_host(self, host):
        self._log.close()

    def list_instances(self):
        path = self.conf.fake.servers_file
        if not path:
            return []
        return [self._record(entry) for entry in load_servers(path)]

    def _record(self, entry):
        vm_state = entry.get('vm_state', vm_states.ACTIVE)
        first_seen = self._first_seen.setdefault(entry['id'],
                                                 timeutils.utcnow())
        # A server with "host": null has no host: the API answers 409.
        host = entry['host'] if 'host' in entry else self._host
        return {
            'uuid': entry['id'],
            'display_name': entry['name'],
            'hostname': entry.get('hostname', entry['name']),
            'description': entry.get('description'),
            'project_id': entry.get('project_id'),
            'user_id': entry.get('user_id'),
            'vm_state': vm_state,
            'task_state': entry.get('task_state'),
            'power_state': _POWER.get(vm_state, vm_states.SHUTDOWN),
            'host': host,
            'node': host,
            'availability_zone': entry.get('availability_zone', 'nova'),
            'locked': bool(entry.get('locked', False)),
            'locked_by': 'admin' if entry.get('locked') else None,
            'locked_reason': entry.get('locked_reason'),
            'metadata': entry.get('metadata', {}),
            'tags': entry.get('tags', []),
            'created_at': entry.get('created_at', first_seen),
            'launched_at': entry.get('launched_at', first_seen),
            'driver_info': {'outcome': entry.get('outcome', 'delivered')},
        }

    def trigger_crash_dump(self, instance):
        outcome = (instance.driver_info or {}).get('outcome', 'delivered')
        if outcome == 'not_supported':
            raise exception.TriggerCrashDumpNotSupported()
        if outcome == 'not_running':
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        if outcome == 'not_implemented':
            raise NotImplementedError()
        line = json.dumps({'instance_uuid': instance.uuid,
                           'at': timeutils.utcnow().isoformat()})
        with self._lock:
            self.nmis.append(instance.uuid)
            self._log.handle(logging.makeLogRecord({'msg': line}))

    def guest_memory_bytes(self, instance):
        return FAKE_DUMP_BYTES

    def dump_memory(self, instance, path, dump_format, progress=None,
                    abort=None):
        """Write a small synthetic dump: the format's magic, then bytes
        derived from the server's uuid; takes ``[fake]
        memory_dump_seconds``."""
        outcome = (instance.driver_info or {}).get('outcome', 'delivered')
        if outcome == 'not_running':
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        if outcome in ('not_supported', 'not_implemented'):
            raise exception.MemoryDumpNotSupported(
                reason='the fake server %s has none' % instance.uuid)
        header = _DUMP_HEADERS.get(dump_format, _KDUMP_HEADER)
        block = hashlib.sha256(instance.uuid.encode()).digest() * 128
        steps = 8
        with open(path, 'wb') as dump:
            dump.write(header)
            for step in range(steps):
                if abort is not None and abort.is_set():
                    raise exception.MemoryDumpAborted(
                        reason='it was deleted while being created')
                dump.write(block * (FAKE_DUMP_BYTES // len(block) // steps))
                if progress is not None:
                    progress(100 * step // steps)
                time.sleep(self.conf.fake.memory_dump_seconds / steps)
