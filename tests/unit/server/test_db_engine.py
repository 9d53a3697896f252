"""db.engine's group commit of SQLite writes (core_write)."""
import threading

import sqlalchemy as sa
import testtools

from crashdump_server.db import engine
from tests.unit.server import test_db_api

_INSERT = sa.text('INSERT INTO alembic_version (version_num) VALUES (:v)')


class Refused(Exception):
    pass


def insert(value):
    def work(connection):
        connection.execute(_INSERT, {'v': value})
        return value
    return work


def insert_then_refuse(value):
    def work(connection):
        insert(value)(connection)
        raise Refused(value)
    return work


def refuse(connection):
    raise Refused('refused before writing')


class GroupCommitTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(test_db_api.Database())
        self.commits = 0

        def count(_connection):
            self.commits += 1
        sa.event.listen(engine.get_engine(), 'commit', count)
        self.schema_revision = self.values()

    def values(self):
        with engine.connect() as connection:
            values = {row[0] for row in connection.execute(sa.text(
                'SELECT version_num FROM alembic_version'))}
        return values - getattr(self, 'schema_revision', set())

    def run_queued(self, works):
        """Run each work's core_write in a thread of its own while a
        group is being committed, so all of them queue; then let them go.
        Returns {index: result or exception}."""
        outcomes = {}
        threads = []

        def call(index, work):
            try:
                outcomes[index] = engine.core_write(work)
            except BaseException as exc:
                outcomes[index] = exc

        with engine._queue_lock:
            # As if another caller were committing a group.
            engine._committing = True
        for index, work in enumerate(works):
            thread = threading.Thread(target=call, args=(index, work))
            thread.start()
            threads.append(thread)
        while len(engine._waiting) < len(works):
            threading.Event().wait(0.001)
        with engine._queue_lock:
            # That group's end: the first queued caller commits the rest.
            engine._pass_turn()
        for thread in threads:
            thread.join(10)
        return outcomes

    def test_alone_one_transaction_per_write(self):
        self.assertEqual('a', engine.core_write(insert('a')))
        self.assertEqual('b', engine.core_write(insert('b')))
        self.assertEqual(2, self.commits)
        self.assertEqual({'a', 'b'}, self.values())

    def test_waiting_writes_share_one_commit(self):
        outcomes = self.run_queued([insert('w%d' % i) for i in range(8)])
        self.assertEqual({i: 'w%d' % i for i in range(8)}, outcomes)
        self.assertEqual({'w%d' % i for i in range(8)}, self.values())
        self.assertEqual(1, self.commits)

    def test_refused_write_fails_alone(self):
        works = [insert('x0'), refuse, insert('x2')]
        outcomes = self.run_queued(works)
        self.assertEqual('x0', outcomes[0])
        self.assertIsInstance(outcomes[1], Refused)
        self.assertEqual('x2', outcomes[2])
        self.assertEqual({'x0', 'x2'}, self.values())

    def test_failed_statement_fails_alone(self):
        # The same primary key twice: the second is refused by the
        # database, after the group has written the first.
        outcomes = self.run_queued([insert('d'), insert('d'), insert('e')])
        self.assertEqual('d', outcomes[0])
        self.assertIsInstance(outcomes[1], sa.exc.IntegrityError)
        self.assertEqual('e', outcomes[2])
        self.assertEqual({'d', 'e'}, self.values())

    def test_write_refused_after_writing_commits_nothing(self):
        def insert_then_refuse(connection):
            insert('half')(connection)
            raise Refused('refused after writing')
        outcomes = self.run_queued([insert('y0'), insert_then_refuse])
        self.assertEqual('y0', outcomes[0])
        self.assertIsInstance(outcomes[1], Refused)
        self.assertEqual({'y0'}, self.values())
        self.assertRaises(Refused, engine.core_write, insert_then_refuse)
        self.assertEqual({'y0'}, self.values())

    def test_many_writers_each_told_what_was_committed(self):
        # 16 threads, every seventh write refusing after it wrote.
        told = {}

        def writer(thread):
            for index in range(40):
                value = 't%d-%d' % (thread, index)
                work = (insert_then_refuse(value) if index % 7 == 3
                        else insert(value))
                try:
                    engine.core_write(work)
                    told[value] = True
                except Refused:
                    told[value] = False
        threads = [threading.Thread(target=writer, args=(n,))
                   for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(640, len(told))
        self.assertEqual({v for v, ok in told.items() if ok}, self.values())
        self.assertLess(self.commits, 640 - 16 * 6)
        self.assertFalse(engine._committing)
        self.assertEqual(0, len(engine._waiting))

    def test_lone_refusal_raises_and_writes_nothing(self):
        self.assertRaises(Refused, engine.core_write, refuse)
        self.assertEqual(set(), self.values())

    def test_interrupted_turn_fails_the_group(self):
        def interrupt(connection):
            raise KeyboardInterrupt()
        outcomes = self.run_queued([insert('i0'), interrupt, insert('i2')])
        self.assertEqual(3, len(outcomes))
        interrupted = [o for o in outcomes.values()
                       if isinstance(o, KeyboardInterrupt)]
        refused = [o for o in outcomes.values()
                   if isinstance(o, RuntimeError)]
        # The thread whose turn it was raises the interrupt; the others
        # learn that their write was not committed.
        self.assertEqual(1, len(interrupted))
        self.assertEqual(2, len(refused))
        self.assertIn('its outcome is unknown', str(refused[0]))
        self.assertEqual(set(), self.values())
        # The engine takes writes again.
        self.assertEqual('after', engine.core_write(insert('after')))


class PoolSizeTest(testtools.TestCase):
    """PostgreSQL and MySQL connections stay open for every thread."""

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(test_db_api.Database(migrate=False)).conf
        # The config fixture of an earlier test resets the defaults.
        engine.register_opts(self.conf)

    def pool(self):
        engine_ = engine._create_engine(
            self.conf, 'postgresql+psycopg://u:p@127.0.0.1:1/crashdump')
        self.addCleanup(engine_.dispose)
        return engine_.pool

    def test_default_keeps_sixteen(self):
        self.assertEqual(16, self.conf.database.max_pool_size)
        self.assertEqual(16, self.pool().size())

    def test_configured_size(self):
        self.conf.set_override('max_pool_size', 4, group='database')
        self.assertEqual(4, self.pool().size())
