"""Database queries: every read and write of the tables goes through here.

Each function opens its own transaction (through
:mod:`crashdump_server.db.engine`) and returns rows that stay usable after
it closes. Writes on the hot path (action and event records) are single
Core statements (:func:`crashdump_server.db.engine.core_write`).

The layer knows nothing of HTTP: a missing row raises the NotFound the API
answers with, and a query the database refuses raises
:class:`crashdump_server.exception.InvalidRegularExpression` for the API's
validation to word.
"""
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy import orm

from crashdump_server.db import engine
from crashdump_server.db import errors
from crashdump_server.db import models
from crashdump_server import exception

# The process's set-up, named here too for the service's commands and
# migrations, which know the database as db.api.
register_opts = engine.register_opts
database_url = engine.database_url
configure = engine.configure
reset = engine.reset
get_engine = engine.get_engine


# The hot path's statements, built once: a crash dump request runs each of
# them once, and building SQLAlchemy constructs per call costs more than
# SQLite takes to run them.
_NOW = sa.bindparam('now', type_=sa.DateTime)
_ACTION_ID = ('SELECT id FROM instance_actions '
              'WHERE instance_uuid = :instance_uuid '
              'AND request_id = :request_id')
_ACTION_INSERT = sa.text(
    'INSERT INTO instance_actions (action, instance_uuid, request_id, '
    'user_id, project_id, start_time, created_at, deadline) VALUES '
    '(:action, :instance_uuid, :request_id, :user_id, :project_id, :now, '
    ':now, :deadline)'
).bindparams(_NOW, sa.bindparam('deadline', type_=sa.DateTime))
# Every write of an action's events updates the action's row first: the
# row lock orders them. A writer that inserted or updated an event first
# would hold a lock on the action's row for the event's foreign key
# (MySQL) and then wait, like its competitor, to update that row: a
# deadlock.
_ACTION_TOUCH = sa.text(
    'UPDATE instance_actions SET updated_at = :now, '
    'message = COALESCE(:message, message) '
    'WHERE instance_uuid = :instance_uuid AND request_id = :request_id'
).bindparams(_NOW, sa.bindparam('message', type_=sa.String))
# An event is recorded once per action: an agent that gets a request the
# API already closed (compute.api.API.close_unanswered_requests) inserts
# nothing. The writers of an action's events take turns at the action's
# row (_ACTION_TOUCH); the unique index on (action_id, event) refuses a
# duplicate from a writer that did not (one of an older release inserts
# first), and event_start says EventAlreadyRecorded for it too.
_EVENT_START = sa.text(
    'INSERT INTO instance_actions_events (action_id, event, start_time, '
    'host, created_at) SELECT id, :event, :now, :host, :now '
    'FROM instance_actions WHERE instance_uuid = :instance_uuid '
    'AND request_id = :request_id AND NOT EXISTS (SELECT 1 FROM '
    'instance_actions_events WHERE action_id = instance_actions.id '
    'AND event = :event)').bindparams(
        # Typed, so PostgreSQL reads both uses of :event as one type.
        _NOW, sa.bindparam('event', type_=sa.String))
_EVENT_FINISH = sa.text(
    'UPDATE instance_actions_events SET finish_time = :now, '
    'updated_at = :now, result = :result, traceback = :traceback, '
    'details = :details WHERE action_id = (' + _ACTION_ID + ') '
    'AND event = :event AND finish_time IS NULL').bindparams(
        _NOW, sa.bindparam('traceback', type_=sa.Text),
        sa.bindparam('details', type_=sa.Text))
# A server or service read for a request is a plain row with the model's
# attribute names (``metadata_`` too): the ORM's identity map and instance
# state cost more than the query, and nothing writes through these rows.
_INSTANCE = sa.select(*(
    attribute.columns[0].label(attribute.key)
    for attribute in sa.inspect(models.Instance).column_attrs)).where(
        models.Instance.uuid == sa.bindparam('uuid'))
_LIVE_INSTANCE = _INSTANCE.where(models.Instance.deleted_at.is_(None))
# A driver's record names columns; the model's attribute for the column
# ``metadata`` is ``metadata_`` (SQLAlchemy's models own ``metadata``).
_INSTANCE_ATTRIBUTES = {
    attribute.columns[0].name: attribute.key
    for attribute in sa.inspect(models.Instance).column_attrs}
_SERVICES = sa.select(models.Service)


# Servers ------------------------------------------------------------------

def instance_get(uuid, read_deleted=False):
    """The server row with this uuid; raises InstanceNotFound."""
    query = _INSTANCE if read_deleted else _LIVE_INSTANCE
    with engine.connect() as connection:
        instance = connection.execute(query, {'uuid': uuid}).first()
    if instance is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    return instance


def _newest_first_page(session, query, model, limit, marker,
                       marker_clause):
    """``query`` ordered newest first (created_at, id) and cut to the page
    after the row ``marker_clause`` finds; raises MarkerNotFound when it
    finds none."""
    if marker is not None:
        anchor = session.execute(sa.select(model.created_at, model.id)
                                 .where(marker_clause)).first()
        if anchor is None:
            raise exception.MarkerNotFound(marker=marker)
        query = query.where(sa.or_(
            model.created_at < anchor.created_at,
            sa.and_(model.created_at == anchor.created_at,
                    model.id < anchor.id)))
    query = query.order_by(model.created_at.desc(), model.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return query


def instance_get_all(project_id=None, name=None, limit=None,
                     marker=None, filters=None):
    """Servers newest first (created_at, id descending), one page.

    ``project_id`` None means every project. ``name`` is a regular
    expression, as Nova treats it. ``filters`` maps column names to a
    value to match exactly, or to a collection of accepted values.
    ``marker`` is the uuid of the last server of the previous page; raises
    MarkerNotFound when it is not one of ours, InvalidRegularExpression
    when the database refuses ``name``.
    """
    Instance = models.Instance
    with engine.reader() as session:
        query = sa.select(Instance).where(Instance.deleted_at.is_(None))
        if project_id is not None:
            query = query.where(Instance.project_id == project_id)
        if name:
            query = query.where(Instance.display_name.regexp_match(name))
        for column, value in (filters or {}).items():
            if isinstance(value, (list, tuple, set)):
                query = query.where(getattr(Instance, column).in_(value))
            else:
                query = query.where(getattr(Instance, column) == value)
        query = _newest_first_page(session, query, Instance, limit, marker,
                                   Instance.uuid == marker)
        try:
            return list(session.scalars(query))
        except (sa_exc.OperationalError, sa_exc.DataError) as exc:
            # The database rejects an invalid regular expression only when
            # the query runs; the API words the 400. Any other failure (a
            # lost connection) is not the caller's pattern's fault.
            if not (name and errors.refused_pattern(exc)):
                raise
            raise exception.InvalidRegularExpression(pattern=name,
                                                     reason=exc.orig)


def instance_sync(host, records):
    """Make the servers reported by ``host`` exactly ``records``.

    ``records`` are dicts of Instance columns with ``uuid``. New servers are
    added, known ones updated, and those the host no longer reports are
    marked deleted. Returns (added, updated, deleted) counts.
    """
    now = timeutils.utcnow()
    added = updated = deleted = 0
    with engine.writer() as session:
        existing = {i.uuid: i for i in session.scalars(
            sa.select(models.Instance).where(models.Instance.host == host))}
        for record in records:
            instance = existing.pop(record['uuid'], None)
            if instance is None:
                instance = session.scalars(sa.select(models.Instance).where(
                    models.Instance.uuid == record['uuid'])).first()
            if instance is None:
                instance = models.Instance(
                    created_at=record.get('created_at') or now)
                session.add(instance)
                added += 1
            else:
                updated += 1
                # A server is created once; later reports don't move it in
                # the newest-first order.
                record = dict(record)
                record.pop('created_at', None)
            for column, value in record.items():
                setattr(instance, _INSTANCE_ATTRIBUTES.get(column, column),
                        value)
            instance.deleted_at = None
            instance.updated_at = now
        for instance in existing.values():
            if instance.deleted_at is None:
                instance.deleted_at = now
                deleted += 1
    return added, updated, deleted


# Instance actions -----------------------------------------------------------

def action_start(context, instance_uuid, action, request_id,
                 deadline=None):
    """Record that a user asked for ``action``, to be taken up by
    ``deadline`` (a naive UTC datetime, or None); returns nothing."""
    values = {'action': action, 'instance_uuid': instance_uuid,
              'request_id': request_id, 'user_id': context.user_id,
              'project_id': context.project_id, 'now': timeutils.utcnow(),
              'deadline': deadline}
    engine.core_write(lambda connection: connection.execute(_ACTION_INSERT,
                                                            values))


def action_get_by_request_id(instance_uuid, request_id):
    """The action with its events; raises InstanceActionNotFound."""
    with engine.reader() as session:
        # One SELECT for the action and its events: two would let the agent
        # commit between them, showing a finished event beside an action
        # whose message is not yet updated.
        row = session.scalars(
            sa.select(models.InstanceAction)
            .options(orm.joinedload(models.InstanceAction.events))
            .where(models.InstanceAction.instance_uuid == instance_uuid,
                   models.InstanceAction.request_id == request_id)
        ).unique().first()
    if row is None:
        raise exception.InstanceActionNotFound(
            request_id=request_id, instance_uuid=instance_uuid)
    return row


def actions_get(instance_uuid, limit=None, marker=None,
                changes_since=None, changes_before=None):
    """A server's actions, newest first, one page.

    ``marker`` is the request id of the last action of the previous page;
    raises MarkerNotFound when the server has no such action.
    ``changes_since``/``changes_before`` compare with updated_at (or
    created_at for actions never updated), as Nova does.
    """
    Action = models.InstanceAction
    with engine.reader() as session:
        query = sa.select(Action).where(Action.instance_uuid == instance_uuid)
        changed = sa.func.coalesce(Action.updated_at, Action.created_at)
        if changes_since is not None:
            query = query.where(changed >= changes_since)
        if changes_before is not None:
            query = query.where(changed <= changes_before)
        query = _newest_first_page(
            session, query, Action, limit, marker,
            sa.and_(Action.instance_uuid == instance_uuid,
                    Action.request_id == marker))
        return list(session.scalars(query))


def requests_after(action, after_id, limit):
    """Up to ``limit`` ``action`` requests recorded after the one with id
    ``after_id``, oldest first, with what became of them: rows of id,
    instance_uuid, request_id, deadline, the server's host, and the
    start_time and finish_time of its event (None without one).

    Walks the primary key, so one call costs the same however many
    requests the table holds.
    """
    Action, Event = models.InstanceAction, models.InstanceActionEvent
    query = (sa.select(Action.id, Action.instance_uuid, Action.request_id,
                       Action.deadline, models.Instance.host,
                       Event.start_time, Event.finish_time)
             .outerjoin(models.Instance,
                        models.Instance.uuid == Action.instance_uuid)
             .outerjoin(Event, Event.action_id == Action.id)
             .where(Action.id > after_id, Action.action == action)
             .order_by(Action.id)
             .limit(limit))
    with engine.connect() as connection:
        return list(connection.execute(query))


def unfinished_events(host, event):
    """``event`` events that the agent of ``host`` started and never
    finished: rows of instance_uuid, request_id and start_time."""
    Action, Event = models.InstanceAction, models.InstanceActionEvent
    query = (sa.select(Action.instance_uuid, Action.request_id,
                       Event.start_time)
             .join(Action, Action.id == Event.action_id)
             .where(Event.host == host, Event.event == event,
                    Event.finish_time.is_(None))
             .order_by(Event.id))
    with engine.connect() as connection:
        return list(connection.execute(query))


def _start_event(connection, keys, event, host, now):
    # The action's row first, for every writer of its events (see
    # _ACTION_TOUCH): a second writer waits here for the first to commit,
    # then finds the event recorded. A refusal rolls the update back
    # (engine.core_write).
    touched = connection.execute(_ACTION_TOUCH, dict(keys, now=now,
                                                     message=None))
    if touched.rowcount != 1:
        raise exception.InstanceActionNotFound(
            request_id=keys['request_id'],
            instance_uuid=keys['instance_uuid'])
    inserted = connection.execute(_EVENT_START, dict(
        keys, event=event, host=host, now=now))
    if inserted.rowcount != 1:
        raise exception.EventAlreadyRecorded(event=event,
                                             request_id=keys['request_id'])


def _finish_event(connection, keys, event, now, result, traceback,
                  details):
    # The action's row first (see _ACTION_TOUCH); a refusal rolls the
    # update back (engine.core_write).
    message = 'Error' if result.lower() == 'error' else None
    connection.execute(_ACTION_TOUCH, dict(keys, now=now, message=message))
    updated = connection.execute(_EVENT_FINISH, dict(
        keys, event=event, now=now, result=result, traceback=traceback,
        details=details))
    if updated.rowcount == 0:
        raise exception.NotFound('Event %s of action %s not found' % (
            event, keys['request_id']))


def _write_event(work, event, request_id):
    """engine.core_write(work), where the unique index's refusal of a
    concurrent writer's duplicate means EventAlreadyRecorded."""
    try:
        engine.core_write(work)
    except sa_exc.IntegrityError as exc:
        # The transaction is rolled back: PostgreSQL takes no further
        # query in it, and none is needed.
        if not errors.duplicate_entry(exc):
            raise
        raise exception.EventAlreadyRecorded(event=event,
                                             request_id=request_id)


def event_start(instance_uuid, request_id, event, host):
    """Record the start of an agent-side event of an action.

    Raises InstanceActionNotFound when no such action was recorded, and
    EventAlreadyRecorded when the action has this event already, or when
    another transaction records it at the same time.
    """
    now = timeutils.utcnow()
    keys = {'instance_uuid': instance_uuid, 'request_id': request_id}
    _write_event(lambda connection: _start_event(connection, keys, event,
                                                 host, now),
                 event, request_id)


def event_record(instance_uuid, request_id, event, host, result,
                 details=None):
    """Record an event started and ended at once, in one transaction
    (the API closing a request that no agent took up): nothing shows it
    started and unfinished meanwhile. Raises as event_start does."""
    now = timeutils.utcnow()
    keys = {'instance_uuid': instance_uuid, 'request_id': request_id}

    def record(connection):
        _start_event(connection, keys, event, host, now)
        _finish_event(connection, keys, event, now, result, None, details)
    _write_event(record, event, request_id)


def event_finish(instance_uuid, request_id, event, result,
                 traceback=None, details=None):
    """Record how an event ended; an Error marks its action's message.

    Raises NotFound when the event was never started.
    """
    now = timeutils.utcnow()
    keys = {'instance_uuid': instance_uuid, 'request_id': request_id}
    engine.core_write(lambda connection: _finish_event(
        connection, keys, event, now, result, traceback, details))


# Services -------------------------------------------------------------------

def service_heartbeat(host, binary, topic, rpc_version):
    """Create or refresh a service's row; returns nothing."""
    now = timeutils.utcnow()
    with engine.writer() as session:
        row = session.scalars(sa.select(models.Service).where(
            models.Service.host == host,
            models.Service.binary == binary)).first()
        if row is None:
            row = models.Service(host=host, binary=binary, created_at=now,
                                 report_count=0)
            session.add(row)
        row.topic = topic
        row.rpc_version = rpc_version
        row.report_count += 1
        row.updated_at = now


def services_get(binary, hosts=None):
    """Every service row of ``binary``, or those on ``hosts``: plain rows
    with the model's attribute names (read-only)."""
    query = _SERVICES.where(models.Service.binary == binary)
    if hosts is not None:
        query = query.where(models.Service.host.in_(hosts))
    with engine.connect() as connection:
        return list(connection.execute(query))
