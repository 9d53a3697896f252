"""RabbitMQ and PostgreSQL for one test class, through the project's
scripts in tools/realparts/distributed.

:class:`Backends` starts the broker and the database server (unless they
run already), then gives the class a RabbitMQ virtual host and a
PostgreSQL database and user of its own, so nothing from an earlier run
(a queue, a message, a row) reaches it. ``stop()`` drops them and stops
the daemons the scripts started. Anything that cannot be set up raises
:class:`BackendsUnusable` with the reason: the tests fail, never skip.
"""
import concurrent.futures
import os
import subprocess
import uuid

import psycopg

from tests.lib.process import run_script

RABBIT_PORT = int(os.environ.get('CRASHDUMP_RABBIT_PORT', 5672))
PG_PORT = int(os.environ.get('CRASHDUMP_PG_PORT', 5432))


class BackendsUnusable(AssertionError):
    """RabbitMQ or PostgreSQL could not be set up; the message says why."""


def script(name, *args, timeout=600):
    """Run tools/realparts/distributed/<name>; its stdout, or
    BackendsUnusable with everything it printed."""
    return run_script(os.path.join('distributed', name), *args,
                      timeout=timeout, error=BackendsUnusable)


class Backends:
    """A broker virtual host and a database for one user of them."""

    def __init__(self):
        suffix = uuid.uuid4().hex[:12]
        self.vhost = 'crashdump-%s' % suffix
        self.database = 'crashdump_%s' % suffix
        self.db_user = 'crashdump_%s' % suffix
        self.db_password = uuid.uuid4().hex
        self._created = False

    @property
    def transport_url(self):
        return 'rabbit://guest:guest@127.0.0.1:%d/%s' % (RABBIT_PORT,
                                                         self.vhost)

    @property
    def database_url(self):
        return 'postgresql+psycopg://%s:%s@127.0.0.1:%d/%s' % (
            self.db_user, self.db_password, PG_PORT, self.database)

    def start(self, with_database=None):
        """Install if needed, start both servers, create vhost and
        database; returns self. Raises BackendsUnusable.

        ``with_database`` (a callable, e.g. the schema sync) runs in the
        calling thread as soon as the database exists, while the broker
        may still be booting.
        """
        if os.geteuid() != 0:
            raise BackendsUnusable(
                'the distributed-mode tests need root: they install and '
                'start RabbitMQ and PostgreSQL (tools/realparts/distributed)')
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
        script('postgresql.sh', 'start')
        script('postgresql.sh', 'db-create', self.database, self.db_user,
               self.db_password)
        if with_database is not None:
            with_database()

    def stop(self):
        """Drop the vhost and database, stop what the scripts started.
        Errors are collected and raised together at the end."""
        problems = []
        steps = []
        if self._created:
            steps += [('rabbitmq.sh', 'vhost-delete', self.vhost),
                      ('postgresql.sh', 'db-drop', self.database,
                       self.db_user)]
        steps += [('rabbitmq.sh', 'stop'), ('postgresql.sh', 'stop')]
        for step in steps:
            try:
                script(*step, timeout=120)
            except BackendsUnusable as exc:
                problems.append(str(exc))
        if problems:
            raise BackendsUnusable('\n'.join(problems))

    # -- looking inside ---------------------------------------------------

    def sql(self, statement, params=None):
        """Rows of ``statement`` run in the class's database."""
        with psycopg.connect(host='127.0.0.1', port=PG_PORT,
                             dbname=self.database, user=self.db_user,
                             password=self.db_password) as connection:
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
