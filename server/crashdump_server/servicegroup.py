"""Whether a service is up, judged from its heartbeats in the services table.

Each compute agent writes a heartbeat every ``[DEFAULT] report_interval``
seconds; a service whose last one is older than ``[DEFAULT]
service_down_time`` is considered down, as Nova's database service group
driver (``servicegroup/drivers/db.py``) judges it.
"""
from oslo_utils import timeutils

from crashdump_server.db import api as db_api


class API:
    """Liveness of services for one process's configuration."""

    def __init__(self, conf):
        self._conf = conf
        # (binary, host) -> the services row last read while it was up
        # (single dict operations, safe between threads).
        self._seen_up = {}

    def service_is_up(self, service, now=None):
        """True when ``service`` (a services row) beat within
        ``service_down_time`` seconds of ``now`` (default: the current UTC
        time, naive as the database stores it).

        A row never updated counts from its creation. The comparison is
        symmetric, so clocks a little ahead on the agent's host still count
        as up.
        """
        heartbeat = service.updated_at or service.created_at
        now = now or timeutils.utcnow()
        elapsed = (now - heartbeat).total_seconds()
        return abs(elapsed) <= self._conf.service_down_time

    def host_service(self, binary, host):
        """``(row, is_up)`` for the ``binary`` service of ``host``; row is
        None when no such service ever ran.

        A heartbeat only moves forward (it is the agent's clock; one
        jumping ahead by more than ``service_down_time`` is the exception),
        so while the row last read would still be judged up, a fresh read
        could only say up too: that row answers without a query (the
        trigger path asks this per request). A row judged down is read
        again every time.
        """
        key = (binary, host)
        row = self._seen_up.get(key)
        if row is not None and self.service_is_up(row):
            return row, True
        rows = db_api.services_get(binary, hosts=[host])
        if not rows:
            return None, False
        row = rows[0]
        is_up = self.service_is_up(row)
        if is_up:
            self._seen_up[key] = row
        else:
            self._seen_up.pop(key, None)
        return row, is_up
