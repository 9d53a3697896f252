"""The server representation at Nova 34's boundary microversions."""
import datetime
import hashlib
import re
import unittest

import microversion_parse
from oslo_config import cfg

from crashdump_server.api.views import servers as views
from crashdump_server.api import wsgi_wrapper
from crashdump_server.compute import status as states
from crashdump_server.conf import default as default_conf
from crashdump_server.db import models
from crashdump_server import servicegroup

UUID = '6b1a4ff8-1c5e-4f2c-9e0a-3a0f3a0c9d11'
UUID2 = '6b1a4ff8-1c5e-4f2c-9e0a-3a0f3a0c9d12'
IMAGE = '0c6e3b9b-0b1c-4a0e-8a3e-4b1c4d0b7b6a'
WHEN = datetime.datetime(2024, 5, 1, 12, 30, 45, 123456)

EXTENDED = views.RULE_EXTENDED_ATTRIBUTES
EXTRA_SPECS = views.RULE_FLAVOR_EXTRA_SPECS
HOST_STATUS = views.RULE_HOST_STATUS
UNKNOWN_ONLY = views.RULE_HOST_STATUS_UNKNOWN_ONLY
ADMIN_RULES = {EXTENDED, EXTRA_SPECS, HOST_STATUS}


class StubContext:
    """Answers policy checks from a set of allowed rule names."""

    def __init__(self, allowed=(), project_id='p1'):
        self.allowed = set(allowed)
        self.project_id = project_id
        self.checks = []

    def can(self, rule, target=None, fatal=True):
        self.checks.append((rule, target))
        return rule in self.allowed


def make_request(version, context, path='/v2.1/servers', query='',
                 base_url='http://api.example:8774'):
    req = wsgi_wrapper.Request.blank(path + ('?' + query if query else ''),
                                     base_url=base_url)
    req.version = microversion_parse.parse_version_string(version)
    req.context = context
    return req


def make_instance(**overrides):
    fields = dict(
        id=26, uuid=UUID, display_name='web-1', hostname='web-1',
        description='the web server', project_id='p1', user_id='u1',
        vm_state='active', task_state=None, power_state=1, host='cmp1',
        node='cmp1.example.org', availability_zone=None, locked=False,
        locked_by=None, locked_reason=None, key_name='key1',
        image_ref=IMAGE,
        flavor={'flavorid': '42', 'name': 'm1.small', 'vcpus': 2,
                'memory_mb': 2048, 'root_gb': 20, 'ephemeral_gb': 0,
                'swap': 0, 'extra_specs': {'hw:cpu_policy': 'shared'}},
        metadata_={'role': 'web'}, tags=['prod'],
        addresses={'private': [{'addr': '10.0.0.3', 'version': 4,
                                'OS-EXT-IPS:type': 'fixed',
                                'OS-EXT-IPS-MAC:mac_addr':
                                    'fa:16:3e:00:00:01'}]},
        driver_info={}, created_at=WHEN, updated_at=WHEN, launched_at=WHEN)
    fields.update(overrides)
    return models.Instance(**fields)


# What Nova 34 shows, encoded from its response schemas and view code.
BASE_KEYS = {
    'accessIPv4', 'accessIPv6', 'addresses', 'created', 'flavor', 'hostId',
    'id', 'image', 'links', 'metadata', 'name', 'status', 'tenant_id',
    'user_id', 'updated', 'OS-DCF:diskConfig', 'progress',
    'OS-EXT-AZ:availability_zone', 'config_drive', 'key_name',
    'OS-SRV-USG:launched_at', 'OS-SRV-USG:terminated_at',
    'OS-EXT-STS:task_state', 'OS-EXT-STS:vm_state', 'OS-EXT-STS:power_state',
    'os-extended-volumes:volumes_attached'}
ADMIN_KEYS_V21 = {'OS-EXT-SRV-ATTR:host', 'OS-EXT-SRV-ATTR:instance_name',
                  'OS-EXT-SRV-ATTR:hypervisor_hostname'}
ADMIN_KEYS_V23 = {'OS-EXT-SRV-ATTR:hostname', 'OS-EXT-SRV-ATTR:kernel_id',
                  'OS-EXT-SRV-ATTR:launch_index', 'OS-EXT-SRV-ATTR:ramdisk_id',
                  'OS-EXT-SRV-ATTR:reservation_id',
                  'OS-EXT-SRV-ATTR:root_device_name',
                  'OS-EXT-SRV-ATTR:user_data'}
# (first version, keys added for everybody)
ADDED = (('2.9', {'locked'}), ('2.19', {'description'}), ('2.26', {'tags'}),
         ('2.63', {'trusted_image_certificates'}),
         ('2.73', {'locked_reason'}),
         ('2.90', {'OS-EXT-SRV-ATTR:hostname'}),
         ('2.96', {'pinned_availability_zone'}),
         ('2.100', {'scheduler_hints'}))
BOUNDARIES = ('2.1', '2.2', '2.3', '2.8', '2.9', '2.15', '2.16', '2.18',
              '2.19', '2.25', '2.26', '2.46', '2.47', '2.50', '2.51', '2.57',
              '2.58', '2.61', '2.62', '2.63', '2.70', '2.71', '2.72', '2.73',
              '2.83', '2.84', '2.89', '2.90', '2.95', '2.96', '2.97', '2.98',
              '2.99', '2.100', '2.104')


def _v(text):
    return microversion_parse.parse_version_string(text)


def expected_keys(version, admin, detail):
    keys = set(BASE_KEYS)
    for first, added in ADDED:
        if _v(version) >= _v(first):
            keys |= added
    if admin:
        keys |= ADMIN_KEYS_V21
        if _v(version) >= _v('2.3'):
            keys |= ADMIN_KEYS_V23
        if _v(version) >= _v('2.16'):
            keys.add('host_status')
    if not detail and _v(version) >= _v('2.71'):
        keys.add('server_groups')
    return keys


class KeysAtEveryBoundaryTest(unittest.TestCase):

    def _show(self, version, allowed):
        req = make_request(version, StubContext(allowed))
        return views.show(req, make_instance(), host_status='UP')['server']

    def _detail(self, version, allowed):
        req = make_request(version, StubContext(allowed),
                           path='/v2.1/servers/detail')
        return views.detail(req, [make_instance()], 1000)['servers'][0]

    def test_show_and_detail_keys(self):
        for version in BOUNDARIES:
            for admin in (True, False):
                allowed = ADMIN_RULES if admin else ()
                with self.subTest(version=version, admin=admin):
                    self.assertEqual(expected_keys(version, admin, False),
                                     set(self._show(version, allowed)))
                    self.assertEqual(expected_keys(version, admin, True),
                                     set(self._detail(version, allowed)))

    def test_index_items_have_id_name_links_only(self):
        for version in BOUNDARIES:
            req = make_request(version, StubContext(ADMIN_RULES))
            body = views.index(req, [make_instance()], 1000)
            self.assertEqual({'servers'}, set(body))
            self.assertEqual({'id', 'name', 'links'}, set(body['servers'][0]))

    def test_flavor_is_a_link_before_247_and_embedded_after(self):
        owner = self._show('2.46', ())['flavor']
        self.assertEqual(
            {'id': '42', 'links': [{
                'rel': 'bookmark',
                'href': 'http://api.example:8774/flavors/42'}]}, owner)
        embedded = {'vcpus': 2, 'ram': 2048, 'disk': 20, 'ephemeral': 0,
                    'swap': 0, 'original_name': 'm1.small'}
        self.assertEqual(embedded, self._show('2.47', ())['flavor'])
        self.assertEqual(dict(embedded,
                              extra_specs={'hw:cpu_policy': 'shared'}),
                         self._show('2.47', {EXTRA_SPECS})['flavor'])
        self.assertEqual(dict(embedded,
                              extra_specs={'hw:cpu_policy': 'shared'}),
                         self._detail('2.47', {EXTRA_SPECS})['flavor'])

    def test_flavor_unknown_to_the_driver(self):
        req = make_request('2.46', StubContext())
        self.assertEqual({}, views.show(req, make_instance(flavor=None))
                         ['server']['flavor'])
        req = make_request('2.47', StubContext({EXTRA_SPECS}))
        self.assertEqual({'vcpus': 0, 'ram': 0, 'disk': 0, 'ephemeral': 0,
                          'swap': 0, 'original_name': '', 'extra_specs': {}},
                         views.show(req, make_instance(flavor=None))
                         ['server']['flavor'])

    def test_extended_attributes_values(self):
        server = self._show('2.3', ADMIN_RULES)
        self.assertEqual('cmp1', server['OS-EXT-SRV-ATTR:host'])
        self.assertEqual('instance-0000001a',
                         server['OS-EXT-SRV-ATTR:instance_name'])
        self.assertEqual('cmp1.example.org',
                         server['OS-EXT-SRV-ATTR:hypervisor_hostname'])
        self.assertEqual('web-1', server['OS-EXT-SRV-ATTR:hostname'])
        self.assertEqual(0, server['OS-EXT-SRV-ATTR:launch_index'])
        self.assertIsNone(server['OS-EXT-SRV-ATTR:user_data'])
        req = make_request('2.1', StubContext({EXTENDED}))
        inst = make_instance(driver_info={'instance_name': 'dom-web'})
        self.assertEqual('dom-web', views.show(req, inst)['server']
                         ['OS-EXT-SRV-ATTR:instance_name'])

    def test_hostname_for_owners_from_290(self):
        self.assertNotIn('OS-EXT-SRV-ATTR:hostname', self._show('2.89', ()))
        self.assertEqual('web-1',
                         self._show('2.90', ())['OS-EXT-SRV-ATTR:hostname'])

    def test_later_fields_values(self):
        server = self._show('2.104', ())
        self.assertIs(False, server['locked'])
        self.assertEqual('the web server', server['description'])
        self.assertEqual(['prod'], server['tags'])
        self.assertIsNone(server['trusted_image_certificates'])
        self.assertEqual([], server['server_groups'])
        self.assertIsNone(server['locked_reason'])
        self.assertIsNone(server['pinned_availability_zone'])
        self.assertEqual({}, server['scheduler_hints'])
        self.assertEqual({}, server['image']['properties'])
        self.assertNotIn('properties', self._show('2.97', ())['image'])

    def test_locked_and_reason(self):
        req = make_request('2.73', StubContext())
        inst = make_instance(locked=True, locked_by='owner',
                             locked_reason='maintenance')
        server = views.show(req, inst)['server']
        self.assertIs(True, server['locked'])
        self.assertEqual('maintenance', server['locked_reason'])


class FieldValuesTest(unittest.TestCase):

    def _show(self, inst, version='2.1', allowed=()):
        req = make_request(version, StubContext(allowed))
        return views.show(req, inst)['server']

    def test_v21_values(self):
        server = self._show(make_instance())
        self.assertEqual(UUID, server['id'])
        self.assertEqual('web-1', server['name'])
        self.assertEqual('ACTIVE', server['status'])
        self.assertEqual('p1', server['tenant_id'])
        self.assertEqual('u1', server['user_id'])
        self.assertEqual({'role': 'web'}, server['metadata'])
        self.assertEqual('2024-05-01T12:30:45Z', server['created'])
        self.assertEqual('2024-05-01T12:30:45Z', server['updated'])
        self.assertEqual('2024-05-01T12:30:45.123456',
                         server['OS-SRV-USG:launched_at'])
        self.assertIsNone(server['OS-SRV-USG:terminated_at'])
        self.assertEqual(hashlib.sha224(b'p1cmp1').hexdigest(),
                         server['hostId'])
        self.assertEqual('', server['accessIPv4'])
        self.assertEqual('', server['accessIPv6'])
        self.assertEqual('MANUAL', server['OS-DCF:diskConfig'])
        self.assertEqual('nova', server['OS-EXT-AZ:availability_zone'])
        self.assertEqual('', server['config_drive'])
        self.assertEqual('key1', server['key_name'])
        self.assertEqual(0, server['progress'])
        self.assertEqual([], server['os-extended-volumes:volumes_attached'])
        self.assertNotIn('security_groups', server)
        self.assertEqual({'private': [{
            'version': 4, 'addr': '10.0.0.3', 'OS-EXT-IPS:type': 'fixed',
            'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01'}]},
            server['addresses'])
        self.assertEqual(
            {'id': IMAGE, 'links': [{
                'rel': 'bookmark',
                'href': 'http://api.example:8774/images/' + IMAGE}]},
            server['image'])
        self.assertEqual(
            [{'rel': 'self',
              'href': 'http://api.example:8774/v2.1/servers/' + UUID},
             {'rel': 'bookmark',
              'href': 'http://api.example:8774/servers/' + UUID}],
            server['links'])
        self.assertEqual('active', server['OS-EXT-STS:vm_state'])
        self.assertIsNone(server['OS-EXT-STS:task_state'])
        self.assertEqual(1, server['OS-EXT-STS:power_state'])

    def test_server_without_host_image_or_update(self):
        inst = make_instance(host=None, image_ref=None, updated_at=None,
                             launched_at=None, availability_zone='az1',
                             project_id=None, user_id=None, metadata_=None)
        server = self._show(inst)
        self.assertEqual('', server['hostId'])
        self.assertEqual('', server['image'])
        self.assertEqual('az1', server['OS-EXT-AZ:availability_zone'])
        self.assertEqual('', server['tenant_id'])
        self.assertEqual('', server['user_id'])
        self.assertEqual({}, server['metadata'])
        self.assertIsNone(server['OS-SRV-USG:launched_at'])
        # Nova prints the current time for a server never updated.
        self.assertRegex(server['updated'],
                         r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')

    def test_building_server_hides_addresses_and_shows_progress(self):
        server = self._show(make_instance(vm_state='building'))
        self.assertEqual({}, server['addresses'])
        self.assertEqual('BUILD', server['status'])
        self.assertEqual(0, server['progress'])

    def test_progress_only_for_progressing_statuses(self):
        for vm_state, task_state, status, progress in (
                ('stopped', None, 'SHUTOFF', False),
                ('error', None, 'ERROR', False),
                ('error', 'rebuilding', 'REBUILD', True),
                ('paused', 'migrating', 'MIGRATING', True),
                ('resized', None, 'VERIFY_RESIZE', True),
                ('active', 'rebooting_hard', 'HARD_REBOOT', False)):
            server = self._show(make_instance(vm_state=vm_state,
                                              task_state=task_state))
            self.assertEqual(status, server['status'])
            self.assertEqual(progress, 'progress' in server)

    def test_status_mapping(self):
        self.assertEqual('ACTIVE', states.status_from_state('active'))
        self.assertEqual('REBOOT',
                         states.status_from_state('active', 'reboot_started'))
        self.assertEqual('RESIZE',
                         states.status_from_state('stopped', 'resize_prep'))
        self.assertEqual('SHUTOFF',
                         states.status_from_state('stopped', 'spawning'))
        self.assertEqual('SOFT_DELETED',
                         states.status_from_state('soft-delete'))
        self.assertEqual('UNKNOWN', states.status_from_state('melted'))

    def test_states_for_statuses(self):
        self.assertEqual(
            (['active'], ['reboot_pending', 'reboot_started', 'rebooting']),
            states.states_for_statuses(['reboot']))
        self.assertEqual((['error'], ['default']),
                         states.states_for_statuses(['ERROR']))
        self.assertEqual(([], []), states.states_for_statuses(['BOGUS']))

    def test_addresses_in_driver_form_are_normalised(self):
        inst = make_instance(addresses={'net': [
            {'address': 'fd00::5', 'mac_address': 'fa:16:3e:00:00:02',
             'type': 'floating'}]})
        self.assertEqual({'net': [{
            'version': 6, 'addr': 'fd00::5', 'OS-EXT-IPS:type': 'floating',
            'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:02'}]},
            self._show(inst)['addresses'])

    def test_image_href_gives_its_id(self):
        inst = make_instance(
            image_ref='http://glance.example/v2/images/' + IMAGE)
        self.assertEqual(IMAGE, self._show(inst)['image']['id'])


class HostStatusTest(unittest.TestCase):

    def _host_status(self, allowed, status, inst=None):
        req = make_request('2.16', StubContext(allowed))
        server = views.show(req, inst or make_instance(),
                            host_status=status)['server']
        return server.get('host_status', 'absent')

    def test_policy_decides_what_is_shown(self):
        self.assertEqual('UP', self._host_status({HOST_STATUS}, 'UP'))
        self.assertEqual('absent', self._host_status({UNKNOWN_ONLY}, 'UP'))
        self.assertEqual('UNKNOWN',
                         self._host_status({UNKNOWN_ONLY}, 'UNKNOWN'))
        self.assertEqual('absent', self._host_status((), 'UNKNOWN'))

    def test_not_before_216(self):
        req = make_request('2.15', StubContext({HOST_STATUS}))
        self.assertNotIn('host_status',
                         views.show(req, make_instance())['server'])

    def test_no_host_and_no_status_given(self):
        self.assertEqual('', self._host_status({HOST_STATUS}, None,
                                               make_instance(host=None)))
        self.assertEqual('UNKNOWN', self._host_status({HOST_STATUS}, None))

    def test_detail_uses_the_host_map(self):
        req = make_request('2.16', StubContext({HOST_STATUS}))
        servers = views.detail(
            req, [make_instance(), make_instance(uuid=UUID2, host='cmp2')],
            1000, host_statuses={'cmp1': 'UP'})['servers']
        self.assertEqual(['UP', 'UNKNOWN'],
                         [s['host_status'] for s in servers])

    def test_status_of_service(self):
        now = datetime.datetime(2024, 5, 1, 12, 0, 0)
        fresh = models.Service(updated_at=now - datetime.timedelta(seconds=30),
                               created_at=now - datetime.timedelta(days=1))
        stale = models.Service(updated_at=None,
                               created_at=now - datetime.timedelta(hours=1))
        conf = cfg.ConfigOpts()
        conf.register_opts(default_conf.opts)
        conf([], default_config_files=[])

        def is_up(service):
            return servicegroup.API(conf).service_is_up(service, now)
        self.assertEqual('UP', states.host_status(fresh, is_up))
        self.assertEqual('UNKNOWN', states.host_status(stale, is_up))
        self.assertEqual('', states.host_status(None, is_up))


class PolicyTargetsTest(unittest.TestCase):

    def test_show_checks_against_the_servers_project(self):
        context = StubContext(project_id='admin-project')
        views.show(make_request('2.47', context),
                   make_instance(project_id='p9'))
        self.assertEqual({(EXTRA_SPECS, 'p9'), (EXTENDED, 'p9'),
                          (HOST_STATUS, 'p9'), (UNKNOWN_ONLY, 'p9')},
                         {(rule, target['project_id'])
                          for rule, target in context.checks})

    def test_detail_checks_against_the_callers_project(self):
        context = StubContext()
        views.detail(make_request('2.47', context), [make_instance()], 10)
        self.assertEqual([None], list({t for _r, t in context.checks}))


class LinksTest(unittest.TestCase):

    def test_app_mounted_at_version(self):
        req = make_request('2.1', StubContext(), path='/servers')
        req.script_name = '/compute/v2.1'
        links = views.show(req, make_instance())['server']['links']
        self.assertEqual(
            ['http://api.example:8774/compute/v2.1/servers/' + UUID,
             'http://api.example:8774/compute/servers/' + UUID],
            [link['href'] for link in links])

    def test_project_id_in_url(self):
        req = make_request('2.1', StubContext(project_id='p1'),
                           path='/v2.1/p1/servers/' + UUID)
        links = views.show(req, make_instance())['server']['links']
        self.assertEqual(
            ['http://api.example:8774/v2.1/p1/servers/' + UUID,
             'http://api.example:8774/p1/servers/' + UUID],
            [link['href'] for link in links])

    def test_project_id_only_as_a_path_segment(self):
        req = make_request('2.1', StubContext(project_id='demo'),
                           query='name=demo-1')
        links = views.show(req, make_instance())['server']['links']
        self.assertEqual('http://api.example:8774/v2.1/servers/' + UUID,
                         links[0]['href'])

    def test_next_link_when_page_is_full(self):
        req = make_request('2.1', StubContext(), query='name=web&limit=2')
        body = views.index(req, [make_instance(),
                                 make_instance(uuid=UUID2)], 2)
        self.assertEqual(
            [{'rel': 'next',
              'href': 'http://api.example:8774/v2.1/servers?limit=2&'
                      'name=web&marker=' + UUID2}],
            body['servers_links'])

    def test_detail_next_link(self):
        req = make_request('2.1', StubContext(), path='/v2.1/servers/detail')
        body = views.detail(req, [make_instance()], 1)
        self.assertTrue(re.match(
            r'^http://api\.example:8774/v2\.1/servers/detail\?marker=',
            body['servers_links'][0]['href']))

    def test_no_next_link_for_a_short_page_or_no_limit(self):
        req = make_request('2.1', StubContext())
        self.assertNotIn('servers_links',
                         views.index(req, [make_instance()], 2))
        self.assertNotIn('servers_links', views.index(req, [], 0))
        self.assertNotIn('servers_links', views.detail(req, [], 1000))


if __name__ == '__main__':
    unittest.main()
