"""The hooks a compute driver implements, and how one is loaded."""
import importlib

from crashdump_server import exception

DRIVERS = {
    'fake': 'crashdump_server.virt.fake:FakeDriver',
    'libvirt': 'crashdump_server.virt.libvirt.driver:LibvirtDriver',
    'ironic': 'crashdump_server.virt.ironic.driver:IronicDriver',
}


class ComputeDriver:
    """Base of every driver: what the compute manager may call."""

    def __init__(self, conf):
        self.conf = conf
        # Set by the agent: drivers that learn of changes (libvirt
        # lifecycle events) call it so the inventory is synced soon.
        self.on_inventory_change = None

    def init_host(self, host):
        """Connect to the backend; called once when the agent starts."""

    def cleanup_host(self, host):
        """Release the backend; called once when the agent stops."""

    def list_instances(self):
        """The servers this driver manages, as dicts of Instance columns.

        Each dict has at least uuid, display_name, vm_state and power_state.
        """
        return []

    def trigger_crash_dump(self, instance):
        """Inject an NMI into the guest of ``instance``.

        Raises TriggerCrashDumpNotSupported when the backend cannot, and
        InstanceNotRunning when the guest is not running.
        """
        raise NotImplementedError()

    def get_console_output(self, instance):
        """The guest's console log as text.

        Raises ConsoleNotAvailable when the guest has no logged console.
        """
        raise NotImplementedError()

    def guest_memory_bytes(self, instance):
        """The guest's memory size in bytes (what a dump may take), or
        None when the driver cannot tell."""
        return None

    def dump_memory(self, instance, path, dump_format, progress=None,
                    abort=None):
        """Write the guest's memory and vCPU registers to ``path``.

        ``dump_format`` is one of compute.dump_formats.FORMATS. Blocks until
        the file is complete. ``progress(percent)`` is called now and then
        while it runs; when the ``abort`` event is set the driver stops the
        dump and raises MemoryDumpAborted. Raises MemoryDumpNotSupported
        when the backend cannot dump (or not in this format),
        InstanceNotRunning, and MemoryDumpFailed for other failures. The
        file at ``path`` may be left partial: the caller removes it.
        """
        raise exception.MemoryDumpNotSupported(
            reason='the %s driver cannot dump guest memory'
            % type(self).__name__)

    def abort_memory_dump(self, instance):
        """Stop a dump of ``instance`` that the backend still runs for an
        agent that died; True if one was stopped. Never raises."""
        return False


def load(conf):
    """The driver named by ``[DEFAULT] compute_driver``, constructed."""
    name = conf.compute_driver
    try:
        module_name, class_name = DRIVERS[name].split(':')
        module = importlib.import_module(module_name)
    except (KeyError, ImportError) as exc:
        raise exception.ConfigError(
            reason='compute_driver %r cannot be loaded: %s' % (name, exc))
    return getattr(module, class_name)(conf)
