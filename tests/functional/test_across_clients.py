"""Every client's request on one server is one action, one event and one NMI,
and every client lists the same actions.

crashdump's ``nova trigger-crash``, its Python API, python-novaclient's
``nova trigger-crash-dump``, openstacksdk's ``trigger_server_crash_dump`` and
openstackclient's ``server dump create`` each trigger once on the same
server (authentication as in the modules of each client). Then the server's
record must hold exactly those five request ids, each once, each with a
Success event, the fake driver must have delivered five NMIs, and each
client's own listing must show the same five.
"""
import json
import re

from keystoneauth1 import loading
from keystoneauth1 import session
from novaclient import client as nova_client
import openstack

from tests.functional import base
from tests.functional.base import fake_server

SHARED = '50000000-0000-4000-8000-000000000001'

REQUESTED = re.compile(r'^Crash dump requested for server shared '
                       r'\(%s\): request (req-[0-9a-f-]{36})$' % SHARED,
                       re.MULTILINE)


class TestRecordsMatchAcrossClients(base.FunctionalTestCase):

    SERVERS = [fake_server(SHARED, 'shared')]

    def token(self):
        return '%s:%s' % (base.OWNER, base.PROJECT)

    def trigger_with_crashdump_shell(self):
        result = self.nova('trigger-crash', 'shared')
        self.assertSucceeded(result)
        request_ids = REQUESTED.findall(result.stdout)
        self.assertEqual(1, len(request_ids), result.describe())
        return request_ids[0]

    def crashdump_python_api(self):
        auth = loading.get_plugin_loader('admin_token').load_from_options(
            endpoint=self.server.compute_url, token=self.token())
        return nova_client.Client(
            '2.96', session=session.Session(auth=auth),
            extensions=nova_client.discover_extensions('2.96'))

    def trigger_with_novaclient_shell(self):
        result = self.nova('--debug', 'trigger-crash-dump', 'shared')
        self.assertSucceeded(result)
        return self.accepted_request_id(result)

    def sdk_connection(self):
        conn = openstack.connect(
            auth_type='admin_token',
            auth={'endpoint': self.server.compute_url,
                  'token': self.token()},
            compute_endpoint_override=self.server.compute_url,
            load_envvars=False, load_yaml_config=False)
        self.addCleanup(conn.close)
        return conn

    def trigger_with_sdk(self, conn):
        responses = []
        conn.session.session.hooks['response'].append(
            lambda response, *args, **kwargs: responses.append(response))
        conn.compute.trigger_server_crash_dump(
            conn.compute.find_server('shared', ignore_missing=False))
        accepted = [r.headers.get('x-openstack-request-id')
                    for r in responses if r.status_code == 202]
        self.assertEqual(1, len(accepted),
                         [(r.request.method, r.url, r.status_code)
                          for r in responses])
        return accepted[0]

    def trigger_with_openstackclient(self):
        result = self.openstack('--debug', 'server', 'dump', 'create',
                                'shared')
        self.assertSucceeded(result)
        return self.accepted_request_id(result)

    def test_each_request_one_action_one_event_one_nmi(self):
        python_api = self.crashdump_python_api()
        conn = self.sdk_connection()
        triggered = {
            'crashdump shell': self.trigger_with_crashdump_shell(),
            'crashdump Python API': python_api.crash_dumps.trigger(SHARED),
            'novaclient shell': self.trigger_with_novaclient_shell(),
            'openstacksdk': self.trigger_with_sdk(conn),
            'openstackclient': self.trigger_with_openstackclient(),
        }
        request_ids = set(triggered.values())
        self.assertEqual(5, len(request_ids), triggered)

        actions = self.recorded_actions(SHARED)
        self.assertEqual(sorted(request_ids),
                         sorted(a['request_id'] for a in actions),
                         'recorded %s for %s' % (actions, triggered))
        for action in actions:
            self.assertEqual(
                (base.ACTION, SHARED, base.OWNER, base.PROJECT),
                (action['action'], action['instance_uuid'],
                 action['user_id'], action['project_id']), action)
            event = self.finished_event(SHARED, action['request_id'])
            self.assertEqual('Success', event['result'], event)
        self.assertEqual(5, self.nmis_for(SHARED),
                         self.server.delivered_nmis())

        listings = {
            'nova crash-list': self.crash_list_ids(),
            'nova instance-action-list': self.instance_action_list_ids(),
            'crashdump Python API': {
                a.request_id for a in python_api.crash_dumps.list(SHARED)},
            'openstacksdk': {
                a.request_id for a in conn.compute.server_actions(SHARED)},
            'openstack server event list': self.server_event_list_ids(),
        }
        for client, listed in listings.items():
            self.assertEqual(request_ids, listed,
                             '%s lists other actions than %s' % (
                                 client, triggered))

    def crash_list_ids(self):
        result = self.nova('crash-list', 'shared')
        self.assertSucceeded(result)
        return {row[0] for row in base.table_rows(result.stdout)}

    def instance_action_list_ids(self):
        result = self.nova('instance-action-list', 'shared')
        self.assertSucceeded(result)
        return {row[1] for row in base.table_rows(result.stdout)}

    def server_event_list_ids(self):
        result = self.openstack('server', 'event', 'list', 'shared',
                                '-f', 'json')
        self.assertSucceeded(result)
        return {event['Request ID'] for event in json.loads(result.stdout)}
