"""A real Ironic and BMC emulators for one test class, through the
project's scripts in tools/realparts/ironic.

:class:`IronicStack` gives each test class its own Ironic (own SQLite
database, own loopback port) and BMCs, all stopped by pid when the class
is done. Anything that cannot be set up raises :class:`StackUnusable` with
the reason, so the tests fail loudly rather than skip.
"""
import importlib.util
import json
import os
import shutil
import socket
import sqlite3
import tempfile

from tests.lib.process import run_script

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                    '..'))
SCRIPTS = os.path.join(ROOT, 'tools', 'realparts', 'ironic')
IPMI_USER = 'admin'
IPMI_PASSWORD = 'password'


class StackUnusable(AssertionError):
    """Ironic or a BMC could not be started; the message says why."""


def _enroll_module():
    spec = importlib.util.spec_from_file_location(
        'crashdump_ironic_enroll', os.path.join(SCRIPTS, 'enroll.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


enroll = _enroll_module()


def free_port():
    """A loopback port free for both TCP and UDP right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(('127.0.0.1', 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(('127.0.0.1', port))
                except OSError:
                    continue
            return port
    raise StackUnusable('no free loopback port')


def script(name, *args, timeout=900):
    """Run tools/realparts/ironic/<name>; its stdout, or StackUnusable."""
    return run_script(os.path.join('ironic', name), *args, timeout=timeout,
                      error=StackUnusable)


class IronicStack:
    """One Ironic on loopback with its BMCs; ``start()`` then ``stop()``."""

    def __init__(self):
        self.state = tempfile.mkdtemp(prefix='crashdump-ironic-')
        self.port = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def start(self):
        if os.geteuid() != 0:
            raise StackUnusable('the Ironic functional tests need root to '
                                'install ipmitool and run BMC emulators')
        script('install.sh')
        self.port = free_port()
        script('ironic.sh', 'start', self.state, self.port)
        return self

    def stop(self):
        for args in (('bmc.sh', 'stop', self.state),
                     ('ironic.sh', 'stop', self.state)):
            try:
                script(*args, timeout=60)
            except StackUnusable:
                pass

    def cleanup(self):
        shutil.rmtree(self.state, ignore_errors=True)

    def log(self):
        """Ironic's log so far, for failure reports."""
        try:
            with open(os.path.join(self.state, 'ironic.log')) as stream:
                return stream.read()
        except OSError as exc:
            return 'no Ironic log: %s' % exc

    # -- BMCs ---------------------------------------------------------------

    def recording_bmc(self):
        """Start a recording BMC; returns (port, path of its NMI log)."""
        port = free_port()
        nmi_log = os.path.join(self.state, 'nmis-%d.log' % port)
        script('bmc.sh', 'recording', self.state, port, nmi_log)
        return port, nmi_log

    def virtualbmc(self, domain):
        """Start VirtualBMC for libvirt ``domain``; returns its port."""
        port = free_port()
        script('bmc.sh', 'virtualbmc', self.state, port, domain)
        return port

    def sushy(self):
        """Start sushy-tools' Redfish emulator; returns its port."""
        port = free_port()
        script('bmc.sh', 'sushy', self.state, port)
        return port

    def stop_bmc(self, kind, port):
        script('bmc.sh', 'stop', self.state, '%s-%d' % (kind, port))

    # -- nodes --------------------------------------------------------------

    def enroll(self, driver, instance_uuid, driver_info=None, **kwargs):
        """Enroll a node and make it an active server; returns the node."""
        try:
            return enroll.enroll_node(self.url, driver, driver_info or {},
                                      instance_uuid, **kwargs)
        except (enroll.IronicError, OSError) as exc:
            raise StackUnusable('enrolling %s node for %s failed: %s' % (
                driver, instance_uuid, exc))

    def enroll_ipmi(self, port, instance_uuid, **kwargs):
        return self.enroll('ipmi', instance_uuid, {
            'ipmi_address': '127.0.0.1', 'ipmi_port': port,
            'ipmi_username': IPMI_USER, 'ipmi_password': IPMI_PASSWORD},
            **kwargs)

    def enroll_redfish(self, port, system_uuid, instance_uuid, **kwargs):
        return self.enroll('redfish', instance_uuid, {
            'redfish_address': 'http://127.0.0.1:%d' % port,
            'redfish_system_id': '/redfish/v1/Systems/%s' % system_uuid},
            **kwargs)

    def hold_lock(self, node_uuid):
        """Make the node look locked by a running operation of Ironic's
        own conductor, the way a long deploy or power action holds it."""
        with sqlite3.connect(os.path.join(self.state,
                                          'ironic.sqlite')) as db:
            db.execute("UPDATE nodes SET reservation = 'crashdump-ironic' "
                       "WHERE uuid = ?", (node_uuid,))


def recorded_nmis(nmi_log):
    """The NMIs a recording BMC logged, as a list of dicts."""
    if not os.path.exists(nmi_log):
        return []
    with open(nmi_log) as log:
        return [json.loads(line) for line in log if line.strip()]
