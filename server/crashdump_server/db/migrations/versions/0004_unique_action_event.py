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
    # agent took it up), or the index cannot be built: keep one of each
    # pair, the one that says an NMI was sent if any (a Success), else the
    # first recorded. Read, then DELETE by id: MySQL refuses a DELETE whose
    # subquery reads the table it deletes from.
    events = sa.table('instance_actions_events', sa.column('id'),
                      sa.column('action_id'), sa.column('event'),
                      sa.column('result'))
    doubled = (sa.select(events.c.action_id, events.c.event)
               .group_by(events.c.action_id, events.c.event)
               .having(sa.func.count() > 1).subquery())
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.action_id, events.c.event,
                  events.c.result)
        .join(doubled, sa.and_(doubled.c.action_id == events.c.action_id,
                               doubled.c.event == events.c.event))
        .order_by(events.c.id)).all()
    kept = {}
    for row in rows:
        key = (row.action_id, row.event)
        if key not in kept or (row.result == 'Success'
                               and kept[key].result != 'Success'):
            kept[key] = row
    keep_ids = {row.id for row in kept.values()}
    removed = [row.id for row in rows if row.id not in keep_ids]
    for start in range(0, len(removed), _CHUNK):
        connection.execute(events.delete().where(
            events.c.id.in_(removed[start:start + _CHUNK])))
    op.create_index('uniq_instance_actions_events0action_id0event',
                    'instance_actions_events', ['action_id', 'event'],
                    unique=True)
