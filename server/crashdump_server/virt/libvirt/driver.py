"""The libvirt driver: every domain of ``[libvirt] connection_uri`` is a
server, and a crash dump is ``virDomainInjectNMI``.

Domain state -> server state, after Nova's libvirt power states. A shut-off
domain is reported as vm_state ``active`` with power state SHUTDOWN: that is
what Nova's own record says of a guest that powered itself off until Nova's
power sync notices, and it keeps the API's state check out of the way so
libvirt itself answers that the guest is not running (the request is
accepted, then its event records "Instance <uuid> is not running."). A
domain libvirt reports crashed is an ``error`` server, which Nova also lets
a user trigger on.
"""
import os

from oslo_log import log as logging
from oslo_utils import timeutils

from crashdump_server.compute import vm_states
from crashdump_server import exception
from crashdump_server.virt import driver
from crashdump_server.virt.libvirt import connection as libvirt_connection
from crashdump_server.virt.libvirt import memory_dump
from crashdump_server.virt.libvirt import metadata

libvirt = libvirt_connection.libvirt

LOG = logging.getLogger(__name__)

# Nova reads at most this much of a console log (its MAX_CONSOLE_BYTES).
MAX_CONSOLE_BYTES = 100 * 1024

if libvirt is not None:
    # libvirt domain state -> (vm_state, power_state)
    STATE_MAP = {
        libvirt.VIR_DOMAIN_NOSTATE: (vm_states.ACTIVE, vm_states.NOSTATE),
        libvirt.VIR_DOMAIN_RUNNING: (vm_states.ACTIVE, vm_states.RUNNING),
        # BLOCKED is a running guest whose vCPUs are idle.
        libvirt.VIR_DOMAIN_BLOCKED: (vm_states.ACTIVE, vm_states.RUNNING),
        libvirt.VIR_DOMAIN_PAUSED: (vm_states.PAUSED,
                                    vm_states.PAUSED_POWER),
        libvirt.VIR_DOMAIN_SHUTDOWN: (vm_states.ACTIVE, vm_states.SHUTDOWN),
        libvirt.VIR_DOMAIN_SHUTOFF: (vm_states.ACTIVE, vm_states.SHUTDOWN),
        libvirt.VIR_DOMAIN_CRASHED: (vm_states.ERROR, vm_states.CRASHED),
        libvirt.VIR_DOMAIN_PMSUSPENDED: (vm_states.SUSPENDED,
                                         vm_states.SUSPENDED_POWER),
    }
else:
    STATE_MAP = {}


class LibvirtDriver(driver.ComputeDriver):
    """Servers are the domains of one libvirt connection."""

    def __init__(self, conf):
        super().__init__(conf)
        if libvirt is None:
            raise exception.ConfigError(
                reason='compute_driver = libvirt needs the libvirt Python '
                       'binding: pip install "crashdump-server[libvirt]" '
                       '(it builds against the libvirt-dev and pkg-config '
                       'packages)')
        options = conf.libvirt
        self._host = conf.host
        self._first_seen = {}
        self.connection = libvirt_connection.Connection(
            options.connection_uri, self._inventory_changed,
            reconnect_interval=options.reconnect_interval,
            keepalive_interval=options.keepalive_interval,
            keepalive_count=options.keepalive_count)

    def _inventory_changed(self):
        if self.on_inventory_change is not None:
            self.on_inventory_change()

    def init_host(self, host):
        """Connect; a daemon that is not up yet is retried in the background.
        """
        self._host = host
        self.connection.start()
        try:
            self.connection.get()
        except exception.DriverUnavailable as exc:
            LOG.warning('%s; servers are reported once it answers', exc)

    def cleanup_host(self, host):
        self.connection.stop()

    def list_instances(self):
        """Every domain as a server record.

        Raises DriverUnavailable while libvirtd is away, so the agent keeps
        the servers it knows instead of reporting them gone.
        """
        conn = self.connection.get()
        try:
            domains = conn.listAllDomains(0)
        except libvirt.libvirtError as exc:
            self._raise_for(exc, 'listing domains')
        records = []
        for dom in domains:
            try:
                records.append(self._record(dom))
            except libvirt.libvirtError as exc:
                if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                    continue  # undefined while we listed
                self._raise_for(exc, 'reading a domain')
        return records

    def _record(self, dom):
        uuid = dom.UUIDString()
        state = dom.state()[0]
        facts = metadata.parse_domain(
            dom.XMLDesc(0), self.conf.libvirt.default_project_id,
            self.conf.libvirt.default_user_id)
        vm_state, power_state = STATE_MAP.get(
            state, (vm_states.ACTIVE, vm_states.NOSTATE))
        first_seen = self._first_seen.setdefault(uuid, timeutils.utcnow())
        return {
            'uuid': uuid,
            'display_name': facts.display_name,
            'hostname': facts.display_name,
            'project_id': facts.project_id,
            'user_id': facts.user_id,
            'vm_state': vm_state,
            'task_state': None,
            'power_state': power_state,
            'host': self._host,
            'node': self._host,
            'locked': facts.locked,
            'locked_by': 'admin' if facts.locked else None,
            'locked_reason': facts.locked_reason,
            'flavor': {'vcpus': facts.vcpus, 'memory_mb': facts.memory_mb,
                       'name': facts.flavor_name},
            'created_at': facts.created_at or first_seen,
            'launched_at': facts.created_at or first_seen,
            'driver_info': {'instance_name': facts.name,
                            'console_log': facts.console_log,
                            'owner_source': facts.owner_source},
        }

    def trigger_crash_dump(self, instance):
        """Inject an NMI into the instance's domain.

        Raises TriggerCrashDumpNotSupported (VIR_ERR_NO_SUPPORT),
        InstanceNotRunning (VIR_ERR_OPERATION_INVALID), InstanceNotFound
        (no such domain any more), DriverUnavailable (libvirtd away), and
        CrashdumpException naming the libvirt error code for anything else.
        """
        dom = self._domain(instance)
        try:
            dom.injectNMI(0)
        except libvirt.libvirtError as exc:
            code = exc.get_error_code()
            if code == libvirt.VIR_ERR_NO_SUPPORT:
                raise exception.TriggerCrashDumpNotSupported()
            if code == libvirt.VIR_ERR_OPERATION_INVALID:
                raise exception.InstanceNotRunning(instance_id=instance.uuid)
            self._raise_for(exc, 'injecting an NMI into domain %s'
                            % instance.uuid)

    def guest_memory_bytes(self, instance):
        """The domain's maximum memory in bytes."""
        dom = self._domain(instance)
        try:
            return dom.info()[1] * 1024
        except libvirt.libvirtError as exc:
            self._raise_for(exc, 'reading domain %s' % instance.uuid)

    def dump_memory(self, instance, path, dump_format, progress=None,
                    abort=None):
        """virDomainCoreDumpWithFormat, memory only, with the vCPUs'
        registers; see ComputeDriver.dump_memory."""
        dom = self._domain(instance)
        try:
            memory_dump.dump(dom, path, dump_format, progress, abort)
        except libvirt.libvirtError as exc:
            code = exc.get_error_code()
            if code == libvirt.VIR_ERR_OPERATION_INVALID:
                raise exception.InstanceNotRunning(instance_id=instance.uuid)
            # INVALID_ARG: a format this QEMU binary lacks (snappy, lzo,
            # win-dmp for a guest without vmcoreinfo).
            if code in (libvirt.VIR_ERR_NO_SUPPORT,
                        libvirt.VIR_ERR_INVALID_ARG,
                        libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED,
                        libvirt.VIR_ERR_OPERATION_UNSUPPORTED):
                raise exception.MemoryDumpNotSupported(reason=str(exc))
            if code == libvirt.VIR_ERR_OPERATION_ABORTED:
                raise exception.MemoryDumpAborted(reason=str(exc))
            if self.connection.lost(exc):
                raise exception.DriverUnavailable(
                    driver='libvirt',
                    reason='libvirtd at %s went away during the dump (%s)'
                           % (self.connection.uri, exc))
            raise exception.MemoryDumpFailed(
                reason='libvirt failed dumping the memory of domain %s: %s '
                       '(libvirt error code %s)' % (instance.uuid, exc, code))

    def abort_memory_dump(self, instance):
        """Abort the domain's dump job, which libvirtd runs on after the
        agent that asked for it died (the guest is paused meanwhile)."""
        try:
            dom = self._domain(instance)
            return memory_dump.abort_dump_job(dom)
        except (exception.CrashdumpException, libvirt.libvirtError):
            return False

    def _domain(self, instance):
        conn = self.connection.get()
        try:
            return conn.lookupByUUIDString(instance.uuid)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                self._inventory_changed()
                raise exception.InstanceNotFound(instance_id=instance.uuid)
            self._raise_for(exc, 'looking up domain %s' % instance.uuid)

    def _raise_for(self, exc, what):
        """Re-raise a libvirtError as the exception the event records."""
        if self.connection.lost(exc):
            raise exception.DriverUnavailable(
                driver='libvirt',
                reason='libvirtd at %s went away while %s (%s)'
                       % (self.connection.uri, what, exc))
        code = exc.get_error_code()
        LOG.error('libvirt failed %s: error code %s: %s', what, code, exc)
        raise exception.CrashdumpException(
            'libvirt failed %s: %s (libvirt error code %s)'
            % (what, exc, code))

    def get_console_output(self, instance):
        """The tail (up to 100 KiB) of the domain's serial console log.

        The log path is read from the live domain, else from what the last
        sync recorded. Raises ConsoleNotAvailable when the domain logs no
        console, or the log cannot be read.
        """
        path = None
        try:
            dom = self._domain(instance)
            path = metadata.parse_domain(dom.XMLDesc(0)).console_log
        except (exception.DriverUnavailable, exception.InstanceNotFound,
                exception.CrashdumpException, libvirt.libvirtError,
                ValueError):
            path = (instance.driver_info or {}).get('console_log')
        if not path:
            raise exception.ConsoleNotAvailable()
        try:
            with open(path, 'rb') as log:
                size = os.fstat(log.fileno()).st_size
                log.seek(max(0, size - MAX_CONSOLE_BYTES))
                data = log.read(MAX_CONSOLE_BYTES)
        except OSError as exc:
            LOG.warning('Console log %s of server %s is unreadable: %s',
                        path, instance.uuid, exc)
            raise exception.ConsoleNotAvailable()
        return data.decode('utf-8', errors='replace')
