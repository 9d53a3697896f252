"""db.engine: core_write's transactions and the connection pool."""
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


class CoreWriteTest(testtools.TestCase):

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

    def test_one_transaction_per_write(self):
        self.assertEqual('a', engine.core_write(insert('a')))
        self.assertEqual('b', engine.core_write(insert('b')))
        self.assertEqual(2, self.commits)
        self.assertEqual({'a', 'b'}, self.values())

    def test_refusal_after_writing_commits_nothing(self):
        self.assertRaises(Refused, engine.core_write,
                          insert_then_refuse('half'))
        self.assertRaises(Refused, engine.core_write, refuse)
        self.assertEqual(set(), self.values())
        self.assertEqual(0, self.commits)

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
        self.assertEqual(544, self.commits)


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
