"""``crashdump-all`` (fake driver, in-process messaging) with its
``[database] connection`` on a real MariaDB 10.11, and a crash dump
triggered over HTTP as a user does."""
import json
import os
import urllib.request

from tests.functional import base
from tests.functional.distributed import databases

SERVER = 'da000000-0000-4000-8000-0000000000e2'


class MariaDBEmbeddedTest(base.FunctionalTestCase):
    """One ``crashdump-all`` on a MariaDB database of its own."""

    SERVERS = [base.fake_server(SERVER, 'maria-1')]

    @classmethod
    def setUpClass(cls):
        cls.database = databases.MariaDB()
        try:
            cls.database.start()
            super().setUpClass()
        except BaseException:
            cls.database.stop()
            raise

    @classmethod
    def make_server(cls):
        server = super().make_server()
        server.options['database.connection'] = cls.database.url
        return server

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.database.stop()

    def test_trigger_crash_dump_over_http_is_recorded_in_mariadb(self):
        request = urllib.request.Request(
            '%s/servers/%s/action' % (self.server.compute_url, SERVER),
            data=json.dumps({'trigger_crash_dump': None}).encode(),
            method='POST',
            headers={'X-Auth-Token': '%s:%s' % (base.OWNER, base.PROJECT),
                     'OpenStack-API-Version': 'compute 2.17',
                     'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=10) as response:
            self.assertEqual(202, response.status)
            request_id = response.headers['X-OpenStack-Request-Id']
        action = self.assertOneCrashDump(SERVER, request_id)
        [event] = action['events']
        self.assertEqual((base.EVENT, 'Success', self.server.host),
                         (event['event'], event['result'], event['host']))
        self.assertEqual(1, self.nmis_for(SERVER))
        # The rows are MariaDB's, not a file's beside the server.
        self.assertEqual([(base.ACTION, base.EVENT, 'Success')], [
            tuple(row) for row in self.database.sql(
                'SELECT a.action, e.event, e.result FROM instance_actions a '
                'JOIN instance_actions_events e ON e.action_id = a.id '
                'WHERE a.request_id = :request_id', request_id=request_id)])
        self.assertFalse(os.path.exists(os.path.join(
            self.server.workdir, 'state', 'crashdump.sqlite')))
