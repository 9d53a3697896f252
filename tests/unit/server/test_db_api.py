"""db.api queries against a fresh SQLite database.

:class:`Database` is also used by the RPC and migration tests.
"""
import datetime

import fixtures
from oslo_config import fixture as config_fixture
from oslo_utils import fixture as utils_fixture
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
import testtools

from crashdump_server.conf import CONF
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server.db import migration
from crashdump_server import exception
from crashdump_server import service

T0 = datetime.datetime(2024, 5, 1, 12, 0, 0)


class Database(fixtures.Fixture):
    """A SQLite database of its own under a temporary state_path, or the
    database at ``connection`` (a [database] connection URL).

    ``migrate=False`` leaves it as it is. Gives ``conf``, ``path`` and an
    admin ``context``.
    """

    def __init__(self, migrate=True, connection=None):
        super().__init__()
        self.migrate = migrate
        self.connection = connection

    def _setUp(self):
        service.register_opts()
        self.conf = self.useFixture(config_fixture.Config(CONF)).conf
        self.conf([], project='crashdump', default_config_files=[])
        self.path = self.useFixture(fixtures.TempDir()).path
        self.conf.set_override('state_path', self.path)
        if self.connection:
            self.conf.set_override('connection', self.connection,
                                   group='database')
        db_api.reset()
        self.addCleanup(db_api.reset)
        if self.migrate:
            migration.upgrade(self.conf)
        self.context = crashdump_context.get_admin_context()


def record(uuid, name, **extra):
    """One server as a driver reports it."""
    row = {'uuid': uuid, 'display_name': name, 'vm_state': 'active',
           'power_state': 1, 'project_id': 'demo', 'user_id': 'alice'}
    row.update(extra)
    return row


def uuid(n):
    return 'db000000-0000-4000-8000-%012d' % n


class DbTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.db = self.useFixture(Database())
        self.context = self.db.context


class InstanceSyncTest(DbTestCase):

    def test_add(self):
        result = db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1'),
            record(uuid(2), 'web-2', host='h1')])
        self.assertEqual((2, 0, 0), result)
        instance = db_api.instance_get(uuid(1))
        self.assertEqual(('web-1', 'h1', 'active', 'demo'),
                         (instance.display_name, instance.host,
                          instance.vm_state, instance.project_id))
        self.assertIsNone(instance.deleted_at)
        self.assertIsNotNone(instance.created_at)

    def test_metadata_is_stored(self):
        # The record names the column (metadata), as drivers report it.
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1', metadata={'role': 'web'})])
        self.assertEqual({'role': 'web'},
                         db_api.instance_get(uuid(1)).metadata_)
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1', metadata={})])
        self.assertEqual({}, db_api.instance_get(uuid(1)).metadata_)

    def test_update_keeps_created_at(self):
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1', created_at=T0)])
        result = db_api.instance_sync('h1', [
            record(uuid(1), 'web-renamed', host='h1', vm_state='paused',
                   created_at=T0 + datetime.timedelta(days=1))])
        self.assertEqual((0, 1, 0), result)
        instance = db_api.instance_get(uuid(1))
        self.assertEqual(('web-renamed', 'paused', T0),
                         (instance.display_name, instance.vm_state,
                          instance.created_at))
        self.assertIsNotNone(instance.updated_at)

    def test_unreported_server_marked_deleted(self):
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1'),
            record(uuid(2), 'web-2', host='h1')])
        result = db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1')])
        self.assertEqual((0, 1, 1), result)
        self.assertRaises(exception.InstanceNotFound, db_api.instance_get,
                          uuid(2))
        gone = db_api.instance_get(uuid(2), read_deleted=True)
        self.assertIsNotNone(gone.deleted_at)
        # Marking again is no news.
        self.assertEqual((0, 1, 0), db_api.instance_sync(
            'h1', [record(uuid(1), 'web-1', host='h1')]))

    def test_reported_again_comes_back(self):
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1')])
        db_api.instance_sync('h1', [])
        result = db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1')])
        self.assertEqual((0, 1, 0), result)
        self.assertIsNone(db_api.instance_get(uuid(1)).deleted_at)

    def test_other_hosts_untouched(self):
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1')])
        self.assertEqual((1, 0, 0), db_api.instance_sync(
            'h2', [record(uuid(2), 'web-2', host='h2')]))
        self.assertEqual((0, 0, 1),
                         db_api.instance_sync('h2', []))
        self.assertIsNone(
            db_api.instance_get(uuid(1)).deleted_at)

    def test_server_moving_hosts_is_updated_not_added(self):
        db_api.instance_sync('h1', [
            record(uuid(1), 'web-1', host='h1')])
        result = db_api.instance_sync('h2', [
            record(uuid(1), 'web-1', host='h2')])
        self.assertEqual((0, 1, 0), result)
        self.assertEqual('h2', db_api.instance_get(uuid(1)).host)
        # h1 no longer has it, so its next empty report deletes nothing.
        self.assertEqual((0, 0, 0),
                         db_api.instance_sync('h1', []))


class InstanceGetAllTest(DbTestCase):

    def setUp(self):
        super().setUp()
        # uuid(1) oldest ... uuid(5) newest; uuid(6) another project.
        records = [record(uuid(n), 'web-%d' % n, host='h1',
                          created_at=T0 + datetime.timedelta(minutes=n))
                   for n in range(1, 6)]
        records.append(record(uuid(6), 'db-6', host='h1', project_id='other',
                              created_at=T0 + datetime.timedelta(hours=1)))
        db_api.instance_sync('h1', records)

    def uuids(self, **kwargs):
        return [i.uuid for i in db_api.instance_get_all(**kwargs)]

    def test_newest_first_every_project(self):
        self.assertEqual([uuid(n) for n in (6, 5, 4, 3, 2, 1)],
                         self.uuids())

    def test_project(self):
        self.assertEqual([uuid(6)], self.uuids(project_id='other'))
        self.assertEqual([], self.uuids(project_id='nobody'))

    def test_pages_with_marker(self):
        first = self.uuids(project_id='demo', limit=2)
        self.assertEqual([uuid(5), uuid(4)], first)
        second = self.uuids(project_id='demo', limit=2, marker=first[-1])
        self.assertEqual([uuid(3), uuid(2)], second)
        third = self.uuids(project_id='demo', limit=2, marker=second[-1])
        self.assertEqual([uuid(1)], third)
        self.assertEqual([], self.uuids(project_id='demo', limit=2,
                                        marker=third[-1]))

    def test_same_created_at_ordered_by_id(self):
        db_api.instance_sync('h2', [
            record(uuid(7), 'twin-a', host='h2', created_at=T0),
            record(uuid(8), 'twin-b', host='h2', created_at=T0)])
        self.assertEqual([uuid(8), uuid(7)], self.uuids(name='^twin-'))
        page = self.uuids(name='^twin-', limit=1)
        self.assertEqual([uuid(7)],
                         self.uuids(name='^twin-', limit=1, marker=page[0]))

    def test_bad_marker(self):
        exc = self.assertRaises(exception.MarkerNotFound,
                                db_api.instance_get_all, marker='nope')
        self.assertEqual('Marker nope could not be found.', exc.message)
        self.assertEqual(400, exc.code)

    def test_name_is_a_regular_expression(self):
        self.assertEqual([uuid(3)], self.uuids(name='^web-3$'))
        self.assertEqual([uuid(5), uuid(4)], self.uuids(name='web-[45]'))
        self.assertEqual([uuid(6)], self.uuids(name='db'))
        self.assertEqual([], self.uuids(name='^eb'))

    def test_invalid_regular_expression(self):
        # No HTTP here: the API words its 400 (see test_validation).
        exc = self.assertRaises(exception.InvalidRegularExpression,
                                db_api.instance_get_all, name='web-[')
        self.assertTrue(exc.message.startswith(
            'Invalid regular expression web-[:'), exc.message)

    def test_database_failure_is_not_a_bad_pattern(self):
        # A lost connection is the database's failure, not the caller's
        # pattern: it must not become the API's 400.
        lost = sa_exc.OperationalError(
            'SELECT', {}, Exception('connection failed'))
        self.useFixture(fixtures.MockPatch(
            'sqlalchemy.orm.Session.scalars', side_effect=lost))
        for name in ('web', None):
            self.assertRaises(sa_exc.OperationalError,
                              db_api.instance_get_all, name=name)

    def test_postgresql_refused_pattern(self):
        class PgError(Exception):
            sqlstate = '2201B'
        refused = sa_exc.DataError('SELECT', {}, PgError('invalid regex'))
        self.useFixture(fixtures.MockPatch(
            'sqlalchemy.orm.Session.scalars', side_effect=refused))
        exc = self.assertRaises(exception.InvalidRegularExpression,
                                db_api.instance_get_all, name='(?P<x>web)')
        self.assertEqual('Invalid regular expression (?P<x>web): invalid '
                         'regex', exc.message)

    def test_deleted_not_listed(self):
        db_api.instance_sync('h1', [])
        self.assertEqual([], self.uuids())

    def test_filters(self):
        self.assertEqual([uuid(6)], self.uuids(filters={'display_name':
                                                        'db-6'}))


class ActionsTest(DbTestCase):

    def setUp(self):
        super().setUp()
        self.time = self.useFixture(utils_fixture.TimeFixture(T0))
        self.requests = []
        for n in range(3):
            request_id = 'req-%d' % n
            db_api.action_start(self.context, uuid(1), 'trigger_crash_dump',
                                request_id)
            self.requests.append(request_id)
            self.time.advance_time_seconds(60)
        db_api.action_start(self.context, uuid(2), 'trigger_crash_dump',
                            'req-other')

    def request_ids(self, **kwargs):
        return [a.request_id for a in db_api.actions_get(uuid(1), **kwargs)]

    def test_newest_first(self):
        self.assertEqual(['req-2', 'req-1', 'req-0'], self.request_ids())

    def test_recorded_fields(self):
        context = crashdump_context.RequestContext(
            user_id='alice', project_id='demo', request_id='req-x')
        db_api.action_start(context, uuid(3), 'trigger_crash_dump', 'req-x')
        action = db_api.action_get_by_request_id(uuid(3), 'req-x')
        self.assertEqual(
            ('trigger_crash_dump', uuid(3), 'req-x', 'alice', 'demo',
             T0 + datetime.timedelta(minutes=3), None, []),
            (action.action, action.instance_uuid, action.request_id,
             action.user_id, action.project_id, action.start_time,
             action.message, action.events))

    def test_limit_and_marker(self):
        self.assertEqual(['req-2'], self.request_ids(limit=1))
        self.assertEqual(['req-1', 'req-0'],
                         self.request_ids(marker='req-2'))
        self.assertEqual(['req-1'], self.request_ids(marker='req-2',
                                                     limit=1))
        self.assertEqual([], self.request_ids(marker='req-0'))

    def test_bad_marker(self):
        # Another server's request id is no marker for this one.
        for marker in ('req-missing', 'req-other'):
            exc = self.assertRaises(exception.MarkerNotFound,
                                    db_api.actions_get, uuid(1),
                                    marker=marker)
            self.assertEqual('Marker %s could not be found.' % marker,
                             exc.message)

    def test_changes_since_and_before(self):
        one_minute = datetime.timedelta(minutes=1)
        self.assertEqual(['req-2', 'req-1'],
                         self.request_ids(changes_since=T0 + one_minute))
        self.assertEqual(['req-1', 'req-0'],
                         self.request_ids(changes_before=T0 + one_minute))
        self.assertEqual(['req-1'], self.request_ids(
            changes_since=T0 + one_minute, changes_before=T0 + one_minute))
        self.assertEqual([], self.request_ids(
            changes_since=T0 + 10 * one_minute))

    def test_changes_since_sees_updates(self):
        # An event on the oldest action makes it changed "now".
        self.time.advance_time_seconds(3600)
        db_api.event_start(uuid(1), 'req-0',
                           'compute_trigger_crash_dump', 'h1')
        self.assertEqual(['req-0'], self.request_ids(
            changes_since=T0 + datetime.timedelta(minutes=30)))

    def test_action_not_found(self):
        exc = self.assertRaises(exception.InstanceActionNotFound,
                                db_api.action_get_by_request_id,
                                uuid(2), 'req-0')
        self.assertEqual('Action req-0 not found', exc.message)
        self.assertEqual(404, exc.code)


class EventsTest(DbTestCase):

    EVENT = 'compute_trigger_crash_dump'

    def setUp(self):
        super().setUp()
        self.time = self.useFixture(utils_fixture.TimeFixture(T0))
        db_api.action_start(self.context, uuid(1), 'trigger_crash_dump',
                            'req-1')

    def action(self):
        return db_api.action_get_by_request_id(uuid(1),
                                               'req-1')

    def test_start_and_success(self):
        db_api.event_start(uuid(1), 'req-1', self.EVENT, 'h1')
        self.time.advance_time_seconds(2)
        db_api.event_finish(uuid(1), 'req-1', self.EVENT,
                            'Success')
        action = self.action()
        self.assertIsNone(action.message)
        self.assertEqual(T0 + datetime.timedelta(seconds=2),
                         action.updated_at)
        [event] = action.events
        self.assertEqual(
            (self.EVENT, T0, T0 + datetime.timedelta(seconds=2), 'Success',
             'h1', None, None),
            (event.event, event.start_time, event.finish_time, event.result,
             event.host, event.traceback, event.details))

    def test_record_starts_and_ends_in_one_commit(self):
        commits = []
        # The fixture's engine ends with the test, and its listeners.
        sa.event.listen(db_api.get_engine(), 'commit', commits.append)
        db_api.event_record(uuid(1), 'req-1', self.EVENT, 'h1', 'Error',
                            details='no agent took it up')
        self.assertEqual(1, len(commits))
        action = self.action()
        self.assertEqual('Error', action.message)
        [event] = action.events
        self.assertEqual((T0, T0, 'Error', 'no agent took it up'),
                         (event.start_time, event.finish_time, event.result,
                          event.details))
        self.assertRaises(exception.EventAlreadyRecorded,
                          db_api.event_record, uuid(1), 'req-1', self.EVENT,
                          'h1', 'Error')
        self.assertRaises(exception.EventAlreadyRecorded,
                          db_api.event_start, uuid(1), 'req-1', self.EVENT,
                          'h1')
        self.assertRaises(exception.InstanceActionNotFound,
                          db_api.event_record, uuid(1), 'req-none',
                          self.EVENT, 'h1', 'Error')
        self.assertEqual(1, len(self.action().events))

    def test_error_marks_the_action(self):
        db_api.event_start(uuid(1), 'req-1', self.EVENT, 'h1')
        db_api.event_finish(uuid(1), 'req-1', self.EVENT,
                            'Error', traceback='Traceback ...',
                            details='NotImplementedError')
        action = self.action()
        self.assertEqual('Error', action.message)
        [event] = action.events
        self.assertEqual(('Error', 'Traceback ...', 'NotImplementedError'),
                         (event.result, event.traceback, event.details))

    def test_finish_without_start(self):
        exc = self.assertRaises(exception.NotFound, db_api.event_finish,
                                uuid(1), 'req-1', self.EVENT,
                                'Success')
        self.assertEqual('Event %s of action req-1 not found' % self.EVENT,
                         exc.message)

    def test_event_of_unknown_action(self):
        self.assertRaises(exception.InstanceActionNotFound,
                          db_api.event_start, uuid(1),
                          'req-none', self.EVENT, 'h1')

    def test_event_recorded_once(self):
        db_api.event_start(uuid(1), 'req-1', self.EVENT, 'h1')
        exc = self.assertRaises(exception.EventAlreadyRecorded,
                                db_api.event_start, uuid(1),
                                'req-1', self.EVENT, 'h2')
        self.assertEqual('Event %s of request req-1 is already recorded'
                         % self.EVENT, exc.message)
        self.assertEqual(['h1'], [e.host for e in self.action().events])

    def test_unique_index_refusal_is_already_recorded(self):
        # How each database words the refusal of a concurrent duplicate
        # (the functional tests meet PostgreSQL's for real).
        class PgError(Exception):
            sqlstate = '23505'
        for orig in (PgError('duplicate key value'),
                     Exception(1062, "Duplicate entry '1-x' for key 'uniq'"),
                     Exception('UNIQUE constraint failed: '
                               'instance_actions_events.action_id')):
            refused = sa_exc.IntegrityError('INSERT', {}, orig)
            with fixtures.MockPatch('crashdump_server.db.engine.core_write',
                                    side_effect=refused):
                self.assertRaises(exception.EventAlreadyRecorded,
                                  db_api.event_start, uuid(1), 'req-1',
                                  self.EVENT, 'h1')

    def test_other_integrity_error_is_not_already_recorded(self):
        refused = sa_exc.IntegrityError(
            'INSERT', {}, Exception('FOREIGN KEY constraint failed'))
        self.useFixture(fixtures.MockPatch(
            'crashdump_server.db.engine.core_write', side_effect=refused))
        self.assertRaises(sa_exc.IntegrityError, db_api.event_start,
                          uuid(1), 'req-1', self.EVENT, 'h1')

    def test_requests_after(self):
        def at(seconds):
            return T0 + datetime.timedelta(seconds=seconds)
        for action, request_id in (('trigger_crash_dump', 'req-a'),
                                   ('other', 'req-other'),
                                   ('trigger_crash_dump', 'req-b'),
                                   ('trigger_crash_dump', 'req-c')):
            db_api.action_start(self.context, uuid(1), action, request_id,
                                at(5))
        db_api.event_start(uuid(1), 'req-b', self.EVENT, 'h1')
        rows = db_api.requests_after('trigger_crash_dump', 0, 10)
        # req-1 (from setUp) first: recorded before there were deadlines.
        self.assertEqual(
            ['req-1', 'req-a', 'req-b', 'req-c'],
            [r.request_id for r in rows])
        self.assertEqual([None, None, T0, None],
                         [r.start_time for r in rows])
        self.assertEqual(at(5), rows[1].deadline)
        # A page starts after the id given, and holds at most limit rows.
        page = db_api.requests_after('trigger_crash_dump', rows[1].id, 1)
        self.assertEqual(['req-b'], [r.request_id for r in page])

    def test_unfinished_events(self):
        db_api.action_start(self.context, uuid(1), 'trigger_crash_dump',
                            'req-2')
        db_api.event_start(uuid(1), 'req-1', self.EVENT, 'h1')
        db_api.event_start(uuid(1), 'req-2', self.EVENT, 'h2')
        self.assertEqual(['req-1'], [r.request_id for r in
                                     db_api.unfinished_events('h1',
                                                              self.EVENT)])
        db_api.event_finish(uuid(1), 'req-1', self.EVENT, 'Success')
        self.assertEqual([], db_api.unfinished_events('h1', self.EVENT))

    def test_events_newest_first(self):
        db_api.event_start(uuid(1), 'req-1', 'first', 'h1')
        self.time.advance_time_seconds(1)
        db_api.event_start(uuid(1), 'req-1', 'second', 'h1')
        self.assertEqual(['second', 'first'],
                         [e.event for e in self.action().events])


class ServicesTest(DbTestCase):

    def test_heartbeat_creates_then_counts(self):
        db_api.service_heartbeat('h1', 'crashdump-compute',
                                 'crashdump-compute', '1.0')
        db_api.service_heartbeat('h1', 'crashdump-compute',
                                 'crashdump-compute', '1.1')
        [row] = db_api.services_get('crashdump-compute')
        self.assertEqual(('h1', '1.1', 2),
                         (row.host, row.rpc_version, row.report_count))

    def test_services_by_binary(self):
        db_api.service_heartbeat('h1', 'crashdump-compute',
                                 'crashdump-compute', '1.1')
        db_api.service_heartbeat('h2', 'crashdump-compute',
                                 'crashdump-compute', '1.0')
        db_api.service_heartbeat('h1', 'something-else',
                                 'topic', '9.9')
        self.assertEqual(
            [('h1', '1.1'), ('h2', '1.0')],
            sorted((s.host, s.rpc_version)
                   for s in db_api.services_get('crashdump-compute')))


class DatabaseUrlTest(DbTestCase):

    def test_default_is_sqlite_in_state_path(self):
        self.assertEqual('sqlite:///%s/crashdump.sqlite' % self.db.path,
                         db_api.database_url(self.db.conf))

    def test_connection_wins(self):
        self.db.conf.set_override('connection', 'sqlite:////tmp/x.db',
                                  group='database')
        self.assertEqual('sqlite:////tmp/x.db',
                         db_api.database_url(self.db.conf))
