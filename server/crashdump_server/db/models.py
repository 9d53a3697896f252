"""The tables: servers (``instances``), their actions and events, services.

Column names follow Nova's where Nova has the concept, so a reader who knows
Nova's schema knows this one.
"""
import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    pass


class Instance(Base):
    """A server some compute agent's driver reported."""
    __tablename__ = 'instances'
    __table_args__ = (
        sa.Index('instances_project_id_idx', 'project_id'),
        sa.Index('instances_host_idx', 'host'),
        sa.Index('instances_display_name_idx', 'display_name'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False, unique=True)
    display_name = sa.Column(sa.String(255), nullable=False)
    hostname = sa.Column(sa.String(255))
    description = sa.Column(sa.Text)
    project_id = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255))
    vm_state = sa.Column(sa.String(255), nullable=False)
    task_state = sa.Column(sa.String(255))
    power_state = sa.Column(sa.Integer, nullable=False, default=0)
    host = sa.Column(sa.String(255))
    node = sa.Column(sa.String(255))
    availability_zone = sa.Column(sa.String(255))
    locked = sa.Column(sa.Boolean, nullable=False, default=False)
    locked_by = sa.Column(sa.String(255))
    locked_reason = sa.Column(sa.String(255))
    key_name = sa.Column(sa.String(255))
    image_ref = sa.Column(sa.String(255))
    # Flavor, metadata, tags, addresses and the like are not crashdump's
    # business, but the server representation carries them, so the driver
    # may report them; they are stored as the driver gives them.
    flavor = sa.Column(sa.JSON)
    metadata_ = sa.Column('metadata', sa.JSON)
    tags = sa.Column(sa.JSON)
    addresses = sa.Column(sa.JSON)
    # What the driver needs to find the guest again (console log path,
    # Ironic node uuid, the fake driver's outcome).
    driver_info = sa.Column(sa.JSON)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime)
    launched_at = sa.Column(sa.DateTime)
    # Set when the driver stops reporting the server; its actions stay
    # readable (microversion 2.21) and are never deleted.
    deleted_at = sa.Column(sa.DateTime)


class InstanceAction(Base):
    """One user request on a server, keyed by its request id."""
    __tablename__ = 'instance_actions'
    __table_args__ = (
        sa.Index('instance_uuid_idx', 'instance_uuid'),
        sa.Index('request_id_idx', 'request_id'),
        sa.UniqueConstraint('instance_uuid', 'request_id',
                            name='uniq_instance_actions0uuid0request_id'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    action = sa.Column(sa.String(255), nullable=False)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    request_id = sa.Column(sa.String(255), nullable=False)
    user_id = sa.Column(sa.String(255))
    project_id = sa.Column(sa.String(255))
    start_time = sa.Column(sa.DateTime, nullable=False)
    finish_time = sa.Column(sa.DateTime)
    message = sa.Column(sa.String(255))
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime)
    # When an agent stops taking the request up (crashdump's own column:
    # requests without an event past it get closed, see
    # compute.api.API.close_unanswered_requests).
    deadline = sa.Column(sa.DateTime)

    # Loaded only where an action is shown with its events.
    events = orm.relationship('InstanceActionEvent', lazy='raise',
                              order_by='InstanceActionEvent.id.desc()')


class InstanceActionEvent(Base):
    """One step of an action, recorded by the compute agent."""
    __tablename__ = 'instance_actions_events'
    __table_args__ = (
        sa.Index('instance_actions_events_action_id_idx', 'action_id'),
        # Once per action: concurrent writers (the API closing a request,
        # the agent taking it up) cannot both record it (db.api).
        sa.Index('uniq_instance_actions_events0action_id0event',
                 'action_id', 'event', unique=True),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    action_id = sa.Column(sa.Integer, sa.ForeignKey('instance_actions.id'),
                          nullable=False)
    event = sa.Column(sa.String(255), nullable=False)
    start_time = sa.Column(sa.DateTime, nullable=False)
    finish_time = sa.Column(sa.DateTime)
    result = sa.Column(sa.String(255))
    traceback = sa.Column(sa.Text)
    host = sa.Column(sa.String(255))
    details = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime)


class Service(Base):
    """A running compute agent, with its heartbeat and RPC version."""
    __tablename__ = 'services'
    __table_args__ = (
        sa.UniqueConstraint('host', 'binary',
                            name='uniq_services0host0binary'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    host = sa.Column(sa.String(255), nullable=False)
    binary = sa.Column(sa.String(255), nullable=False)
    topic = sa.Column(sa.String(255), nullable=False)
    rpc_version = sa.Column(sa.String(16), nullable=False)
    report_count = sa.Column(sa.Integer, nullable=False, default=0)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime)


class MemoryDump(Base):
    """A host-side memory dump of a server (crashdump's own resource).

    ``file_name`` is relative to ``[memory_dump] directory``, which may be
    mounted at different paths on the agent's and the API's hosts.
    """
    __tablename__ = 'memory_dumps'
    __table_args__ = (
        sa.Index('memory_dumps_instance_uuid_idx', 'instance_uuid'),
        sa.Index('memory_dumps_host_idx', 'host'),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(sa.String(36), nullable=False, unique=True)
    instance_uuid = sa.Column(sa.String(36), nullable=False)
    project_id = sa.Column(sa.String(255))
    user_id = sa.Column(sa.String(255))
    host = sa.Column(sa.String(255), nullable=False)
    # The instance action (memory_dump) that created it.
    request_id = sa.Column(sa.String(255), nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    format = sa.Column(sa.String(32), nullable=False)
    file_name = sa.Column(sa.String(255), nullable=False)
    size = sa.Column(sa.BigInteger)
    sha256 = sa.Column(sa.String(64))
    progress = sa.Column(sa.Integer, nullable=False, default=0)
    error = sa.Column(sa.Text)
    # Whether an NMI follows the dump, and how that went ("Success", or
    # the error's details).
    trigger_after = sa.Column(sa.Boolean, nullable=False, default=False)
    trigger_result = sa.Column(sa.Text)
    created_at = sa.Column(sa.DateTime, nullable=False)
    updated_at = sa.Column(sa.DateTime)
    finished_at = sa.Column(sa.DateTime)
