"""The whole server in this process: app, SQLite, fake messaging, agent.

``InProcessServer`` is a fixtures.Fixture: ``useFixture`` it in a test,
then ``request()`` the app and ``wait_for_event()`` the agent's outcome.
"""
import json
import os

import fixtures
from oslo_config import fixture as config_fixture
from oslo_messaging import conffixture as messaging_fixture
from oslo_messaging.notify import _impl_test as test_notifier
import webob

from crashdump_server.api import deploy
from crashdump_server.compute import service as compute_service
from crashdump_server.conf import CONF
from crashdump_server.db import api as db_api
from crashdump_server.db import migration
from crashdump_server import policy
from crashdump_server import rpc
from crashdump_server import service
from tests.lib import process as processes


class InProcessServer(fixtures.Fixture):
    """API app plus one compute agent over the fake driver.

    ``servers`` are fake driver entries (see tests.lib.embedded.fake_server);
    ``overrides`` maps (group, option) to values, group None for DEFAULT.
    """

    def __init__(self, servers, overrides=None, host='compute-1'):
        super().__init__()
        self.servers = servers
        self.overrides = overrides or {}
        self.host = host

    def _setUp(self):
        service.register_opts()
        self.conf = self.useFixture(config_fixture.Config(CONF)).conf
        self.conf([], project='crashdump', default_config_files=[])
        self.useFixture(messaging_fixture.ConfFixture(self.conf))
        test_notifier.reset()
        workdir = self.useFixture(fixtures.TempDir()).path
        servers_file = os.path.join(workdir, 'servers.json')
        with open(servers_file, 'w') as stream:
            json.dump(self.servers, stream)
        self.conf.set_override('state_path', workdir)
        self.conf.set_override('host', self.host)
        self.conf.set_override('servers_file', servers_file, group='fake')
        self.conf.set_override('driver', ['test'],
                               group='oslo_messaging_notifications')
        for (group, option), value in self.overrides.items():
            self.conf.set_override(option, value, group=group)
        db_api.reset()
        self.addCleanup(db_api.reset)
        migration.upgrade(self.conf)
        rpc.init(self.conf)
        self.addCleanup(rpc.cleanup)
        policy.reset()
        self.addCleanup(policy.reset)
        self.agent = compute_service.ComputeService(self.conf)
        self.agent.start()
        self.addCleanup(self.agent.stop)
        self.app = deploy.deploy(self.conf)

    @staticmethod
    def notifications():
        """(event_type, priority, payload) of every notification sent."""
        return [(message['event_type'], priority, message['payload'])
                for _ctxt, message, priority, _retry
                in test_notifier.NOTIFICATIONS]

    @property
    def driver(self):
        return self.agent.driver

    def request(self, method, path, body=None, token='alice:demo',
                version=None, headers=None, raw_body=None):
        """Send one request to the app; returns the webob response.

        ``body`` is JSON-encoded; ``raw_body`` is sent as it is.
        """
        req = webob.Request.blank(path, method=method)
        if token:
            req.headers['X-Auth-Token'] = token
        if version:
            req.headers['OpenStack-API-Version'] = 'compute %s' % version
        if body is not None:
            req.body = json.dumps(body).encode()
            req.content_type = 'application/json'
        if raw_body is not None:
            req.body = raw_body
        for name, value in (headers or {}).items():
            req.headers[name] = value
        return req.get_response(self.app)

    def wait_for_event(self, server_id, request_id, timeout=10):
        """The action (as admin sees it at 2.84) once its event finished."""
        def finished():
            response = self.request(
                'GET', '/v2.1/servers/%s/os-instance-actions/%s'
                % (server_id, request_id), token='admin:admin',
                version='2.84')
            action = response.json.get('instanceAction', {})
            events = action.get('events') or []
            if events and all(e.get('finish_time') for e in events):
                return action

        return processes.wait_for(finished, timeout,
                                  'finished event for %s' % request_id,
                                  interval=0.02)
