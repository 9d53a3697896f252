"""RabbitMQ and PostgreSQL for one test class, through the project's
scripts in tools/realparts/distributed.

:class:`Backends` starts the broker and the database server (unless they
run already), then gives the class a RabbitMQ virtual host and a
PostgreSQL database and user of its own, so nothing from an earlier run
(a queue, a message, a row) reaches it. ``stop()`` drops them and stops
the daemons the scripts started. Anything that cannot be set up raises
:class:`databases.BackendsUnusable` with the reason: the tests fail, never
skip. The database is a :class:`databases.PostgreSQL`.
"""
import concurrent.futures
import os
import subprocess
import uuid

import psycopg

from tests.functional.distributed import databases

RABBIT_PORT = int(os.environ.get('CRASHDUMP_RABBIT_PORT', 5672))
script = databases.script


class Backends:
    """A broker virtual host and a database for one user of them."""

    def __init__(self):
        self.vhost = 'crashdump-%s' % uuid.uuid4().hex[:12]
        self.postgresql = databases.PostgreSQL()
        self._created = False

    @property
    def transport_url(self):
        return 'rabbit://guest:guest@127.0.0.1:%d/%s' % (RABBIT_PORT,
                                                         self.vhost)

    @property
    def database_url(self):
        return self.postgresql.url

    def start(self, with_database=None):
        """Install if needed, start both servers, create vhost and
        database; returns self. Raises BackendsUnusable.

        ``with_database`` (a callable, e.g. the schema sync) runs in the
        calling thread as soon as the database exists, while the broker
        may still be booting.
        """
        databases.need_root('RabbitMQ and PostgreSQL')
        script('install.sh')
        self._created = True
        # The broker takes 5-8 s to boot, PostgreSQL ~2 s: side by side.
        # The database side stays in this thread: processes started by
        # with_database die with the thread that started them
        # (PR_SET_PDEATHSIG), and a pool thread ends early.
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            broker = pool.submit(self._start_broker)
            try:
                self._start_database(with_database)
            finally:
                broker.result()
        return self

    def _start_broker(self):
        script('rabbitmq.sh', 'start')
        script('rabbitmq.sh', 'vhost-add', self.vhost)

    def _start_database(self, with_database):
        self.postgresql.create()
        if with_database is not None:
            with_database()

    def stop(self):
        """Drop the vhost and database, stop what the scripts started.
        Errors are collected and raised together at the end."""
        steps = []
        if self._created:
            steps.append(('rabbitmq.sh', 'vhost-delete', self.vhost))
        steps.append(('rabbitmq.sh', 'stop'))
        databases.run_steps(steps + self.postgresql.stop_steps())

    # -- looking inside ---------------------------------------------------

    def sql(self, statement, params=None):
        """Rows of ``statement`` run in the class's database."""
        database = self.postgresql
        with psycopg.connect(host='127.0.0.1', port=databases.PG_PORT,
                             dbname=database.database, user=database.user,
                             password=database.password) as connection:
            return connection.execute(statement, params).fetchall()

    def queues(self):
        """{queue name: messages waiting} in the class's virtual host."""
        output = subprocess.run(
            ['rabbitmqctl', '-q', 'list_queues', '-p', self.vhost,
             '--no-table-headers', 'name', 'messages_ready'],
            capture_output=True, text=True, timeout=60, check=True).stdout
        queues = {}
        for line in output.splitlines():
            name, _, ready = line.rpartition('\t')
            if name:
                queues[name] = int(ready)
        return queues
