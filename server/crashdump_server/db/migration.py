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


@contextlib.contextmanager
def _database_errors(conf):
    # An unreachable or unwritable database is the operator's to fix: say
    # which one (without its password) and why, not a traceback.
    try:
        yield
    except (sa_exc.OperationalError, sa_exc.ArgumentError, OSError) as exc:
        url = sa.engine.make_url(db_api.database_url(conf))
        raise exception.ConfigError(
            reason='cannot use the database %s: %s; check [database] '
                   'connection and [DEFAULT] state_path' % (
                       url.render_as_string(hide_password=True),
                       getattr(exc, 'orig', None) or exc))


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


def current_revision(conf):
    """The database's schema revision, or None before the first sync.

    Raises ConfigError when the database cannot be reached.
    """
    with _database_errors(conf):
        db_api.configure(conf)
        with db_api.get_engine().connect() as connection:
            return alembic_migration.MigrationContext.configure(
                connection).get_current_revision()
