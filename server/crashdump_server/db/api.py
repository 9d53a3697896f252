"""Database queries: every read and write of the tables goes through here.

Callers pass a RequestContext; the transaction lives as long as the
``with`` block of the function that opens it (oslo.db's enginefacade).
"""
import contextlib
import os
import threading

from oslo_db import options as db_options
from oslo_db.sqlalchemy import enginefacade
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from crashdump_server import exception
from crashdump_server.db import models

_CTX = enginefacade.transaction_context()
_CONFIGURED = False
# SQLite in WAL mode fails a transaction that read and then wants to write
# after another writer committed (SQLITE_BUSY_SNAPSHOT, which busy_timeout
# does not wait out). The embedded mode is one process, so its writers take
# turns here instead; other databases need no such lock.
_SQLITE_WRITE_LOCK = threading.Lock()
_SERIALIZE_WRITES = False


def register_opts(conf):
    """Register oslo.db's [database] options with an embedded-mode default."""
    db_options.set_defaults(conf, connection=None)


def database_url(conf):
    """The SQLAlchemy URL: [database] connection, else SQLite in state_path."""
    if conf.database.connection:
        return conf.database.connection
    return 'sqlite:///' + os.path.join(conf.state_path, 'crashdump.sqlite')


def configure(conf):
    """Point the transaction factory at the configured database, once."""
    global _CONFIGURED, _SERIALIZE_WRITES
    if _CONFIGURED:
        return
    url = database_url(conf)
    _SERIALIZE_WRITES = url.startswith('sqlite')
    if url.startswith('sqlite:///'):
        os.makedirs(os.path.dirname(os.path.abspath(url[10:])) or '.',
                    exist_ok=True)
    _CTX.configure(connection=url, sqlite_fk=True)
    _CONFIGURED = True
    if url.startswith('sqlite'):
        engine = _CTX.writer.get_engine()
        # WAL lets the API read while the agent writes, and commits faster.
        sa.event.listen(engine, 'connect', _sqlite_pragmas)


def _sqlite_pragmas(dbapi_conn, _record):
    cursor = dbapi_conn.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.execute('PRAGMA busy_timeout=10000')
    cursor.close()


@contextlib.contextmanager
def _writer(context):
    """A write transaction; on SQLite, one at a time in this process."""
    if not _SERIALIZE_WRITES:
        with _CTX.writer.using(context) as session:
            yield session
        return
    with _SQLITE_WRITE_LOCK:
        with _CTX.writer.using(context) as session:
            yield session


def get_engine():
    return _CTX.writer.get_engine()


def reset():
    """Forget the configured database (tests that use several)."""
    global _CTX, _CONFIGURED
    _CTX = enginefacade.transaction_context()
    _CONFIGURED = False


# Servers ------------------------------------------------------------------

def instance_get(context, uuid, read_deleted=False):
    """The server row with this uuid; raises InstanceNotFound."""
    with _CTX.reader.using(context) as session:
        query = sa.select(models.Instance).where(models.Instance.uuid == uuid)
        if not read_deleted:
            query = query.where(models.Instance.deleted_at.is_(None))
        instance = session.scalars(query).first()
    if instance is None:
        raise exception.InstanceNotFound(instance_id=uuid)
    return instance


def instance_get_all(context, project_id=None, name=None, limit=None,
                     marker=None, filters=None):
    """Servers newest first (created_at, id descending), one page.

    ``project_id`` None means every project. ``name`` is a regular
    expression, as Nova treats it. ``filters`` maps column names to a
    value to match exactly, or to a collection of accepted values.
    ``marker`` is the uuid of the last server of the previous page; raises
    MarkerNotFound when it is not one of ours.
    """
    Instance = models.Instance
    with _CTX.reader.using(context) as session:
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
        if marker is not None:
            anchor = session.execute(
                sa.select(Instance.created_at, Instance.id)
                .where(Instance.uuid == marker)).first()
            if anchor is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(sa.or_(
                Instance.created_at < anchor.created_at,
                sa.and_(Instance.created_at == anchor.created_at,
                        Instance.id < anchor.id)))
        query = query.order_by(Instance.created_at.desc(), Instance.id.desc())
        if limit is not None:
            query = query.limit(limit)
        try:
            return list(session.scalars(query))
        except sa_exc.OperationalError as exc:
            # SQLite and PostgreSQL reject an invalid regular expression
            # only when the query runs.
            raise exception.ValidationError(
                detail='Invalid regular expression for name: %s' % exc.orig)


def instance_sync(context, host, records):
    """Make the servers reported by ``host`` exactly ``records``.

    ``records`` are dicts of Instance columns with ``uuid``. New servers are
    added, known ones updated, and those the host no longer reports are
    marked deleted. Returns (added, updated, deleted) counts.
    """
    now = timeutils.utcnow()
    added = updated = deleted = 0
    with _writer(context) as session:
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
                setattr(instance, column, value)
            instance.deleted_at = None
            instance.updated_at = now
        for instance in existing.values():
            if instance.deleted_at is None:
                instance.deleted_at = now
                deleted += 1
    return added, updated, deleted


# Instance actions -----------------------------------------------------------

def action_start(context, instance_uuid, action, request_id):
    """Record that a user asked for ``action``; returns the action row."""
    now = timeutils.utcnow()
    row = models.InstanceAction(
        action=action, instance_uuid=instance_uuid, request_id=request_id,
        user_id=context.user_id, project_id=context.project_id,
        start_time=now, created_at=now)
    with _writer(context) as session:
        session.add(row)
    return row


def action_get_by_request_id(context, instance_uuid, request_id):
    """The action with its events; raises InstanceActionNotFound."""
    with _CTX.reader.using(context) as session:
        row = session.scalars(sa.select(models.InstanceAction).where(
            models.InstanceAction.instance_uuid == instance_uuid,
            models.InstanceAction.request_id == request_id)).first()
    if row is None:
        raise exception.InstanceActionNotFound(
            request_id=request_id, instance_uuid=instance_uuid)
    return row


def actions_get(context, instance_uuid, limit=None, marker=None,
                changes_since=None, changes_before=None):
    """A server's actions, newest first, one page.

    ``marker`` is the request id of the last action of the previous page;
    raises MarkerNotFound when the server has no such action.
    ``changes_since``/``changes_before`` compare with updated_at (or
    created_at for actions never updated), as Nova does.
    """
    Action = models.InstanceAction
    with _CTX.reader.using(context) as session:
        query = sa.select(Action).where(Action.instance_uuid == instance_uuid)
        changed = sa.func.coalesce(Action.updated_at, Action.created_at)
        if changes_since is not None:
            query = query.where(changed >= changes_since)
        if changes_before is not None:
            query = query.where(changed <= changes_before)
        if marker is not None:
            anchor = session.execute(
                sa.select(Action.created_at, Action.id).where(
                    Action.instance_uuid == instance_uuid,
                    Action.request_id == marker)).first()
            if anchor is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(sa.or_(
                Action.created_at < anchor.created_at,
                sa.and_(Action.created_at == anchor.created_at,
                        Action.id < anchor.id)))
        query = query.order_by(Action.created_at.desc(), Action.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return list(session.scalars(query))


def event_start(context, instance_uuid, request_id, event, host):
    """Record the start of an agent-side event of an action."""
    now = timeutils.utcnow()
    with _writer(context) as session:
        action = _action_for_update(session, instance_uuid, request_id)
        session.add(models.InstanceActionEvent(
            action_id=action.id, event=event, start_time=now, host=host,
            created_at=now))
        action.updated_at = now


def event_finish(context, instance_uuid, request_id, event, result,
                 traceback=None, details=None):
    """Record how an event ended; an Error marks its action's message."""
    now = timeutils.utcnow()
    with _writer(context) as session:
        action = _action_for_update(session, instance_uuid, request_id)
        row = session.scalars(sa.select(models.InstanceActionEvent).where(
            models.InstanceActionEvent.action_id == action.id,
            models.InstanceActionEvent.event == event)
            .order_by(models.InstanceActionEvent.id.desc())).first()
        if row is None:
            raise exception.NotFound(
                'Event %s of action %s not found' % (event, request_id))
        row.finish_time = now
        row.updated_at = now
        row.result = result
        row.traceback = traceback
        row.details = details
        action.updated_at = now
        if result.lower() == 'error':
            action.message = 'Error'


def _action_for_update(session, instance_uuid, request_id):
    action = session.scalars(sa.select(models.InstanceAction).where(
        models.InstanceAction.instance_uuid == instance_uuid,
        models.InstanceAction.request_id == request_id)).first()
    if action is None:
        raise exception.InstanceActionNotFound(
            request_id=request_id, instance_uuid=instance_uuid)
    return action


# Services -------------------------------------------------------------------

def service_heartbeat(context, host, binary, topic, rpc_version):
    """Create or refresh a service's row; returns nothing."""
    now = timeutils.utcnow()
    with _writer(context) as session:
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


def services_get(context, binary, hosts=None):
    """Every service row of ``binary``, or those on ``hosts``."""
    with _CTX.reader.using(context) as session:
        query = sa.select(models.Service).where(
            models.Service.binary == binary)
        if hosts is not None:
            query = query.where(models.Service.host.in_(hosts))
        return list(session.scalars(query))
