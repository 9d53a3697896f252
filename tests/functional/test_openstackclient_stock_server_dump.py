"""Stock openstackclient, without crashdump's plugin, against a running
server: ``openstack server dump create``, then ``server event list`` and
``server event show``. (The plugin's ``openstack server crash-dump``
commands are tested in tests/functional/osc_plugin.)

What works against a noauth endpoint (no Keystone, no catalog)::

    openstack --os-auth-type admin_token --os-endpoint <compute url> \\
              --os-token <user>:<project> server dump create web-1

(or the same as ``OS_AUTH_TYPE``, ``OS_ENDPOINT``, ``OS_TOKEN``). No
``--os-compute-api-version`` is needed: the SDK under OSC asks for up to
2.100 to trigger and 2.84 for events. ``--os-auth-type none`` sends no
token and noauth answers 401. Pinning a version below 2.51 makes an owner's
``server event show`` fail inside OSC (``'NoneType' object is not
iterable``) because, as in Nova, the owner's action then has no events; it
is an OSC limitation, so these tests pin 2.84 where events matter.

``server dump create`` prints nothing; the request id is read from
``--debug``.
"""
import json

from tests.functional import base
from tests.functional.base import fake_server

OSC_1 = '40000000-0000-4000-8000-000000000001'
OSC_DOWN = '40000000-0000-4000-8000-000000000002'


class TestOpenstackClient(base.FunctionalTestCase):

    SERVERS = [fake_server(OSC_1, 'osc-1'),
               fake_server(OSC_DOWN, 'osc-down', outcome='not_running')]

    def openstack_json(self, *args, **kwargs):
        """Run an ``openstack`` command with ``-f json``; its output."""
        result = self.openstack(*args + ('-f', 'json'), **kwargs)
        self.assertSucceeded(result)
        try:
            return json.loads(result.stdout)
        except ValueError:
            self.fail('output is not JSON\n' + result.describe())

    def test_dump_create_and_events_as_owner(self):
        result = self.openstack('--debug', 'server', 'dump', 'create',
                                'osc-1')
        self.assertSucceeded(result)
        request_id = self.accepted_request_id(result)
        self.assertOneCrashDump(OSC_1, request_id)
        self.assertEqual(1, self.nmis_for(OSC_1), result.describe())

        events = self.openstack_json('server', 'event', 'list', 'osc-1')
        self.assertEqual(
            [{'Request ID': request_id, 'Server ID': OSC_1,
              'Action': base.ACTION}],
            [{key: event[key] for key in ('Request ID', 'Server ID',
                                          'Action')} for event in events])

        shown = self.openstack_json('--os-compute-api-version', '2.84',
                                    'server', 'event', 'show', 'osc-1',
                                    request_id)
        self.assertEqual(
            (base.ACTION, request_id, base.OWNER, base.PROJECT),
            (shown['action'], shown['request_id'], shown['user_id'],
             shown['project_id']), shown)
        self.assertEqual(
            [(base.EVENT, 'Success', None, None, None)],
            [(event['event'], event['result'], event['details'],
              event['host'], event['traceback'])
             for event in shown['events']], shown)

    def test_dump_create_and_event_details_as_admin(self):
        admin = {'user': base.ADMIN, 'project': base.ADMIN_PROJECT}
        result = self.openstack('--debug', 'server', 'dump', 'create',
                                OSC_DOWN, **admin)
        self.assertSucceeded(result)
        request_id = self.accepted_request_id(result)
        self.assertOneCrashDump(OSC_DOWN, request_id, result='Error',
                                **admin)
        self.assertEqual(0, self.nmis_for(OSC_DOWN), result.describe())

        listed = self.openstack_json('server', 'event', 'list', '--long',
                                     OSC_DOWN, **admin)
        self.assertEqual(
            [(request_id, base.ACTION, 'Error', base.ADMIN,
              base.ADMIN_PROJECT)],
            [(event['Request ID'], event['Action'], event['Message'],
              event['User ID'], event['Project ID']) for event in listed])

        shown = self.openstack_json('--os-compute-api-version', '2.84',
                                    'server', 'event', 'show', OSC_DOWN,
                                    request_id, **admin)
        self.assertEqual(
            [(base.EVENT, 'Error', 'Instance %s is not running.' % OSC_DOWN,
              'compute-1')],
            [(event['event'], event['result'], event['details'],
              event['host']) for event in shown['events']], shown)
