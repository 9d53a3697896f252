"""alembic environment: runs against the engine crashdump configured."""
from alembic import context

from crashdump_server.db import models


def run_migrations_online():
    engine = context.config.attributes['engine']
    with engine.connect() as connection:
        context.configure(connection=connection,
                          target_metadata=models.Base.metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
