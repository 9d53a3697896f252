"""The fake driver: servers from a file, NMIs that only get counted.

For demos and tests. ``[fake] servers_file`` lists the servers; each says
what a crash dump request should do to it (``outcome``). Every delivered
NMI is counted in memory and appended to ``<state_path>/fake-nmis.log``
(one JSON line per NMI, with the server's uuid) so a test in another
process can count too.
"""
import hashlib
import json
import os
import threading
import time

from oslo_utils import timeutils
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


def load_servers(path):
    """The validated server entries of a servers file; raises ConfigError."""
    try:
        with open(path) as stream:
            entries = yaml.safe_load(stream) or []
    except (OSError, yaml.YAMLError) as exc:
        raise exception.ConfigError(
            reason='[fake] servers_file %s is unreadable: %s' % (path, exc))
    if isinstance(entries, dict):
        entries = entries.get('servers', [])
    if not isinstance(entries, list):
        raise exception.ConfigError(
            reason='[fake] servers_file %s must hold a list of servers'
            % path)
    for entry in entries:
        problem = _problem(entry)
        if problem:
            raise exception.ConfigError(
                reason='[fake] servers_file %s: %s' % (path, problem))
    return entries


def _problem(entry):
    if not isinstance(entry, dict):
        return 'every server must be an object, got %r' % (entry,)
    unknown = set(entry) - set(_FIELDS)
    if unknown:
        return 'unknown keys %s in %r' % (sorted(unknown), entry)
    for key in ('id', 'name'):
        if not entry.get(key):
            return 'a server needs %s: %r' % (key, entry)
    if entry.get('outcome', 'delivered') not in OUTCOMES:
        return 'outcome of %s must be one of %s' % (
            entry['id'], ', '.join(OUTCOMES))
    if entry.get('vm_state', vm_states.ACTIVE) not in vm_states.ALL:
        return 'vm_state of %s must be one of %s' % (
            entry['id'], ', '.join(vm_states.ALL))
    return None


class FakeDriver(driver.ComputeDriver):
    """Servers from ``[fake] servers_file``; NMIs recorded, not sent."""

    def __init__(self, conf):
        super().__init__(conf)
        self.nmis = []
        self._lock = threading.Lock()
        self._log_path = os.path.join(conf.state_path, 'fake-nmis.log')
        self._host = conf.host
        self._first_seen = {}

    def init_host(self, host):
        self._host = host
        os.makedirs(os.path.dirname(self._log_path), exist_ok=True)

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
        with self._lock:
            self.nmis.append(instance.uuid)
            with open(self._log_path, 'a') as log:
                log.write(json.dumps({'instance_uuid': instance.uuid,
                                      'at': timeutils.utcnow().isoformat()})
                          + '\n')

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
