"""The libvirt driver against a real libvirtd and real QEMU guests.

``crashdump-all`` runs with ``compute_driver = libvirt`` on qemu:///system;
guests are tiny Linux systems (tools/realparts/libvirt/build-guest.sh) that
panic on an unknown NMI. Users are the real ``nova`` client and plain HTTP.
A machine that cannot run libvirt or QEMU fails these tests with the
reason: they prove the driver and are never skipped.
"""
import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request

from tests.functional import base
from tests.functional.libvirt import host

OWNER = 'alice'
PROJECT = 'demo'
OTHER_USER = 'mallory'
OTHER_PROJECT = 'elsewhere'
#: How soon a domain change must show in the API (events, then a sync).
INVENTORY_TIMEOUT = 15
PANIC_TIMEOUT = 20


class LibvirtTestCase(base.FunctionalTestCase):
    """crashdump-all on the real libvirt host, with the helpers the libvirt
    test modules share; it holds no tests of its own."""

    OPTIONS = {
        'DEFAULT.compute_driver': 'libvirt',
        'libvirt.connection_uri': host.URI,
        'libvirt.reconnect_interval': '0.5',
        # Events keep the inventory current; the periodic sync is the net.
        'DEFAULT.sync_interval': '30',
    }

    @classmethod
    def setUpClass(cls):
        host.acquire()
        try:
            super().setUpClass()
        except Exception:
            host.release()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            # The server's whole log outlives its work directory: libvirt
            # trouble often shows only there.
            if cls.server.output_path:
                shutil.copy(cls.server.output_path, os.path.join(
                    tempfile.gettempdir(),
                    'crashdump-libvirt-functional-%d.log' % os.getpid()))
            super().tearDownClass()
        finally:
            host.release()

    def setUp(self):
        super().setUp()
        lock = host.exclusive()
        lock.__enter__()
        self.addCleanup(lock.__exit__, None, None, None)
        self.guests = host.Guests('cdft%d-%s-' % (os.getpid(),
                                                  self.id().rsplit('_')[-1]))
        self.addCleanup(self.guests.remove_all)

    def _server_log_tail(self):
        # Without the polling of instance actions, which would fill the tail.
        lines = [line for line in self.server.output().splitlines(True)
                 if '/os-instance-actions/' not in line
                 and 'crashdump_server.policy' not in line]
        return [''.join(lines)[-30000:].encode('utf-8')]

    # -- helpers ------------------------------------------------------------

    def api(self, method, path, body=None, user=OWNER, project=PROJECT,
            version='2.96'):
        """(status, decoded body or None) of one request under /v2.1."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.server.compute_url + path, data=data, method=method,
            headers={'X-Auth-Token': '%s:%s' % (user, project),
                     'OpenStack-API-Version': 'compute %s' % version,
                     'Content-Type': 'application/json',
                     'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
                request_id = response.headers.get('x-openstack-request-id')
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
            request_id = error.headers.get('x-openstack-request-id')
        self.last_request_id = request_id
        return status, (json.loads(raw) if raw else None)

    def trigger(self, server_id, **kwargs):
        return self.api('POST', '/servers/%s/action' % server_id,
                        {'trigger_crash_dump': None}, **kwargs)

    def server_ids(self, user='admin', project='admin'):
        query = '?all_tenants=1' if user == 'admin' else ''
        status, body = self.api('GET', '/servers' + query, user=user,
                                project=project)
        self.assertEqual(200, status, body)
        return {server['id'] for server in body['servers']}

    def wait_listed(self, server_id, listed=True):
        host.wait_for(lambda: (server_id in self.server_ids()) == listed,
                      INVENTORY_TIMEOUT,
                      'server %s %s GET /servers' % (
                          server_id, 'in' if listed else 'gone from'))

    def running_guest(self, name, *options):
        """A started guest owned by OWNER/PROJECT, listed by the API."""
        name, uuid = self.guests.define(
            name, '--project', PROJECT, '--user', OWNER, *options)
        self.guests.start(name)
        self.wait_listed(uuid)
        return name, uuid

    def assertPanics(self, name):
        host.wait_for(lambda: host.PANIC_LINE in host.console_log(name),
                      PANIC_TIMEOUT, 'the panic line in %s' % name)

    def assertNoPanic(self, name):
        self.assertNotIn('Kernel panic', host.console_log(name))


class LibvirtDriverTest(LibvirtTestCase):

    def test_trigger_wait_panics_the_guest(self):
        name, uuid = self.running_guest('web')
        self.assertNoPanic(name)

        result = self.nova('trigger-crash', name, '--wait')

        self.assertSucceeded(result)
        self.assertPrinted('Success', result)
        self.assertPanics(name)
        status, body = self.api('POST', '/servers/%s/action' % uuid,
                                {'os-getConsoleOutput': {'length': 50}})
        self.assertEqual(200, status, body)
        self.assertIn(host.PANIC_LINE, body['output'])
        self.assertLessEqual(len(body['output'].splitlines()), 50)

    def test_shut_off_domain_is_accepted_then_not_running(self):
        name, uuid = self.guests.define('off', '--project', PROJECT,
                                        '--user', OWNER)
        self.wait_listed(uuid)

        status, body = self.trigger(uuid)

        self.assertEqual(202, status, body)
        event = self.finished_event(uuid, self.last_request_id)
        self.assertEqual('Error', event['result'], event)
        self.assertEqual('Instance %s is not running.' % uuid,
                         event['details'])
        self.assertEqual('shut off', host.virsh('domstate', name))
        self.assertEqual('', host.console_log(name))

    def test_other_project_gets_404_locked_gets_409_admin_succeeds(self):
        name, uuid = self.running_guest('locked', '--locked')

        status, body = self.trigger(uuid, user=OTHER_USER,
                                    project=OTHER_PROJECT)
        self.assertEqual(404, status, body)
        self.assertEqual('Instance %s could not be found.' % uuid,
                         body['itemNotFound']['message'])

        status, body = self.trigger(uuid)
        self.assertEqual(409, status, body)
        self.assertEqual('Instance %s is locked' % uuid,
                         body['conflictingRequest']['message'])
        self.assertNoPanic(name)

        result = self.nova('trigger-crash', uuid, '--wait', user='admin',
                           project='admin')
        self.assertSucceeded(result)
        self.assertPanics(name)

    def test_domain_defined_after_start_is_listed_without_restart(self):
        name, uuid = self.guests.define('late', '--project', PROJECT,
                                        '--user', OWNER)
        self.wait_listed(uuid)
        status, body = self.api('GET', '/servers/%s' % uuid)
        self.assertEqual(200, status, body)
        self.assertEqual((name, 'ACTIVE'), (body['server']['name'],
                                            body['server']['status']))
        self.assertIn(uuid, self.server_ids(user=OWNER, project=PROJECT))
        self.assertNotIn(uuid, self.server_ids(user=OTHER_USER,
                                               project=OTHER_PROJECT))

        host.script('domain.sh', 'remove', name)
        self.wait_listed(uuid, listed=False)

    def test_libvirtd_restart_mid_run(self):
        name, uuid = self.running_guest('restart')
        host.script('daemons.sh', 'stop-libvirtd')
        try:
            status, body = self.trigger(uuid)
            self.assertEqual(202, status, body)
            event = self.finished_event(uuid, self.last_request_id)
            self.assertEqual('Error', event['result'], event)
            self.assertIn('libvirt is unavailable', event['details'])
        finally:
            host.script('daemons.sh', 'start')
        self.assertNoPanic(name)

        # Events flow again: a domain defined now is listed long before
        # the periodic sync would list it.
        _, late_uuid = self.guests.define('after', '--project', PROJECT,
                                          '--user', OWNER)
        self.wait_listed(late_uuid)
        result = self.nova('trigger-crash', name, '--wait')
        self.assertSucceeded(result)
        self.assertPanics(name)
