"""Instance actions and events at Nova 34's boundary microversions."""
import datetime
import hashlib
import unittest

import microversion_parse

from crashdump_server.api.views import instance_actions as views
from crashdump_server.api import wsgi_wrapper
from crashdump_server.db import models

UUID = '6b1a4ff8-1c5e-4f2c-9e0a-3a0f3a0c9d11'
START = datetime.datetime(2024, 5, 1, 12, 0, 0)
FINISH = datetime.datetime(2024, 5, 1, 12, 0, 1, 250000)

EVENTS = views.RULE_EVENTS
DETAILS = views.RULE_EVENTS_DETAILS
ACTION_KEYS = {'action', 'instance_uuid', 'request_id', 'user_id',
               'project_id', 'start_time', 'message'}


class StubContext:
    """Answers policy checks from a set of allowed rule names."""

    def __init__(self, allowed=(), project_id='p1'):
        self.allowed = set(allowed)
        self.project_id = project_id
        self.targets = []

    def can(self, rule, target=None, fatal=True):
        self.targets.append(target)
        return rule in self.allowed


def make_request(version, context, query=''):
    path = '/v2.1/servers/%s/os-instance-actions' % UUID
    req = wsgi_wrapper.Request.blank(path + ('?' + query if query else ''),
                                     base_url='http://api.example:8774')
    req.version = microversion_parse.parse_version_string(version)
    req.context = context
    return req


def make_action(request_id='req-1', project_id='p1', events=True):
    action = models.InstanceAction(
        action='trigger_crash_dump', instance_uuid=UUID,
        request_id=request_id, user_id='u1', project_id=project_id,
        start_time=START, finish_time=FINISH, message=None,
        created_at=START, updated_at=FINISH)
    if events:
        action.events = [models.InstanceActionEvent(
            event='compute_trigger_crash_dump', start_time=START,
            finish_time=FINISH, result='Error', traceback='Traceback ...',
            host='cmp1', details='Instance is not running.',
            created_at=START)]
    return action


def make_instance(project_id='p1'):
    return models.Instance(uuid=UUID, display_name='web-1',
                           project_id=project_id, vm_state='active',
                           created_at=START)


def show(version, allowed=(), action=None, instance=None):
    req = make_request(version, StubContext(allowed))
    return views.show(req, action or make_action(),
                      instance or make_instance())['instanceAction']


class ListTest(unittest.TestCase):

    def test_keys_before_and_from_258(self):
        for version, keys in (('2.1', ACTION_KEYS), ('2.57', ACTION_KEYS),
                              ('2.58', ACTION_KEYS | {'updated_at'}),
                              ('2.104', ACTION_KEYS | {'updated_at'})):
            req = make_request(version, StubContext())
            body = views.index(req, [make_action()], 1000)
            self.assertEqual({'instanceActions'}, set(body))
            self.assertEqual(keys, set(body['instanceActions'][0]))

    def test_values(self):
        req = make_request('2.58', StubContext())
        item = views.index(req, [make_action()], 1000)['instanceActions'][0]
        self.assertEqual({
            'action': 'trigger_crash_dump', 'instance_uuid': UUID,
            'request_id': 'req-1', 'user_id': 'u1', 'project_id': 'p1',
            'start_time': '2024-05-01T12:00:00.000000', 'message': None,
            'updated_at': '2024-05-01T12:00:01.250000'}, item)

    def test_links_from_258_when_the_page_is_full(self):
        req = make_request('2.58', StubContext(), query='limit=1')
        body = views.index(req, [make_action()], 1)
        self.assertEqual(
            [{'rel': 'next',
              'href': 'http://api.example:8774/v2.1/servers/%s/'
                      'os-instance-actions?limit=1&marker=req-1' % UUID}],
            body['links'])
        req = make_request('2.57', StubContext(), query='limit=1')
        self.assertNotIn('links', views.index(req, [make_action()], 1))
        req = make_request('2.58', StubContext())
        self.assertNotIn('links', views.index(req, [make_action()], 2))
        self.assertNotIn('links', views.index(req, [], 2))

    def test_link_uses_the_path_server_id(self):
        req = make_request('2.58', StubContext(),
                           query='changes-since=2024-01-01T00:00:00Z')
        body = views.index(req, [make_action()], 1, server_id='web-id')
        self.assertEqual(
            'http://api.example:8774/v2.1/servers/web-id/os-instance-actions'
            '?changes-since=2024-01-01T00%3A00%3A00Z&marker=req-1',
            body['links'][0]['href'])


class ShowTest(unittest.TestCase):

    def test_action_keys(self):
        self.assertEqual(ACTION_KEYS, set(show('2.50')))
        self.assertEqual(ACTION_KEYS | {'updated_at', 'events'},
                         set(show('2.58')))

    def test_owner_sees_events_from_251_without_traceback(self):
        self.assertNotIn('events', show('2.1'))
        self.assertNotIn('events', show('2.50'))
        for version in ('2.51', '2.57', '2.58', '2.61'):
            self.assertEqual(
                [{'event': 'compute_trigger_crash_dump',
                  'start_time': '2024-05-01T12:00:00.000000',
                  'finish_time': '2024-05-01T12:00:01.250000',
                  'result': 'Error'}],
                show(version)['events'])

    def test_admin_sees_traceback_at_every_version(self):
        for version in ('2.1', '2.50', '2.51', '2.61'):
            events = show(version, {EVENTS})['events']
            self.assertEqual({'event', 'start_time', 'finish_time', 'result',
                              'traceback'}, set(events[0]))
            self.assertEqual('Traceback ...', events[0]['traceback'])

    def test_host_id_from_262_and_host_for_admins(self):
        host_id = hashlib.sha224(b'p1cmp1').hexdigest()
        owner = show('2.62')['events'][0]
        self.assertEqual(host_id, owner['hostId'])
        self.assertNotIn('host', owner)
        admin = show('2.62', {EVENTS})['events'][0]
        self.assertEqual(host_id, admin['hostId'])
        self.assertEqual('cmp1', admin['host'])
        self.assertNotIn('hostId', show('2.61', {EVENTS})['events'][0])

    def test_host_id_falls_back_to_the_servers_project(self):
        event = show('2.62', action=make_action(project_id=None),
                     instance=make_instance(project_id='p7'))['events'][0]
        self.assertEqual(hashlib.sha224(b'p7cmp1').hexdigest(),
                         event['hostId'])

    def test_details_from_284_with_policy(self):
        self.assertNotIn('details', show('2.83', {EVENTS, DETAILS})
                         ['events'][0])
        self.assertEqual('Instance is not running.',
                         show('2.84', {EVENTS, DETAILS})['events'][0]
                         ['details'])
        self.assertEqual('Instance is not running.',
                         show('2.84', {DETAILS})['events'][0]['details'])
        self.assertNotIn('details', show('2.84', {EVENTS})['events'][0])
        self.assertNotIn('details', show('2.104')['events'][0])

    def test_event_keys_at_boundaries(self):
        base = {'event', 'start_time', 'finish_time', 'result'}
        for version, admin_extra, owner_extra in (
                ('2.51', {'traceback'}, set()),
                ('2.62', {'traceback', 'host', 'hostId'}, {'hostId'}),
                ('2.84', {'traceback', 'host', 'hostId', 'details'},
                 {'hostId'})):
            self.assertEqual(base | admin_extra,
                             set(show(version, {EVENTS, DETAILS})
                                 ['events'][0]))
            self.assertEqual(base | owner_extra,
                             set(show(version)['events'][0]))

    def test_policy_target_is_the_servers_project(self):
        context = StubContext()
        views.show(make_request('2.84', context), make_action(),
                   make_instance(project_id='p9'))
        self.assertEqual([{'project_id': 'p9'}], context.targets[:1])
        self.assertTrue(all(t == {'project_id': 'p9'}
                            for t in context.targets))

    def test_unfinished_event(self):
        action = make_action()
        action.events[0].finish_time = None
        action.events[0].result = None
        event = show('2.51', action=action)['events'][0]
        self.assertIsNone(event['finish_time'])
        self.assertIsNone(event['result'])


if __name__ == '__main__':
    unittest.main()
