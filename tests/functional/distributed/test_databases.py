"""crashdump's database layer on each database it runs on: SQLite (the
embedded default), and real PostgreSQL 15 and MariaDB 10.11 servers
(Debian 12's, through tools/realparts/distributed).

:class:`QueryTests` is played once per database (see
:class:`databases.DatabaseTestCase`): the schema sync of ``crashdump-manage
db sync``, then the queries of a crash dump request's path, the agent's
and the API's, as the services call them. test_database_races holds the
races, test_mariadb_embedded a whole ``crashdump-all`` on MariaDB.
"""
from oslo_utils import fixture as utils_fixture
import sqlalchemy as sa

from crashdump_server.compute import instance_actions
from crashdump_server.db import api as db_api
from crashdump_server.db import memory_dumps
from crashdump_server.db import migration
from crashdump_server import exception
from tests.functional.distributed import databases
from tests.functional.distributed.databases import at
from tests.functional.distributed.databases import HOST
from tests.functional.distributed.databases import record
from tests.functional.distributed.databases import server_id
from tests.functional.distributed.databases import T0
from tests.unit.server import test_migration

ACTION = instance_actions.TRIGGER_CRASH_DUMP
EVENT = instance_actions.EVENT_TRIGGER_CRASH_DUMP
#: The server whose requests the tests record; another one.
SERVER = server_id(1)
OTHER = server_id(2)
DUMP = 'da0000d0-0000-4000-8000-000000000001'
UNIQUE_EVENT_INDEX = 'uniq_instance_actions_events0action_id0event'


class QueryTests:
    """The tests; a subclass per database says which."""

    #: Whether the name filter tells upper from lower case. MariaDB
    #: compares with the database's collation, utf8mb4_general_ci by
    #: default, as it does for Nova.
    CASE_SENSITIVE_NAMES = True

    # -- crashdump-manage db sync -------------------------------------------

    def test_sync_builds_the_schema_and_again_changes_nothing(self):
        db_api.reset()
        self.database.empty()
        self.assertIsNone(migration.current_revision(self.conf))
        # From the first revision up, as a site that synced long ago.
        migration.upgrade(self.conf, '0001')
        self.assertEqual('0001', migration.current_revision(self.conf))
        migration.upgrade(self.conf)
        head = test_migration.head_revision()
        self.assertEqual(head, migration.current_revision(self.conf))
        inspector = sa.inspect(db_api.get_engine())
        self.assertEqual(test_migration.TABLES | {'alembic_version'},
                         set(inspector.get_table_names()))
        unique = {index['name']: index['column_names']
                  for index in inspector.get_indexes(
                      'instance_actions_events') if index['unique']}
        self.assertEqual({UNIQUE_EVENT_INDEX: ['action_id', 'event']},
                         unique)
        db_api.service_heartbeat(HOST, 'crashdump-compute', 'topic', '1.1')
        migration.upgrade(self.conf)
        self.assertEqual(head, migration.current_revision(self.conf))
        self.assertEqual([HOST], [s.host for s in
                                  db_api.services_get('crashdump-compute')])

    def test_sync_keeps_one_of_duplicate_events(self):
        # A database that lost the race before revision 0004: the unique
        # index can only be built once the duplicates are gone. The first
        # recorded stays, or a Success (an NMI was sent) if there is one.
        self.resync_from_empty('0003')
        for request_id in ('req-dup', 'req-single', 'req-sent'):
            db_api.action_start(self.context, SERVER, ACTION, request_id)
        action_ids = dict(tuple(row) for row in self.database.sql(
            'SELECT request_id, id FROM instance_actions'))
        events = sa.table('instance_actions_events',
                          *(sa.column(name) for name in (
                              'action_id', 'event', 'host', 'start_time',
                              'created_at', 'result')))
        rows = [('req-dup', EVENT, 'api', None),
                ('req-dup', EVENT, HOST, None),
                ('req-dup', 'other_event', HOST, None),
                ('req-dup', EVENT, 'compute-2', None),
                ('req-single', EVENT, HOST, None),
                ('req-sent', EVENT, 'api', 'Error'),
                ('req-sent', EVENT, HOST, 'Success'),
                ('req-sent', EVENT, 'compute-2', 'Error')]
        with db_api.get_engine().begin() as connection:
            for request_id, event, host, result in rows:
                connection.execute(events.insert().values(
                    action_id=action_ids[request_id], event=event, host=host,
                    start_time=T0, created_at=T0, result=result))
        migration.upgrade(self.conf)
        self.assertEqual(test_migration.head_revision(),
                         migration.current_revision(self.conf))
        self.assertEqual([(EVENT, 'api', None),
                          ('other_event', HOST, None)],
                         self.event_rows('req-dup'))
        self.assertEqual([(EVENT, HOST, None)],
                         self.event_rows('req-single'))
        self.assertEqual([(EVENT, HOST, 'Success')],
                         self.event_rows('req-sent'))

    # -- servers ----------------------------------------------------------

    def test_instance_sync_round_trips_the_json_columns(self):
        reported = {
            'flavor': {'name': 'm1.small', 'vcpus': 1, 'extra_specs': {}},
            'metadata': {'role': 'web', 'ünïcode': 'yes ✓'},
            'tags': ['a', 'b'],
            'addresses': {'private': [{'addr': '10.0.0.5', 'version': 4}]},
            'driver_info': {'outcome': 'delivered', 'ratio': 0.5,
                            'none': None},
        }
        self.assertEqual((1, 0, 0), db_api.instance_sync(HOST, [
            record(1, 'web-1', created_at=T0, **reported)]))
        instance = db_api.instance_get(SERVER)
        self.assertEqual(reported, {
            'flavor': instance.flavor, 'metadata': instance.metadata_,
            'tags': instance.tags, 'addresses': instance.addresses,
            'driver_info': instance.driver_info})
        self.assertEqual((T0, HOST, False),
                         (instance.created_at, instance.host,
                          instance.locked))
        # Reported again with other values; then no longer reported.
        self.assertEqual((0, 1, 0), db_api.instance_sync(HOST, [
            record(1, 'web-1', tags=[], metadata={})]))
        instance = db_api.instance_get(SERVER)
        self.assertEqual(([], {}, T0), (instance.tags, instance.metadata_,
                                        instance.created_at))
        self.assertEqual((0, 0, 1), db_api.instance_sync(HOST, []))
        self.assertRaises(exception.InstanceNotFound, db_api.instance_get,
                          SERVER)
        self.assertIsNotNone(
            db_api.instance_get(SERVER, read_deleted=True).deleted_at)

    def test_instance_get_all_pages_and_filters_by_name(self):
        db_api.instance_sync(HOST, [
            record(n, name, created_at=at(n)) for n, name in (
                (1, 'web-1'), (2, 'web-2'), (3, 'Web-3'), (4, 'db-4'))] + [
            record(5, 'web-5', created_at=at(5), project_id='other')])

        def names(**kwargs):
            return [i.display_name
                    for i in db_api.instance_get_all(**kwargs)]

        self.assertEqual(['web-5', 'db-4', 'Web-3', 'web-2', 'web-1'],
                         names())
        self.assertEqual(['web-2', 'web-1'], names(name='-[12]$'))
        self.assertEqual(['db-4'], names(name='^d.-4$'))
        self.assertEqual(['web-2', 'web-1'] if self.CASE_SENSITIVE_NAMES
                         else ['Web-3', 'web-2', 'web-1'],
                         names(project_id='demo', name='^web'))
        self.assertEqual(['db-4', 'Web-3'], names(project_id='demo',
                                                  limit=2))
        self.assertEqual(['web-2', 'web-1'], names(
            project_id='demo', limit=2, marker=server_id(3)))
        self.assertEqual(['web-5'], names(filters={'project_id': ['other']}))
        self.assertRaises(exception.MarkerNotFound, names, marker='nope')
        exc = self.assertRaises(exception.InvalidRegularExpression,
                                names, name='web-(')
        self.assertTrue(exc.message.startswith(
            'Invalid regular expression web-(:'), exc.message)
        # The refusal left the connection usable.
        self.assertEqual(['db-4'], names(name='^db'))

    # -- the trigger path -------------------------------------------------

    def test_action_and_its_events(self):
        time = self.useFixture(utils_fixture.TimeFixture(T0))
        db_api.action_start(self.user_context('req-1'), SERVER, ACTION,
                            'req-1', deadline=at(60))
        time.advance_time_seconds(1)
        db_api.event_start(SERVER, 'req-1', EVENT, HOST)
        exc = self.assertRaises(exception.EventAlreadyRecorded,
                                db_api.event_start, SERVER, 'req-1',
                                EVENT, 'compute-2')
        self.assertEqual('Event %s of request req-1 is already recorded'
                         % EVENT, exc.message)
        self.assertRaises(exception.InstanceActionNotFound,
                          db_api.event_start, SERVER, 'req-none', EVENT,
                          HOST)
        self.assertRaises(exception.InstanceActionNotFound,
                          db_api.event_start, OTHER, 'req-1', EVENT, HOST)
        time.advance_time_seconds(1)
        db_api.event_finish(SERVER, 'req-1', EVENT, instance_actions.SUCCESS)
        self.assertRaises(exception.NotFound, db_api.event_finish,
                          SERVER, 'req-1', EVENT, instance_actions.SUCCESS)
        action = db_api.action_get_by_request_id(SERVER, 'req-1')
        self.assertEqual(
            (ACTION, 'alice', 'demo', T0, at(60), None, at(2)),
            (action.action, action.user_id, action.project_id,
             action.start_time, action.deadline, action.message,
             action.updated_at))
        [event] = action.events
        self.assertEqual((EVENT, HOST, at(1), at(2), 'Success', None),
                         (event.event, event.host, event.start_time,
                          event.finish_time, event.result, event.details))

        # An error, with its traceback and details, marks the action.
        db_api.action_start(self.user_context('req-2'), SERVER, ACTION,
                            'req-2')
        db_api.event_start(SERVER, 'req-2', EVENT, HOST)
        db_api.event_start(SERVER, 'req-2', 'memory_dump', HOST)
        db_api.event_finish(SERVER, 'req-2', EVENT, instance_actions.ERROR,
                            traceback='Traceback (most recent call last)',
                            details='Server is not running ✗')
        action = db_api.action_get_by_request_id(SERVER, 'req-2')
        self.assertEqual('Error', action.message)
        self.assertEqual(['memory_dump', EVENT],
                         [e.event for e in action.events])
        self.assertEqual(('Error', 'Traceback (most recent call last)',
                          'Server is not running ✗'),
                         (action.events[1].result, action.events[1].traceback,
                          action.events[1].details))
        self.assertRaises(exception.InstanceActionNotFound,
                          db_api.action_get_by_request_id, SERVER, 'req-3')

    def test_actions_pages_and_changes_since(self):
        time = self.useFixture(utils_fixture.TimeFixture(T0))
        for n in range(4):
            db_api.action_start(self.context, SERVER, ACTION, 'req-%d' % n)
            time.advance_time_seconds(60)
        db_api.action_start(self.context, OTHER, ACTION, 'req-other')
        # req-0 changes last: an event at T0 + 10 minutes.
        time.advance_time_seconds(360)
        db_api.event_start(SERVER, 'req-0', EVENT, HOST)

        def request_ids(**kwargs):
            return [a.request_id for a in db_api.actions_get(SERVER,
                                                             **kwargs)]

        self.assertEqual(['req-3', 'req-2', 'req-1', 'req-0'],
                         request_ids())
        self.assertEqual(['req-3', 'req-2'], request_ids(limit=2))
        self.assertEqual(['req-1', 'req-0'],
                         request_ids(limit=2, marker='req-2'))
        self.assertEqual([], request_ids(marker='req-0'))
        self.assertRaises(exception.MarkerNotFound, request_ids,
                          marker='req-other')
        self.assertEqual(['req-3', 'req-2', 'req-0'],
                         request_ids(changes_since=at(120)))
        self.assertEqual(['req-2', 'req-1'], request_ids(
            changes_since=at(60), changes_before=at(120)))
        self.assertEqual(['req-0'], request_ids(changes_since=at(600)))

    def test_requests_after_and_unfinished_events(self):
        time = self.useFixture(utils_fixture.TimeFixture(T0))
        db_api.instance_sync(HOST, [record(1, 'web-1')])
        for request_id in ('req-a', 'req-b', 'req-c'):
            db_api.action_start(self.context, SERVER, ACTION, request_id,
                                deadline=at(30))
        db_api.action_start(self.context, SERVER, 'other', 'req-other')
        db_api.event_start(SERVER, 'req-b', EVENT, HOST)
        db_api.event_start(SERVER, 'req-c', EVENT, HOST)
        time.advance_time_seconds(5)
        db_api.event_finish(SERVER, 'req-c', EVENT, instance_actions.SUCCESS)
        rows = db_api.requests_after(ACTION, 0, 10)
        self.assertEqual(
            [('req-a', HOST, at(30), None, None),
             ('req-b', HOST, at(30), T0, None),
             ('req-c', HOST, at(30), T0, at(5))],
            [(r.request_id, r.host, r.deadline, r.start_time, r.finish_time)
             for r in rows])
        self.assertEqual(['req-b', 'req-c'], [
            r.request_id for r in db_api.requests_after(ACTION, rows[0].id,
                                                        2)])
        self.assertEqual([('req-b', T0)], [
            (r.request_id, r.start_time)
            for r in db_api.unfinished_events(HOST, EVENT)])
        self.assertEqual([], db_api.unfinished_events('compute-2', EVENT))

    def test_services_heartbeat(self):
        time = self.useFixture(utils_fixture.TimeFixture(T0))
        db_api.service_heartbeat(HOST, 'crashdump-compute', 'topic', '1.0')
        time.advance_time_seconds(10)
        db_api.service_heartbeat(HOST, 'crashdump-compute', 'topic', '1.1')
        db_api.service_heartbeat('compute-2', 'crashdump-compute', 'topic',
                                 '1.1')
        db_api.service_heartbeat(HOST, 'something-else', 'topic', '9.9')
        rows = sorted(db_api.services_get('crashdump-compute'),
                      key=lambda row: row.host)
        self.assertEqual(
            [(HOST, '1.1', 2, T0, at(10)), ('compute-2', '1.1', 1, at(10),
                                            at(10))],
            [(r.host, r.rpc_version, r.report_count, r.created_at,
              r.updated_at) for r in rows])
        self.assertEqual(['compute-2'], [r.host for r in db_api.services_get(
            'crashdump-compute', hosts=['compute-2', 'compute-9'])])

    def test_memory_dump_rows(self):
        self.useFixture(utils_fixture.TimeFixture(T0))
        dump = memory_dumps.create(
            uuid=DUMP, instance_uuid=SERVER, project_id='demo',
            user_id='alice', host=HOST, request_id='req-md',
            status='creating', format='elf', file_name='%s.elf' % DUMP,
            trigger_after=True)
        self.assertEqual(('creating', 0, T0),
                         (dump.status, dump.progress, dump.created_at))
        # 40 GiB: a BIGINT.
        self.assertTrue(memory_dumps.update(
            DUMP, status='available', size=40 * 2 ** 30, progress=100,
            sha256='ab' * 32, finished_at=T0, trigger_result='Success'))
        dump = memory_dumps.get(DUMP, instance_uuid=SERVER)
        self.assertEqual(
            ('available', 40 * 2 ** 30, 100, 'ab' * 32, True, 'Success'),
            (dump.status, dump.size, dump.progress, dump.sha256,
             dump.trigger_after, dump.trigger_result))
        self.assertEqual(1, memory_dumps.count(HOST, 'available'))
        self.assertEqual([DUMP], [d.uuid for d in memory_dumps.get_all(
            host=HOST, statuses=['available'])])
        self.assertRaises(exception.MemoryDumpNotFound, memory_dumps.get,
                          DUMP, instance_uuid=OTHER)
        self.assertTrue(memory_dumps.destroy(DUMP))
        self.assertFalse(memory_dumps.destroy(DUMP))
        self.assertFalse(memory_dumps.update(DUMP, status='error'))


class SQLiteTest(QueryTests, databases.DatabaseTestCase):
    DATABASE = databases.SQLite


class PostgreSQLTest(QueryTests, databases.DatabaseTestCase):
    DATABASE = databases.PostgreSQL


class MariaDBTest(QueryTests, databases.DatabaseTestCase):
    DATABASE = databases.MariaDB
    CASE_SENSITIVE_NAMES = False
