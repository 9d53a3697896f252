"""An action's event is recorded once: unique (action_id, event).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# Deleted per statement, so no statement's IN list grows long.
_CHUNK = 500


def upgrade():
    # Before this revision two transactions could both record an action's
    # event (on PostgreSQL, the API closing an overdue request while an
    # agent took it up): keep the first one recorded of each, or the index
    # cannot be built. A plain SELECT, then DELETE by id: MySQL refuses a
    # DELETE whose subquery reads the table it deletes from.
    events = sa.table('instance_actions_events', sa.column('id'),
                      sa.column('action_id'), sa.column('event'))
    earlier = events.alias('earlier')
    connection = op.get_bind()
    later = connection.execute(
        sa.select(events.c.id).where(sa.exists().where(
            earlier.c.action_id == events.c.action_id,
            earlier.c.event == events.c.event,
            earlier.c.id < events.c.id))).scalars().all()
    for start in range(0, len(later), _CHUNK):
        connection.execute(events.delete().where(
            events.c.id.in_(later[start:start + _CHUNK])))
    op.create_index('uniq_instance_actions_events0action_id0event',
                    'instance_actions_events', ['action_id', 'event'],
                    unique=True)
