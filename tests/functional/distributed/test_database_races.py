"""Writers of one crash dump request's event at the same time, on each
database crashdump runs on (see :class:`databases.DatabaseTestCase`): the
compute agent taking the request up and the API closing it as overdue.
The event must be recorded once, every other writer told so
(EventAlreadyRecorded), and nobody fail.

The deterministic tests hold another writer's transaction open after it
recorded the event; the last one lets many writers go at once.
"""
import json
import os
import threading

from oslo_utils import timeutils
import sqlalchemy as sa

from crashdump_server.compute import api as compute_api
from crashdump_server.compute import instance_actions
from crashdump_server.compute import manager as compute_manager
from crashdump_server.db import api as db_api
from crashdump_server.db import models
from crashdump_server import exception
from crashdump_server.virt import fake
from tests.functional import base
from tests.functional.distributed import databases
from tests.functional.distributed.databases import HOST
from tests.functional.distributed.databases import server_id
from tests.functional.distributed.databases import T0

ACTION = instance_actions.TRIGGER_CRASH_DUMP
EVENT = instance_actions.EVENT_TRIGGER_CRASH_DUMP
#: The server whose requests the tests record.
SERVER = server_id(1)
#: How long a writer must stay blocked to count as waiting for another's
#: transaction (its statements take milliseconds).
WAITS = 0.5


class RaceTests:
    """The tests; a subclass per database says which."""

    # -- the agent and the API's closer on one request --------------------

    def overdue_request(self, request_id):
        """A request past its deadline that no agent took up yet, as the
        closer reads it; the agent's manager with the fake driver."""
        servers = os.path.join(self.db.path, 'servers.json')
        with open(servers, 'w') as stream:
            json.dump([base.fake_server(SERVER, 'web-1')], stream)
        self.conf.set_override('servers_file', servers, group='fake')
        self.conf.set_override('host', HOST)
        driver = fake.FakeDriver(self.conf)
        driver.init_host(HOST)
        self.addCleanup(driver.cleanup_host, HOST)
        agent = compute_manager.ComputeManager(HOST, driver)
        agent.sync_instances(self.context)
        db_api.action_start(self.user_context(request_id), SERVER, ACTION,
                            request_id, deadline=T0)
        [row] = [r for r in db_api.requests_after(ACTION, 0, 10)
                 if r.request_id == request_id]
        return row, agent

    def test_agent_first_then_the_closer_closes_nothing(self):
        row, agent = self.overdue_request('req-agent-first')
        agent.trigger_crash_dump(self.user_context('req-agent-first'),
                                 SERVER)
        self.assertEqual([SERVER], agent.driver.nmis)
        self.assertEqual(0, compute_api._close_overdue(row))
        self.assertEqual([(EVENT, HOST, 'Success')],
                         self.event_rows('req-agent-first'))

    def test_closer_first_then_the_agent_sends_no_nmi(self):
        row, agent = self.overdue_request('req-closer-first')
        self.assertEqual(1, compute_api._close_overdue(row))
        agent.trigger_crash_dump(self.user_context('req-closer-first'),
                                 SERVER)
        self.assertEqual([], agent.driver.nmis)
        self.assertEqual([(EVENT, HOST, 'Error')],
                         self.event_rows('req-closer-first'))
        action = db_api.action_get_by_request_id(SERVER, 'req-closer-first')
        self.assertEqual('Error', action.message)
        self.assertIn('No compute agent took this request up',
                      action.events[0].details)

    # -- races ------------------------------------------------------------

    def other_writer(self, request_id, first_updates_action):
        """Another writer's open transaction that recorded the request's
        event: ``first_updates_action`` as db_api.event_start does, else
        inserting only, as a writer of an earlier release does before it
        updates the action's row."""
        connection = db_api.get_engine().connect()
        self.addCleanup(connection.close)
        transaction = connection.begin()
        action = models.InstanceAction.__table__
        action_id = connection.execute(
            sa.select(action.c.id).where(
                action.c.request_id == request_id)).scalar_one()
        now = timeutils.utcnow().replace(microsecond=0)
        if first_updates_action:
            connection.execute(action.update().where(
                action.c.id == action_id).values(updated_at=now))
        connection.execute(models.InstanceActionEvent.__table__.insert()
                           .values(action_id=action_id, event=EVENT,
                                   host='other-writer', start_time=now,
                                   created_at=now))
        return transaction

    def event_start_in_thread(self, request_id):
        """Start db_api.event_start in a thread; returns the thread, an
        Event set once it sent its first statement, and a dict that gets
        its ``outcome`` ('recorded' or the exception)."""
        sent = threading.Event()
        result = {}

        def statement(*args):
            if threading.current_thread() is thread:
                sent.set()

        def record():
            try:
                db_api.event_start(SERVER, request_id, EVENT, HOST)
                result['outcome'] = 'recorded'
            except Exception as exc:
                result['outcome'] = exc

        thread = threading.Thread(target=record, daemon=True)
        engine = db_api.get_engine()
        sa.event.listen(engine, 'before_cursor_execute', statement)
        self.addCleanup(sa.event.remove, engine, 'before_cursor_execute',
                        statement)
        thread.start()
        return thread, sent, result

    def assertWaitsThenFindsTheEventRecorded(self, first_updates_action):
        request_id = 'req-race'
        db_api.action_start(self.context, SERVER, ACTION, request_id)
        transaction = self.other_writer(request_id, first_updates_action)
        thread, sent, result = self.event_start_in_thread(request_id)
        self.assertTrue(sent.wait(10), 'event_start sent nothing')
        thread.join(WAITS)
        self.assertTrue(
            thread.is_alive(),
            'event_start did not wait for the open transaction that '
            'recorded the event first: %s' % result.get('outcome'))
        transaction.commit()
        thread.join(30)
        self.assertFalse(thread.is_alive(), 'event_start still waits')
        self.assertIsInstance(result['outcome'],
                              exception.EventAlreadyRecorded)
        self.assertEqual([(EVENT, 'other-writer', None)],
                         self.event_rows(request_id))

    def test_event_start_waits_for_a_writer_recording_the_event(self):
        self.assertWaitsThenFindsTheEventRecorded(first_updates_action=True)

    def test_event_start_refuses_a_duplicate_the_unique_index_meets(self):
        self.assertWaitsThenFindsTheEventRecorded(first_updates_action=False)

    def test_many_writers_at_once(self):
        # Agents taking requests up while the API closes the same
        # requests: each gets its event recorded once, every other
        # writer is told so, and nobody fails.
        rounds, requests = 5, 6
        outcomes = {}
        lock = threading.Lock()

        def write(barrier, request_id, host, result):
            barrier.wait()
            try:
                db_api.event_start(SERVER, request_id, EVENT, host)
                db_api.event_finish(SERVER, request_id, EVENT, result)
                outcome = 'recorded'
            except exception.EventAlreadyRecorded:
                outcome = 'already recorded'
            except Exception as exc:
                outcome = repr(exc)
            with lock:
                outcomes.setdefault(request_id, []).append(outcome)

        for round_ in range(rounds):
            request_ids = ['req-%d-%d' % (round_, n) for n in range(requests)]
            for request_id in request_ids:
                db_api.action_start(self.context, SERVER, ACTION,
                                    request_id)
            barrier = threading.Barrier(2 * requests)
            # An agent and the API's closer for each request.
            threads = [
                threading.Thread(target=write,
                                 args=(barrier, request_id, host, result))
                for request_id in request_ids
                for host, result in ((HOST, 'Success'), ('api', 'Error'))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        self.assertEqual(
            {request_id: ['already recorded', 'recorded']
             for request_id in outcomes},
            {request_id: sorted(seen)
             for request_id, seen in outcomes.items()})
        self.assertEqual(rounds * requests, len(outcomes))
        self.assertEqual([(rounds * requests, rounds * requests)], [
            tuple(row) for row in self.database.sql(
                'SELECT COUNT(*), COUNT(DISTINCT action_id) '
                'FROM instance_actions_events WHERE finish_time IS NOT NULL')])


class SQLiteRaceTest(RaceTests, databases.DatabaseTestCase):
    DATABASE = databases.SQLite


class PostgreSQLRaceTest(RaceTests, databases.DatabaseTestCase):
    DATABASE = databases.PostgreSQL


class MariaDBRaceTest(RaceTests, databases.DatabaseTestCase):
    DATABASE = databases.MariaDB
