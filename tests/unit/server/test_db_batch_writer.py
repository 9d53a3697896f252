"""The embedded mode's single SQLite writer (db.engine.core_write): writes
that wait are committed together, and one write's failure is its own."""
import threading

import sqlalchemy as sa
import testtools

from crashdump_server.db import api as db_api
from crashdump_server.db import engine
from crashdump_server import exception
from tests.unit.server import test_db_api

INSERT = sa.text('''INSERT INTO services (host, "binary", topic, '''
                 "report_count, rpc_version, created_at) VALUES (:host, "
                 "'b', 't', 0, '1.0', '2024-05-01 12:00:00')")
HOSTS = sa.text('SELECT host FROM services ORDER BY host')


def queued(count):
    """Wait until ``count`` writes wait in the writer's queue."""
    for _ in range(1000):
        writer = engine._WRITER
        if writer is not None and writer._jobs.qsize() >= count:
            return
        threading.Event().wait(0.01)
    raise AssertionError('%d writes never queued up' % count)


def hosts():
    with engine.connect() as connection:
        return [row.host for row in connection.execute(HOSTS)]


class BatchWriterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(test_db_api.Database())
        self.commits = []
        sa.event.listen(db_api.get_engine(), 'commit',
                        lambda connection: self.commits.append(1))

    def insert(self, host):
        return lambda connection: connection.execute(INSERT, {'host': host})

    def test_the_result_and_the_write_are_there_on_return(self):
        self.assertEqual(7, engine.core_write(lambda connection: 7))
        engine.core_write(self.insert('h1'))
        self.assertEqual(['h1'], hosts())

    def hold_writer(self):
        """Keep the writer busy until the returned event is set; returns
        (event, the thread whose write holds it)."""
        gate, entered = threading.Event(), threading.Event()

        def held(connection):
            entered.set()
            gate.wait(10)
        first = threading.Thread(target=engine.core_write, args=(held,))
        first.start()
        self.addCleanup(gate.set)
        self.assertTrue(entered.wait(10))
        return gate, first

    def test_waiting_writes_share_a_commit(self):
        gate, first = self.hold_writer()
        # While the writer is held, these queue up behind it.
        threads = [threading.Thread(target=engine.core_write,
                                    args=(self.insert('h%02d' % n),))
                   for n in range(20)]
        for thread in threads:
            thread.start()
        try:
            queued(20)
        finally:
            gate.set()
        for thread in [first] + threads:
            thread.join(10)
        self.assertEqual(['h%02d' % n for n in range(20)], hosts())
        self.assertLessEqual(len(self.commits), 3)

    def test_a_refusal_fails_only_its_own_write(self):
        def refuse(connection):
            raise exception.InstanceActionNotFound(request_id='r',
                                                   instance_uuid='u')
        errors = self.run_together([self.insert('a'), refuse,
                                    self.insert('b')])
        self.assertEqual(['a', 'b'], hosts())
        self.assertEqual([exception.InstanceActionNotFound],
                         [type(e) for e in errors])

    def test_a_statement_the_database_refuses_fails_only_its_write(self):
        # The same (host, binary) twice: the second breaks the unique key.
        errors = self.run_together([self.insert('a'), self.insert('dup'),
                                    self.insert('dup'), self.insert('b')])
        self.assertEqual(['a', 'b', 'dup'], hosts())
        self.assertEqual([sa.exc.IntegrityError], [type(e) for e in errors])

    def run_together(self, works):
        """Queue ``works`` in order while the writer is held, let them
        run as one batch; returns the exceptions they raised."""
        errors = []

        def run(work):
            try:
                engine.core_write(work)
            except Exception as exc:
                errors.append(exc)
        gate, first = self.hold_writer()
        threads = []
        try:
            for work in works:
                threads.append(threading.Thread(target=run, args=(work,)))
                threads[-1].start()
                queued(len(threads))  # in this order in the queue
        finally:
            gate.set()
        for thread in [first] + threads:
            thread.join(10)
        return errors
