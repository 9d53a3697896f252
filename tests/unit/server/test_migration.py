"""The alembic migrations: what ``crashdump-manage db sync`` builds."""
import os

from alembic import config as alembic_config
from alembic import script as alembic_script
import sqlalchemy as sa
import testtools

from crashdump_server.db import api as db_api
from crashdump_server.db import migration
from crashdump_server.db import models
from tests.unit.server import test_db_api

TABLES = {'instances', 'instance_actions', 'instance_actions_events',
          'services', 'memory_dumps'}


def head_revision():
    config = alembic_config.Config()
    config.set_main_option('script_location', migration._SCRIPTS)
    scripts = alembic_script.ScriptDirectory.from_config(config)
    return scripts.get_current_head()


class MigrationTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(test_db_api.Database(migrate=False))
        self.conf = self.db.conf

    def inspector(self):
        return sa.inspect(db_api.get_engine())

    def test_empty_database_has_no_revision(self):
        self.assertIsNone(migration.current_revision(self.conf))
        self.assertEqual(set(), set(self.inspector().get_table_names()))

    def test_upgrade_creates_the_tables(self):
        migration.upgrade(self.conf)
        self.assertEqual(TABLES | {'alembic_version'},
                         set(self.inspector().get_table_names()))
        self.assertTrue(os.path.exists(
            os.path.join(self.db.path, 'crashdump.sqlite')))

    def test_current_revision_is_head(self):
        migration.upgrade(self.conf)
        self.assertIsNotNone(head_revision())
        self.assertEqual(head_revision(), migration.current_revision(
            self.conf))

    def test_first_revision(self):
        migration.upgrade(self.conf, revision='0001')
        self.assertEqual('0001', migration.current_revision(self.conf))

    def test_upgrade_twice_is_harmless(self):
        migration.upgrade(self.conf)
        db_api.service_heartbeat('h1', 'crashdump-compute',
                                 'crashdump-compute', '1.1')
        migration.upgrade(self.conf)
        self.assertEqual(head_revision(), migration.current_revision(
            self.conf))
        [service] = db_api.services_get('crashdump-compute')
        self.assertEqual('h1', service.host)

    def test_tables_match_the_models(self):
        # A model column without a migration breaks only at run time.
        migration.upgrade(self.conf)
        inspector = self.inspector()
        for table in models.Base.metadata.sorted_tables:
            self.assertIn(table.name, TABLES)
            in_db = {c['name']: c for c in inspector.get_columns(table.name)}
            self.assertEqual(set(table.columns.keys()), set(in_db),
                             table.name)
            for column in table.columns:
                self.assertEqual(column.nullable,
                                 in_db[column.name]['nullable'],
                                 '%s.%s' % (table.name, column.name))

    def test_unique_constraints(self):
        migration.upgrade(self.conf)
        inspector = self.inspector()
        self.assertIn(
            ['host', 'binary'],
            [c['column_names']
             for c in inspector.get_unique_constraints('services')])
        self.assertIn(
            ['instance_uuid', 'request_id'],
            [c['column_names']
             for c in inspector.get_unique_constraints('instance_actions')])

    def test_an_action_has_each_event_once(self):
        # Revision 0004: concurrent writers cannot both record an event.
        migration.upgrade(self.conf)
        self.assertIn(
            ('uniq_instance_actions_events0action_id0event',
             ['action_id', 'event']),
            [(index['name'], index['column_names']) for index in
             self.inspector().get_indexes('instance_actions_events')
             if index['unique']])
