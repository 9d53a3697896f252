"""The real libvirt/QEMU host the functional tests drive, through the
project's scripts in tools/realparts/libvirt.

Several stestr workers may run libvirt tests at once, and one of them
restarts libvirtd, so every test holds an exclusive lock on the host
(:func:`exclusive`) while it runs. The daemons are started by the first
worker that needs them and stopped, by pid, by the last one to finish, and
only when a test started them: a libvirtd that was already running is
left as it was.
"""
import contextlib
import fcntl
import os
import subprocess

from tests.lib.process import run_script
from tests.lib.process import wait_for  # noqa: F401 (host.wait_for)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
SCRIPTS = os.path.join(ROOT, 'tools', 'realparts', 'libvirt')
RUN_DIR = os.environ.get('CRASHDUMP_LIBVIRT_RUN', '/run/crashdump-libvirt')
GUEST_LOGS = os.environ.get('CRASHDUMP_GUEST_LOGS',
                            '/var/log/crashdump-guests')
URI = os.environ.get('LIBVIRT_URI', 'qemu:///system')
PANIC_LINE = 'Kernel panic - not syncing: NMI: Not continuing'

_LOCK = os.path.join(RUN_DIR, 'functional.lock')
_USERS = os.path.join(RUN_DIR, 'functional-users')
_STARTED = os.path.join(RUN_DIR, 'functional-started-daemons')


class HostUnusable(AssertionError):
    """The machine cannot run libvirt/QEMU guests; the message says why."""


def script(name, *args, timeout=600):
    """Run tools/realparts/libvirt/<name>; its stdout, or HostUnusable."""
    return run_script(os.path.join('libvirt', name), *args, timeout=timeout,
                      error=HostUnusable)


def virsh(*args, check=True):
    """Run virsh on the test URI; its stdout (stripped)."""
    result = subprocess.run(['virsh', '-q', '-c', URI] + list(args),
                            capture_output=True, text=True, timeout=60)
    if check and result.returncode:
        raise AssertionError('virsh %s failed: %s' % (' '.join(args),
                                                      result.stderr))
    return result.stdout.strip()


@contextlib.contextmanager
def _locked():
    os.makedirs(RUN_DIR, exist_ok=True)
    with open(_LOCK, 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def exclusive():
    """Hold the host for one test (other workers' tests wait)."""
    with _locked():
        yield


def acquire():
    """Set the host up (packages, guest, daemons) and register this process
    as a user. Raises HostUnusable with the reason when it cannot be done.
    """
    if os.geteuid() != 0:
        raise HostUnusable('the libvirt functional tests need root: they '
                           'start libvirtd and QEMU guests')
    with _locked():
        answered = subprocess.run(
            ['bash', os.path.join(SCRIPTS, 'daemons.sh'), 'status'],
            capture_output=True).returncode == 0
        script('setup.sh')
        os.makedirs(_USERS, exist_ok=True)
        if not _live_users():
            # Guests a killed test run left behind.
            script('domain.sh', 'remove-all', 'cdft')
        if not answered:
            open(_STARTED, 'w').close()
        open(os.path.join(_USERS, str(os.getpid())), 'w').close()


def release():
    """Unregister; the last user stops the daemons the tests started."""
    with _locked():
        mine = os.path.join(_USERS, str(os.getpid()))
        if os.path.exists(mine):
            os.unlink(mine)
        if _live_users() or not os.path.exists(_STARTED):
            return
        script('daemons.sh', 'stop')
        os.unlink(_STARTED)


def _live_users():
    """Pids of the test processes using the host; forgets dead ones."""
    live = []
    for name in os.listdir(_USERS) if os.path.isdir(_USERS) else []:
        if _pid_alive(int(name)):
            live.append(int(name))
        else:
            os.unlink(os.path.join(_USERS, name))
    return live


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def console_log(name):
    """The guest's console log so far ('' when there is none)."""
    try:
        with open(os.path.join(GUEST_LOGS, name + '.log'),
                  errors='replace') as log:
            return log.read()
    except FileNotFoundError:
        return ''


class Guests:
    """Domains one test defines; :meth:`remove_all` removes them."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.names = []

    def define(self, name, *options):
        """Define ``<prefix><name>``; returns (domain name, uuid)."""
        full = self.prefix + name
        self.names.append(full)
        uuid = script('domain.sh', 'define', full, *options).strip()
        return full, uuid

    def start(self, name):
        script('domain.sh', 'start', name, '120')

    def remove_all(self):
        for name in self.names:
            script('domain.sh', 'remove', name)
        self.names = []
