"""Host-side memory dumps.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'memory_dumps',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False, unique=True),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(255)),
        sa.Column('user_id', sa.String(255)),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('request_id', sa.String(255), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('format', sa.String(32), nullable=False),
        sa.Column('file_name', sa.String(255), nullable=False),
        sa.Column('size', sa.BigInteger),
        sa.Column('sha256', sa.String(64)),
        sa.Column('progress', sa.Integer, nullable=False),
        sa.Column('error', sa.Text),
        sa.Column('trigger_after', sa.Boolean, nullable=False),
        sa.Column('trigger_result', sa.Text),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('finished_at', sa.DateTime),
    )
    op.create_index('memory_dumps_instance_uuid_idx', 'memory_dumps',
                    ['instance_uuid'])
    op.create_index('memory_dumps_host_idx', 'memory_dumps', ['host'])
