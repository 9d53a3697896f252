"""The process's database: its engine, connections and transactions.

:mod:`crashdump_server.db.api` runs every query through the context
managers here; nothing else opens a connection.

Why not oslo.db's enginefacade (which Placement uses): the embedded mode's
hot path needs a pool of open SQLite connections (enginefacade opens the
SQLite file per transaction, and every open checkpoints the WAL) and
single Core statements without a session (see db.api). The options stay
oslo.db's ([database] connection, max_pool_size, ...).
"""
import contextlib
import os
import threading

from oslo_db import options as db_options
import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy import pool as sa_pool


_ENGINE = None
_SESSION = None
# SQLite in WAL mode fails a transaction that read and then wants to write
# after another writer committed (SQLITE_BUSY_SNAPSHOT, which busy_timeout
# does not wait out). The embedded mode is one process, so its writers take
# turns here instead; other databases need no such lock.
_SQLITE_WRITE_LOCK = threading.Lock()
_SERIALIZE_WRITES = False


#: The connections a process keeps open to PostgreSQL or MySQL
#: (``[database] max_pool_size``; oslo.db's default is 5): as many as its
#: threads can use at once, 16 for the API (``[api] workers``, the sample
#: gunicorn configuration's threads) and 8 executor threads and the
#: periodic tasks for an agent. With 5, a connection past the fifth was
#: closed as soon as it was returned and opened again for the next
#: request: tools/bench/bench_auth.py saw 148 new PostgreSQL sessions in
#: 600 requests at concurrency 16, and PostgreSQL's CPU per request
#: half as much again as with the pool kept open.
POOL_SIZE = 16


def register_opts(conf):
    """Register oslo.db's [database] options with crashdump's defaults:
    no connection (the embedded SQLite file) and POOL_SIZE."""
    db_options.set_defaults(conf, connection=None, max_pool_size=POOL_SIZE)


def database_url(conf):
    """The SQLAlchemy URL: [database] connection, else SQLite in state_path."""
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(conf.state_path, 'crashdump.sqlite')


def _create_engine(conf, url):
    if url.startswith('sqlite'):
        if url.startswith('sqlite:///'):
            os.makedirs(os.path.dirname(os.path.abspath(url[10:])) or '.',
                        exist_ok=True)
        # A pool of open connections: opening a SQLite file per
        # transaction (what oslo.db does) checkpoints the WAL every time.
        engine = sa.create_engine(
            url, poolclass=sa_pool.QueuePool, pool_size=8, max_overflow=24,
            connect_args={'check_same_thread': False, 'timeout': 10})
        sa.event.listen(engine, 'connect', _sqlite_pragmas)
        return engine
    database = conf.database
    options = {}
    if sa.engine.make_url(url).get_backend_name() in ('mysql', 'mariadb'):
        # PostgreSQL's default level, for which db.api's writes are made.
        # Under MySQL's REPEATABLE READ the SELECT of an INSERT ... SELECT
        # (db.api.event_start) locks the gaps it reads in the events'
        # index, and agents recording the events of different requests at
        # the same time deadlock on them and on the table's AUTO-INC lock:
        # MariaDB 10.11 failed most of 16 such writers with error 1467.
        options['isolation_level'] = 'READ COMMITTED'
    return sa.create_engine(
        url, pool_pre_ping=True,
        # 0: no limit, as oslo.db documents it.
        pool_size=(POOL_SIZE if database.max_pool_size is None
                   else database.max_pool_size),
        max_overflow=database.max_overflow or 10,
        pool_timeout=database.pool_timeout or 30,
        pool_recycle=database.connection_recycle_time, **options)


def _sqlite_pragmas(dbapi_conn, _record):
    cursor = dbapi_conn.cursor()
    # WAL lets the API read while the agent writes; NORMAL syncs at
    # checkpoints, not at every commit.
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.close()


def configure(conf):
    """Connect to the configured database, once per process."""
    global _ENGINE, _SESSION, _SERIALIZE_WRITES
    if _ENGINE is not None:
        return
    url = database_url(conf)
    _ENGINE = _create_engine(conf, url)
    _SESSION = orm.sessionmaker(_ENGINE, expire_on_commit=False)
    _SERIALIZE_WRITES = url.startswith('sqlite')


@contextlib.contextmanager
def reader():
    """An ORM session for reads; rows stay usable after it closes."""
    with _SESSION() as session:
        yield session


def connect():
    """A Core connection for reads (no ORM): ``with connect() as c:``."""
    return _ENGINE.connect()


def _write_turn():
    # See _SQLITE_WRITE_LOCK.
    return (_SQLITE_WRITE_LOCK if _SERIALIZE_WRITES
            else contextlib.nullcontext())


@contextlib.contextmanager
def writer():
    """An ORM write transaction; on SQLite, one at a time in this process."""
    with _write_turn(), _SESSION.begin() as session:
        yield session


def core_write(work):
    """Run ``work(connection)`` in a write transaction of its own (on
    SQLite, in the same turns as :func:`writer`); returns its result once
    committed, or raises what it raised (nothing of it committed).

    Committing many writes together was measured twice and removed
    (tools/bench/bench_trigger.py at concurrency 16, alternated with one
    transaction per write):

    * a writer thread committing for the others: 215-227 against 280-286
      triggers/s, p99 189-213 against 103-113 ms, about 1.2 ms more CPU
      per trigger (the hand-over to that thread and back);
    * group commit by the writer whose turn it was: the same CPU per
      trigger within noise, and waking each waiting writer once its write
      was committed doubled p99 (184-212 against 90-112 ms).
    """
    with _write_turn(), _ENGINE.begin() as connection:
        return work(connection)


def get_engine():
    return _ENGINE


def reset():
    """Forget the configured database (tests that use several)."""
    global _ENGINE, _SESSION
    if _ENGINE is not None:
        _ENGINE.dispose()
    _ENGINE = _SESSION = None
