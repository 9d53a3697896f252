"""python-novaclient's own commands against a running server:
``nova trigger-crash-dump``, ``nova instance-action-list`` and
``nova instance-action``.

They run with the same noauth environment as crashdump's commands
(``OS_AUTH_TYPE=admin_token``, ``OS_ENDPOINT``, ``OS_TOKEN=<user>:<project>``,
``OS_PROJECT_ID``, a placeholder ``OS_AUTH_URL``). ``trigger-crash-dump``
prints nothing on success; the request id it got is read from ``--debug``
(keystoneauth logs each response's headers), the only place novaclient
shows it.
"""
from tests.functional import base
from tests.functional.base import fake_server

NC_1 = '20000000-0000-4000-8000-000000000001'
NC_ADMIN = '20000000-0000-4000-8000-000000000002'


class TestNovaclientTriggerCrashDump(base.FunctionalTestCase):

    SERVERS = [fake_server(NC_1, 'nc-1'),
               fake_server(NC_ADMIN, 'nc-admin')]

    def test_trigger_crash_dump_by_name(self):
        result = self.nova('--debug', 'trigger-crash-dump', 'nc-1')
        self.assertSucceeded(result)
        request_id = self.accepted_request_id(result)
        self.assertOneCrashDump(NC_1, request_id)
        self.assertEqual(1, self.nmis_for(NC_1), result.describe())

        listing = self.nova('instance-action-list', 'nc-1')
        self.assertSucceeded(listing)
        rows = base.table_rows(listing.stdout)
        self.assertEqual([['trigger_crash_dump', request_id]],
                         [row[:2] for row in rows], listing.describe())

        shown = self.nova('instance-action', 'nc-1', request_id)
        self.assertSucceeded(shown)
        for expected in (r'\| action +\| trigger_crash_dump +\|',
                         r'\| request_id +\| %s +\|' % request_id,
                         r'\| user_id +\| alice +\|',
                         r'\| project_id +\| demo +\|',
                         r"'event': 'compute_trigger_crash_dump'",
                         r"'result': 'Success'"):
            self.assertRegex(shown.stdout, expected, shown.describe())

    def test_trigger_crash_dump_as_admin_by_id(self):
        result = self.nova('--debug', 'trigger-crash-dump', NC_ADMIN,
                           user=base.ADMIN, project=base.ADMIN_PROJECT)
        self.assertSucceeded(result)
        request_id = self.accepted_request_id(result)
        self.assertOneCrashDump(NC_ADMIN, request_id, user=base.ADMIN,
                                project=base.ADMIN_PROJECT)
        self.assertEqual(1, self.nmis_for(NC_ADMIN), result.describe())
