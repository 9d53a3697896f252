"""Schema migrations with alembic: ``crashdump-manage db sync`` runs these."""
import logging
import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration

from crashdump_server.db import api as db_api

_SCRIPTS = os.path.join(os.path.dirname(__file__), 'migrations')


def _alembic_config(engine):
    config = alembic_config.Config()
    config.set_main_option('script_location', _SCRIPTS)
    config.attributes['engine'] = engine
    return config


def upgrade(conf, revision='head'):
    """Create or upgrade the configured database's schema to ``revision``."""
    # alembic narrates every step at INFO; the commands say what matters.
    logging.getLogger('alembic').setLevel(logging.WARNING)
    db_api.configure(conf)
    alembic_command.upgrade(_alembic_config(db_api.get_engine()), revision)


def current_revision(conf):
    """The database's schema revision, or None before the first sync."""
    db_api.configure(conf)
    with db_api.get_engine().connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()
