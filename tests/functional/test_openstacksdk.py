"""openstacksdk against a running server: ``trigger_server_crash_dump``,
``server_actions`` and ``get_server_action``.

What works against a noauth endpoint without Keystone: keystoneauth's
``admin_token`` plugin, which sends the token as ``X-Auth-Token`` and takes
the given endpoint for every service::

    conn = openstack.connect(
        auth_type='admin_token',
        auth={'endpoint': compute_url, 'token': '<user>:<project>'},
        compute_endpoint_override=compute_url,
        load_envvars=False, load_yaml_config=False)

(``compute_endpoint_override`` keeps the compute proxy off the service
catalog it would otherwise look for; ``auth_type='none'`` sends no token and
gets 401 from noauth.) The SDK returns nothing from
``trigger_server_crash_dump``, so the test reads the request id from the
202 response through a ``requests`` response hook on the connection's
session.
"""

import openstack

from tests.functional import base
from tests.functional.base import fake_server
from tests.lib.process import wait_for

SDK_1 = '30000000-0000-4000-8000-000000000001'
SDK_DOWN = '30000000-0000-4000-8000-000000000002'


class TestOpenstackSDK(base.FunctionalTestCase):

    SERVERS = [fake_server(SDK_1, 'sdk-1'),
               fake_server(SDK_DOWN, 'sdk-down', outcome='not_running')]

    def connect(self, user, project):
        """A Connection to the server and the list of responses it gets."""
        conn = openstack.connect(
            auth_type='admin_token',
            auth={'endpoint': self.server.compute_url,
                  'token': '%s:%s' % (user, project)},
            compute_endpoint_override=self.server.compute_url,
            load_envvars=False, load_yaml_config=False)
        self.addCleanup(conn.close)
        responses = []
        conn.session.session.hooks['response'].append(
            lambda response, *args, **kwargs: responses.append(response))
        return conn, responses

    def trigger(self, conn, responses, server):
        """Trigger through the SDK; the request id its 202 carried."""
        del responses[:]
        self.assertIsNone(conn.compute.trigger_server_crash_dump(server))
        posts = [(r.status_code, r.url, r.headers.get(
            'x-openstack-request-id')) for r in responses
            if r.request.method == 'POST']
        self.assertEqual(1, len(posts), posts)
        status, url, request_id = posts[0]
        self.assertEqual(
            (202, '%s/servers/%s/action' % (self.server.compute_url,
                                            server.id)),
            (status, url))
        self.assertIsNotNone(request_id, posts)
        return request_id

    def finished_action(self, conn, server, request_id):
        """``get_server_action`` until its event has finished."""
        seen = {}

        def finished():
            seen['action'] = conn.compute.get_server_action(
                request_id, server, ignore_missing=False)
            if any(event.finish_time
                   for event in seen['action'].events or []):
                return seen['action']

        return wait_for(
            finished, base.EVENT_TIMEOUT,
            lambda: 'no finished event: %s' % seen['action'].to_dict(),
            error=self.failureException)

    def test_trigger_as_owner(self):
        conn, responses = self.connect(base.OWNER, base.PROJECT)
        server = conn.compute.find_server('sdk-1', ignore_missing=False)
        self.assertEqual(SDK_1, server.id)
        request_id = self.trigger(conn, responses, server)

        self.assertOneCrashDump(SDK_1, request_id)
        self.assertEqual(1, self.nmis_for(SDK_1))

        actions = list(conn.compute.server_actions(server))
        self.assertEqual(
            [(base.ACTION, request_id, base.OWNER, base.PROJECT)],
            [(a.action, a.request_id, a.user_id, a.project_id)
             for a in actions])
        action = self.finished_action(conn, server, request_id)
        self.assertEqual(
            [(base.EVENT, 'Success')],
            [(event.event, event.result) for event in action.events])
        # Owners see neither the host nor the traceback.
        self.assertEqual([(None, None)], [(event.host, event.traceback)
                                          for event in action.events])

    def test_trigger_as_admin_sees_error_details(self):
        conn, responses = self.connect(base.ADMIN, base.ADMIN_PROJECT)
        server = conn.compute.get_server(SDK_DOWN)
        request_id = self.trigger(conn, responses, server)

        self.assertOneCrashDump(SDK_DOWN, request_id, user=base.ADMIN,
                                project=base.ADMIN_PROJECT, result='Error')
        self.assertEqual(0, self.nmis_for(SDK_DOWN))

        action = self.finished_action(conn, server, request_id)
        self.assertEqual('Error', action.message)
        self.assertEqual(
            [(base.EVENT, 'Error', 'Instance %s is not running.' % SDK_DOWN,
              'compute-1')],
            [(event.event, event.result, event.details, event.host)
             for event in action.events])
