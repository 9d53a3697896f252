"""Schema migrations with alembic: ``crashdump-manage db sync`` runs these."""
import contextlib
import logging
import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from crashdump_server.db import api as db_api
from crashdump_server import exception

_SCRIPTS = os.path.join(os.path.dirname(__file__), 'migrations')


def _alembic_config(engine):
    config = alembic_config.Config()
    config.set_main_option('script_location', _SCRIPTS)
    config.attributes['engine'] = engine
    return config


# The extra of crashdump-server that brings each database's driver.
# The extra of crashdump-server that brings each database's driver, and
# the URL scheme that driver serves.
_EXTRAS = {'postgresql': ('postgresql', 'postgresql+psycopg'),
           'mysql': ('mysql', 'mysql+pymysql'),
           'mariadb': ('mysql', 'mysql+pymysql')}


def _shown_url(conf):
    try:
        url = sa.engine.make_url(db_api.database_url(conf))
    except sa_exc.ArgumentError:
        return '(unparsable URL)'
    return url.render_as_string(hide_password=True)


@contextlib.contextmanager
def _database_errors(conf):
    # An unreachable, unwritable or corrupt database is the operator's to
    # fix: say which one (without its password) and why, not a traceback.
    try:
        yield
    except (ImportError, sa_exc.NoSuchModuleError) as exc:
        backend = db_api.database_url(conf).split(':')[0].split('+')[0]
        extra = _EXTRAS.get(backend)
        hint = ('install crashdump-server[%s] and use a %s:// URL' % extra
                if extra else 'install its SQLAlchemy driver')
        raise exception.ConfigError(
            reason='cannot use the database %s: its driver is not '
                   'installed (%s); %s, or check [database] connection' % (
                       _shown_url(conf), exc, hint))
    except (sa_exc.DBAPIError, sa_exc.ArgumentError, OSError) as exc:
        # DBAPIError: unreachable, read-only, or not a database at all
        # (a corrupt or truncated SQLite file).
        raise exception.ConfigError(
            reason='cannot use the database %s: %s; check [database] '
                   'connection and [DEFAULT] state_path (move a damaged '
                   'SQLite file away and restore it from a backup)' % (
                       _shown_url(conf), getattr(exc, 'orig', None) or exc))


def upgrade(conf, revision='head'):
    """Create or upgrade the configured database's schema to ``revision``.

    Raises ConfigError when the database cannot be reached or written.
    """
    # alembic narrates every step at INFO; the commands say what matters.
    logging.getLogger('alembic').setLevel(logging.WARNING)
    with _database_errors(conf):
        db_api.configure(conf)
        alembic_command.upgrade(_alembic_config(db_api.get_engine()),
                                revision)
        _check_writable()


def _check_writable():
    # An upgrade that had nothing to do wrote nothing: a read-only
    # database would otherwise fail only at the agent's first heartbeat.
    with db_api.get_engine().begin() as connection:
        connection.execute(sa.text(
            'UPDATE alembic_version SET version_num = version_num'))


def check_ready(conf):
    """For processes that do not sync the schema (crashdump-api,
    crashdump-compute, the WSGI application): the database is reachable,
    writable and has a schema. Raises ConfigError saying what to do."""
    with _database_errors(conf):
        db_api.configure(conf)
        with db_api.get_engine().connect() as connection:
            revision = alembic_migration.MigrationContext.configure(
                connection).get_current_revision()
        if revision is None:
            raise exception.ConfigError(
                reason='the database %s has no schema; run crashdump-manage '
                       'db sync first' % _shown_url(conf))
        _check_writable()


def current_revision(conf):
    """The database's schema revision, or None before the first sync.

    Raises ConfigError when the database cannot be reached.
    """
    with _database_errors(conf):
        db_api.configure(conf)
        with db_api.get_engine().connect() as connection:
            return alembic_migration.MigrationContext.configure(
                connection).get_current_revision()
