"""Whether a service is up, judged from its heartbeats in the services table.

Each compute agent writes a heartbeat every ``[DEFAULT] report_interval``
seconds; a service whose last one is older than ``[DEFAULT]
service_down_time`` is considered down, as Nova's database service group
driver (``servicegroup/drivers/db.py``) judges it.
"""
from oslo_utils import timeutils


class API:
    """Liveness of services for one process's configuration."""

    def __init__(self, conf):
        self._conf = conf

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
