"""The Ironic driver through the real python-ironicclient, with Ironic's
HTTP API played by requests-mock."""
import json
import os
import tempfile
import time
import types
import unittest
from unittest import mock

from ironicclient.common import filecache
from oslo_config import cfg
import requests_mock

from crashdump_server.compute import vm_states
from crashdump_server.conf import ironic as ironic_conf
from crashdump_server import exception
from crashdump_server.virt.ironic import driver as ironic_driver
from crashdump_server.virt.ironic import errors
from crashdump_server.virt.ironic import inventory

IRONIC = 'http://ironic.test:6385'
NODE = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
INSTANCE = '2a8c3c9e-8a5e-4b8e-9a9e-1f0e2d3c4b5a'
NMI_URL = '%s/v1/nodes/%s/management/inject_nmi' % (IRONIC, NODE)
LOOKUP_URL = '%s/v1/nodes/?instance_uuid=%s&fields=uuid' % (IRONIC,
                                                            INSTANCE)
VERSION_HEADERS = {'X-OpenStack-Ironic-API-Minimum-Version': '1.1',
                   'X-OpenStack-Ironic-API-Maximum-Version': '1.99',
                   'Content-Type': 'application/json'}


def make_conf(**ironic_options):
    conf = cfg.ConfigOpts()
    ironic_conf.register_opts(conf)
    conf.register_opt(cfg.StrOpt('host', default='compute-1'))
    conf([], default_config_files=[])
    options = {'auth_type': 'none', 'endpoint_override': IRONIC,
               'retry_interval': 0.01}
    options.update(ironic_options)
    for name, value in options.items():
        conf.set_override(name, value, group='ironic')
    return conf


def ironic_error(message, status):
    """Ironic's error body, faultstring wrapped in error_message."""
    return {'status_code': status, 'headers': VERSION_HEADERS,
            'json': {'error_message': json.dumps(
                {'faultcode': 'Client', 'faultstring': message,
                 'debuginfo': None})}}


def node(**fields):
    body = {'uuid': NODE, 'name': 'rack1-u7', 'instance_uuid': INSTANCE,
            'instance_info': {}, 'provision_state': 'active',
            'power_state': 'power on', 'owner': None, 'lessee': None,
            'provision_updated_at': '2024-05-01T12:30:45+00:00'}
    body.update(fields)
    return body


class IronicTestCase(unittest.TestCase):

    def setUp(self):
        super().setUp()
        # python-ironicclient caches negotiated versions under the user's
        # cache directory; keep it out of the real one.
        cache = tempfile.TemporaryDirectory()
        self.addCleanup(cache.cleanup)
        patcher = mock.patch.object(filecache, 'CACHE_DIR',
                                    os.path.join(cache.name, 'ironic'))
        patcher.start()
        self.addCleanup(patcher.stop)
        self.http = requests_mock.Mocker()
        self.http.start()
        self.addCleanup(self.http.stop)
        self.http.get(IRONIC + '/v1', headers=VERSION_HEADERS,
                      json={'id': 'v1'})

    def make_driver(self, **ironic_options):
        driver = ironic_driver.IronicDriver(make_conf(**ironic_options))
        driver.init_host('compute-1')
        return driver

    def api_versions(self, method):
        return [r.headers.get('X-OpenStack-Ironic-API-Version')
                for r in self.http.request_history if r.method == method]


class TestTriggerCrashDump(IronicTestCase):

    def setUp(self):
        super().setUp()
        self.lookup = self.http.get(LOOKUP_URL, headers=VERSION_HEADERS,
                                    json={'nodes': [{'uuid': NODE}]})
        self.instance = types.SimpleNamespace(
            uuid=INSTANCE, driver_info={'node_uuid': NODE})

    def test_nmi_through_inject_nmi_at_a_version_that_has_it(self):
        nmi = self.http.put(NMI_URL, status_code=204,
                            headers=VERSION_HEADERS)
        self.make_driver().trigger_crash_dump(self.instance)
        self.assertEqual(1, nmi.call_count)
        self.assertEqual({}, nmi.last_request.json())
        # Ironic's default for python-ironicclient (1.9) would get a 404.
        self.assertEqual(['1.65'], self.api_versions('PUT'))

    def test_400_is_not_supported_with_ironic_message(self):
        self.http.put(NMI_URL, **ironic_error(
            'Driver fake-hardware does not support inject_nmi (disabled '
            'or not implemented).', 400))
        with self.assertRaises(exception.TriggerCrashDumpNotSupported) as cm:
            self.make_driver().trigger_crash_dump(self.instance)
        self.assertEqual(
            'Triggering crash dump is not supported: Driver fake-hardware '
            'does not support inject_nmi (disabled or not implemented).',
            cm.exception.message)

    def test_no_node_with_the_instance_is_instance_not_found(self):
        self.http.get(LOOKUP_URL, headers=VERSION_HEADERS,
                      json={'nodes': []})
        with self.assertRaises(exception.InstanceNotFound):
            self.make_driver().trigger_crash_dump(self.instance)

    def test_404_from_inject_nmi_is_instance_not_found(self):
        self.http.put(NMI_URL, **ironic_error('Node not found', 404))
        with self.assertRaises(exception.InstanceNotFound) as cm:
            self.make_driver().trigger_crash_dump(self.instance)
        self.assertIn(INSTANCE, cm.exception.message)

    def test_409_is_retried_max_retries_times_then_node_locked(self):
        nmi = self.http.put(NMI_URL, **ironic_error(
            'Node %s is locked by host c1, please retry after the current '
            'operation is completed.' % NODE, 409))
        with self.assertRaises(errors.NodeLocked) as cm:
            self.make_driver(max_retries=3).trigger_crash_dump(self.instance)
        self.assertEqual(4, nmi.call_count)
        self.assertIn('locked by another operation; gave up after 4 '
                      'attempts', cm.exception.message)
        self.assertIn('locked by host c1', cm.exception.message)

    def test_409_then_204_succeeds(self):
        nmi = self.http.put(NMI_URL, [
            ironic_error('Node is locked by host c1', 409),
            {'status_code': 204, 'headers': VERSION_HEADERS}])
        self.make_driver().trigger_crash_dump(self.instance)
        self.assertEqual(2, nmi.call_count)

    def test_retries_stop_at_the_deadline(self):
        nmi = self.http.put(NMI_URL, **ironic_error('locked', 409))
        started = time.monotonic()
        with self.assertRaises(errors.NodeLocked):
            self.make_driver(max_retries=100, retry_interval=0.4,
                             trigger_timeout=1).trigger_crash_dump(
                                 self.instance)
        self.assertLess(time.monotonic() - started, 1.5)
        self.assertLess(nmi.call_count, 5)

    def test_500_carries_ironic_message(self):
        self.http.put(NMI_URL, **ironic_error('IPMI call failed: power '
                                              'diag.', 500))
        with self.assertRaises(errors.NMIFailed) as cm:
            self.make_driver().trigger_crash_dump(self.instance)
        self.assertEqual(
            'Ironic could not inject an NMI into node %s (HTTP 500): IPMI '
            'call failed: power diag.' % NODE, cm.exception.message)

    def test_hung_ironic_hits_the_deadline(self):
        def hang(request, context):
            time.sleep(3)
            context.status_code = 204
            return ''
        self.http.put(NMI_URL, text=hang, headers=VERSION_HEADERS)
        started = time.monotonic()
        with self.assertRaises(errors.DeadlineExceeded) as cm:
            self.make_driver(trigger_timeout=1).trigger_crash_dump(
                self.instance)
        self.assertLess(time.monotonic() - started, 2)
        self.assertIn('within 1 s', cm.exception.message)

    def test_unreachable_ironic_is_driver_unavailable(self):
        self.http.stop()
        driver = self.make_driver(endpoint_override='http://127.0.0.1:9',
                                  max_retries=1)
        with self.assertRaises(exception.DriverUnavailable) as cm:
            driver.trigger_crash_dump(self.instance)
        self.assertTrue(cm.exception.message.startswith(
            'Ironic is unavailable: '), cm.exception.message)

    def test_ironic_older_than_1_29_is_not_supported(self):
        self.http.get(IRONIC + '/v1', json={'id': 'v1'}, headers={
            'X-OpenStack-Ironic-API-Minimum-Version': '1.1',
            'X-OpenStack-Ironic-API-Maximum-Version': '1.28'})
        with self.assertRaises(exception.TriggerCrashDumpNotSupported) as cm:
            self.make_driver().trigger_crash_dump(self.instance)
        self.assertIn('1.29', cm.exception.message)

    def test_no_auth_and_no_endpoint_is_a_config_error(self):
        driver = self.make_driver(auth_type=None, endpoint_override=None)
        with self.assertRaises(exception.ConfigError):
            driver.list_instances()


class TestListInstances(IronicTestCase):

    def list_url(self, marker=None, limit=1000):
        url = ('%s/v1/nodes/?limit=%d&fields=%s&associated=True' % (
            IRONIC, limit, ','.join(inventory.node_fields((1, 65)))))
        if marker:
            url = url.replace('?', '?marker=%s&' % marker)
        return url

    def test_node_with_instance_becomes_a_server(self):
        self.http.get(self.list_url(), headers=VERSION_HEADERS, json={
            'nodes': [node(instance_info={'display_name': 'db-1',
                                          'user_id': 'u1'},
                           owner='hw-team', lessee='tenant-a')]})
        [record] = self.make_driver().list_instances()
        self.assertEqual(
            (INSTANCE, 'db-1', 'tenant-a', 'u1', vm_states.ACTIVE, None,
             vm_states.RUNNING, 'compute-1', NODE, {'node_uuid': NODE}),
            (record['uuid'], record['display_name'], record['project_id'],
             record['user_id'], record['vm_state'], record['task_state'],
             record['power_state'], record['host'], record['node'],
             record['driver_info']))
        self.assertEqual('2024-05-01T12:30:45',
                         record['launched_at'].isoformat())

    def test_owner_then_default_project(self):
        self.http.get(self.list_url(), headers=VERSION_HEADERS, json={
            'nodes': [node(owner='hw-team'),
                      node(uuid='n2', instance_uuid='i2')]})
        records = self.make_driver(
            default_project_id='ops').list_instances()
        self.assertEqual(['hw-team', 'ops'],
                         [r['project_id'] for r in records])
        self.assertEqual(['rack1-u7', 'rack1-u7'],
                         [r['display_name'] for r in records])

    def test_paging_follows_markers_with_only_needed_fields(self):
        first = [node(uuid='n%d' % i, instance_uuid='i%d' % i)
                 for i in range(3)]
        self.http.get(self.list_url(limit=3), headers=VERSION_HEADERS,
                      json={'nodes': first})
        self.http.get(self.list_url(marker='n2', limit=3),
                      headers=VERSION_HEADERS,
                      json={'nodes': [node(uuid='n3', instance_uuid='i3')]})
        records = self.make_driver(page_size=3).list_instances()
        self.assertEqual(['i0', 'i1', 'i2', 'i3'],
                         [r['uuid'] for r in records])
        lists = [r for r in self.http.request_history
                 if '/v1/nodes/' in r.url]
        self.assertEqual(2, len(lists))
        self.assertNotIn('detail', lists[0].url)

    def test_states(self):
        cases = [
            ('active', 'power off', vm_states.ACTIVE, None,
             vm_states.SHUTDOWN, True),
            ('rescue', 'power on', vm_states.RESCUED, None,
             vm_states.RUNNING, True),
            ('deploy failed', None, vm_states.ERROR, None,
             vm_states.NOSTATE, False),
            ('error', 'power on', vm_states.ERROR, None, vm_states.RUNNING,
             True),
            ('wait call-back', 'power on', vm_states.BUILDING, 'spawning',
             vm_states.RUNNING, False),
            ('deleting', 'power on', vm_states.ACTIVE, 'deleting',
             vm_states.RUNNING, True),
            ('available', 'power off', vm_states.BUILDING, None,
             vm_states.SHUTDOWN, False),
        ]
        for provision, power, vm_state, task_state, power_state, launched \
                in cases:
            record = inventory.server_record(
                types.SimpleNamespace(**node(provision_state=provision,
                                             power_state=power)),
                'compute-1')
            self.assertEqual(
                (vm_state, task_state, power_state, launched),
                (record['vm_state'], record['task_state'],
                 record['power_state'], record['launched_at'] is not None),
                provision)

    def test_older_ironic_gets_no_lessee_field(self):
        self.assertNotIn('lessee', inventory.node_fields((1, 50)))
        self.assertIn('owner', inventory.node_fields((1, 50)))
        self.assertNotIn('owner', inventory.node_fields((1, 29)))


class TestOptions(unittest.TestCase):

    def test_listed_for_the_sample_config(self):
        [(group, opts)] = ironic_conf.list_opts().items()
        names = {opt.dest for opt in opts}
        self.assertLessEqual(
            {'default_project_id', 'max_retries', 'retry_interval',
             'trigger_timeout', 'page_size', 'timeout', 'endpoint_override',
             'auth_type', 'auth_url', 'username', 'password', 'cafile',
             'service_type', 'valid_interfaces'}, names)
        self.assertEqual('ironic', group.name)

    def test_request_timeout_default(self):
        self.assertEqual(30, make_conf().ironic.timeout)
