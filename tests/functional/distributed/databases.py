"""The databases crashdump runs on, each giving one test class a database
of its own: SQLite in a temporary directory, and PostgreSQL and MariaDB
through the project's scripts in tools/realparts/distributed.

``start()`` installs and starts the database server if needed (unless one
runs already) and creates a database and a user with a random name and
password; ``stop()`` drops them and stops the server if the script started
it. Anything that cannot be set up raises :class:`BackendsUnusable` with
the reason: the tests fail, never skip.

:class:`DatabaseTestCase` is the base of the tests of crashdump's database
layer, played once per database.
"""
import datetime
import os
import shutil
import tempfile
import uuid

import sqlalchemy as sa
from sqlalchemy import pool as sa_pool
import testtools

from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server.db import migration
from tests.lib.process import run_script
from tests.unit.server import test_db_api

PG_PORT = int(os.environ.get('CRASHDUMP_PG_PORT', 5432))
MARIADB_PORT = int(os.environ.get('CRASHDUMP_MARIADB_PORT', 3306))
# Whole seconds: MariaDB's DATETIME keeps none (Nova's schema neither).
T0 = datetime.datetime(2024, 5, 1, 12, 0, 0)
#: The host of the servers the tests record.
HOST = 'compute-1'


class BackendsUnusable(AssertionError):
    """A broker or database could not be set up; the message says why."""


def script(name, *args, timeout=600):
    """Run tools/realparts/distributed/<name>; its stdout, or
    BackendsUnusable with everything it printed."""
    return run_script(os.path.join('distributed', name), *args,
                      timeout=timeout, error=BackendsUnusable)


def need_root(what):
    """BackendsUnusable unless the tests run as root; ``what`` names the
    servers they install and start."""
    if os.geteuid() != 0:
        raise BackendsUnusable(
            'these tests need root: they install and start %s '
            '(tools/realparts/distributed)' % what)


def run_steps(steps):
    """Run each script step ((name, args...)); raise the problems of all
    of them together at the end."""
    problems = []
    for step in steps:
        try:
            script(*step, timeout=120)
        except BackendsUnusable as exc:
            problems.append(str(exc))
    if problems:
        raise BackendsUnusable('\n'.join(problems))


class Database:
    """What every database here gives: ``url``, ``empty()``, ``sql()``."""

    #: What the tests call it.
    name = None

    @property
    def url(self):
        """The [database] connection URL."""
        raise NotImplementedError

    def _engine(self):
        # No pool: nothing stays connected, so db-drop finds no session.
        return sa.create_engine(self.url, poolclass=sa_pool.NullPool)

    def empty(self):
        """Drop every table, as if no schema was ever synced."""
        engine = self._engine()
        try:
            tables = sa.MetaData()
            tables.reflect(engine)
            tables.drop_all(engine)
        finally:
            engine.dispose()

    def sql(self, statement, **params):
        """The rows of ``statement`` (with :name ``params``), read over a
        connection of its own."""
        engine = self._engine()
        try:
            with engine.connect() as connection:
                return connection.execute(sa.text(statement), params).all()
        finally:
            engine.dispose()


class SQLite(Database):
    """A SQLite file in a directory of its own (the embedded default)."""

    name = 'SQLite'

    def __init__(self):
        self.directory = None

    @property
    def url(self):
        return 'sqlite:///' + os.path.join(self.directory, 'crashdump.sqlite')

    def start(self):
        self.directory = tempfile.mkdtemp(prefix='crashdump-sqlite-')
        return self

    def stop(self):
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)


class ServerDatabase(Database):
    """A database and its user on a database server the script runs."""

    #: The script under tools/realparts/distributed that runs the server.
    SCRIPT = None

    def __init__(self):
        suffix = uuid.uuid4().hex[:12]
        self.database = 'crashdump_%s' % suffix
        self.user = 'crashdump_%s' % suffix
        self.password = uuid.uuid4().hex
        self._created = False

    def start(self):
        """Install the server if needed and create the database; returns
        self. Raises BackendsUnusable."""
        need_root(self.name)
        script('install.sh')
        return self.create()

    def create(self):
        """Start the server (installed already) and create the database;
        returns self."""
        script(self.SCRIPT, 'start')
        self._created = True
        script(self.SCRIPT, 'db-create', self.database, self.user,
               self.password)
        return self

    def stop_steps(self):
        """The script steps that drop the database and stop the server."""
        steps = []
        if self._created:
            steps.append((self.SCRIPT, 'db-drop', self.database, self.user))
        return steps + [(self.SCRIPT, 'stop')]

    def stop(self):
        run_steps(self.stop_steps())


class PostgreSQL(ServerDatabase):
    """Debian 12's PostgreSQL 15 (postgresql.sh)."""

    name = 'PostgreSQL'
    SCRIPT = 'postgresql.sh'

    @property
    def url(self):
        return 'postgresql+psycopg://%s:%s@127.0.0.1:%d/%s' % (
            self.user, self.password, PG_PORT, self.database)


class MariaDB(ServerDatabase):
    """Debian 12's MariaDB 10.11 (mariadb.sh)."""

    name = 'MariaDB'
    SCRIPT = 'mariadb.sh'

    @property
    def url(self):
        return 'mysql+pymysql://%s:%s@127.0.0.1:%d/%s?charset=utf8mb4' % (
            self.user, self.password, MARIADB_PORT, self.database)


# -- the tests' base ------------------------------------------------------

def server_id(n):
    """The uuid of the tests' server ``n``."""
    return 'da000000-0000-4000-8000-%012d' % n


def record(n, name, **extra):
    """Server ``n`` as the agent of HOST reports it."""
    return test_db_api.record(server_id(n), name, host=HOST, **extra)


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


class DatabaseTestCase(testtools.TestCase):
    """A database of its own for the class (``DATABASE``, one of the
    classes above), configured as the services do (``[database]
    connection``); each test starts from an empty one, synced as by
    ``crashdump-manage db sync``."""

    DATABASE = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.database = cls.DATABASE()
        try:
            cls.database.start()
        except BaseException:
            cls.database.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.database.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.database.empty()
        self.db = self.useFixture(test_db_api.Database(
            migrate=False, connection=self.database.url))
        self.conf = self.db.conf
        self.context = self.db.context
        migration.upgrade(self.conf)

    def resync_from_empty(self, revision='head'):
        """Drop the schema setUp synced and sync to ``revision``."""
        db_api.reset()
        self.database.empty()
        migration.upgrade(self.conf, revision)

    def user_context(self, request_id):
        return crashdump_context.RequestContext(
            user_id='alice', project_id='demo', request_id=request_id)

    def event_rows(self, request_id):
        """(event, host, result) of the request's events, read apart
        from the layer under test."""
        return [tuple(row) for row in self.database.sql(
            'SELECT e.event, e.host, e.result FROM instance_actions_events e '
            'JOIN instance_actions a ON a.id = e.action_id '
            'WHERE a.request_id = :request_id ORDER BY e.id',
            request_id=request_id)]
