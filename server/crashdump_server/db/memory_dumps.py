"""Database queries of the memory_dumps table (see models.MemoryDump).

Kept beside db.api, on the same engine and transactions (db.engine).
"""
from oslo_utils import timeutils
import sqlalchemy as sa

from crashdump_server.db import engine
from crashdump_server.db import models
from crashdump_server import exception

Dump = models.MemoryDump


def create(**values):
    """Record a new dump; returns its row."""
    now = timeutils.utcnow()
    values.setdefault('created_at', now)
    values.setdefault('progress', 0)
    row = Dump(**values)
    with engine.writer() as session:
        session.add(row)
    return row


def get(dump_id, instance_uuid=None):
    """The dump ``dump_id`` (of ``instance_uuid`` if given); raises
    MemoryDumpNotFound."""
    query = sa.select(Dump).where(Dump.uuid == dump_id)
    if instance_uuid is not None:
        query = query.where(Dump.instance_uuid == instance_uuid)
    with engine.reader() as session:
        row = session.scalars(query).first()
    if row is None:
        raise exception.MemoryDumpNotFound(dump_id=dump_id,
                                           instance_uuid=instance_uuid)
    return row


def get_all(instance_uuid=None, host=None, statuses=None):
    """Dumps of a server or of a host, newest first."""
    query = sa.select(Dump)
    if instance_uuid is not None:
        query = query.where(Dump.instance_uuid == instance_uuid)
    if host is not None:
        query = query.where(Dump.host == host)
    if statuses is not None:
        query = query.where(Dump.status.in_(statuses))
    query = query.order_by(Dump.created_at.desc(), Dump.id.desc())
    with engine.reader() as session:
        return list(session.scalars(query))


def count(host, status):
    """How many dumps of ``host`` have ``status``."""
    query = sa.select(sa.func.count()).select_from(Dump).where(
        Dump.host == host, Dump.status == status)
    with engine.reader() as session:
        return session.scalar(query)


def update(dump_id, **values):
    """Change a dump's columns; False when the dump is gone (deleted)."""
    values['updated_at'] = timeutils.utcnow()
    with engine.writer() as session:
        result = session.execute(
            sa.update(Dump).where(Dump.uuid == dump_id).values(**values))
    return result.rowcount == 1


def destroy(dump_id):
    """Forget a dump; False when it was gone already."""
    with engine.writer() as session:
        result = session.execute(sa.delete(Dump).where(Dump.uuid == dump_id))
    return result.rowcount == 1
