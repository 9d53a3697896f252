"""Initial schema: instances, instance actions and events, services.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'instances',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False, unique=True),
        sa.Column('display_name', sa.String(255), nullable=False),
        sa.Column('hostname', sa.String(255)),
        sa.Column('description', sa.Text),
        sa.Column('project_id', sa.String(255)),
        sa.Column('user_id', sa.String(255)),
        sa.Column('vm_state', sa.String(255), nullable=False),
        sa.Column('task_state', sa.String(255)),
        sa.Column('power_state', sa.Integer, nullable=False),
        sa.Column('host', sa.String(255)),
        sa.Column('node', sa.String(255)),
        sa.Column('availability_zone', sa.String(255)),
        sa.Column('locked', sa.Boolean, nullable=False),
        sa.Column('locked_by', sa.String(255)),
        sa.Column('locked_reason', sa.String(255)),
        sa.Column('key_name', sa.String(255)),
        sa.Column('image_ref', sa.String(255)),
        sa.Column('flavor', sa.JSON),
        sa.Column('metadata', sa.JSON),
        sa.Column('tags', sa.JSON),
        sa.Column('addresses', sa.JSON),
        sa.Column('driver_info', sa.JSON),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('launched_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
    )
    op.create_index('instances_project_id_idx', 'instances', ['project_id'])
    op.create_index('instances_host_idx', 'instances', ['host'])
    op.create_index('instances_display_name_idx', 'instances',
                    ['display_name'])
    op.create_table(
        'instance_actions',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('action', sa.String(255), nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('request_id', sa.String(255), nullable=False),
        sa.Column('user_id', sa.String(255)),
        sa.Column('project_id', sa.String(255)),
        sa.Column('start_time', sa.DateTime, nullable=False),
        sa.Column('finish_time', sa.DateTime),
        sa.Column('message', sa.String(255)),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.UniqueConstraint('instance_uuid', 'request_id',
                            name='uniq_instance_actions0uuid0request_id'),
    )
    op.create_index('instance_uuid_idx', 'instance_actions',
                    ['instance_uuid'])
    op.create_index('request_id_idx', 'instance_actions', ['request_id'])
    op.create_table(
        'instance_actions_events',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('action_id', sa.Integer,
                  sa.ForeignKey('instance_actions.id'), nullable=False),
        sa.Column('event', sa.String(255), nullable=False),
        sa.Column('start_time', sa.DateTime, nullable=False),
        sa.Column('finish_time', sa.DateTime),
        sa.Column('result', sa.String(255)),
        sa.Column('traceback', sa.Text),
        sa.Column('host', sa.String(255)),
        sa.Column('details', sa.Text),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
    )
    op.create_index('instance_actions_events_action_id_idx',
                    'instance_actions_events', ['action_id'])
    op.create_table(
        'services',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('host', sa.String(255), nullable=False),
        sa.Column('binary', sa.String(255), nullable=False),
        sa.Column('topic', sa.String(255), nullable=False),
        sa.Column('rpc_version', sa.String(16), nullable=False),
        sa.Column('report_count', sa.Integer, nullable=False),
        sa.Column('created_at', sa.DateTime, nullable=False),
        sa.Column('updated_at', sa.DateTime),
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_services0host0binary'),
    )
