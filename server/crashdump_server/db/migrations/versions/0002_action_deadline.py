"""Each crash dump request's deadline, for closing unanswered requests.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Requests recorded before this revision have none, and are left as
    # they are.
    op.add_column('instance_actions', sa.Column('deadline', sa.DateTime))
