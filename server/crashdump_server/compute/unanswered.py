"""The API service's watch for crash dump requests no agent took up.

A request whose message was lost (a broker restart) or waits for an agent
that never comes back would otherwise stay without an outcome, and
``--wait`` would end in a timeout. This thread closes such requests with
an Error event once their deadline plus ``[DEFAULT]
unanswered_request_grace`` has passed (see
:meth:`crashdump_server.compute.api.API.close_unanswered_requests`).
"""
from oslo_log import log as logging

from crashdump_server.compute import api as compute_api
from crashdump_server import context as crashdump_context
from crashdump_server import periodic

LOG = logging.getLogger(__name__)

#: The longest pause between two looks, whatever the grace.
MAX_INTERVAL = 30


class UnansweredRequestCloser:
    """start() it beside the API; stop() when the service stops."""

    def __init__(self, conf):
        self.interval = min(MAX_INTERVAL, conf.unanswered_request_grace)
        self._compute_api = compute_api.API(conf)
        self._periodics = periodic.Periodics(
            'crashdump-unanswered',
            [(self.interval, self._close)])

    def start(self):
        self._periodics.start()
        return self

    def stop(self):
        self._periodics.stop()

    def _close(self):
        context = crashdump_context.get_admin_context()
        try:
            closed = self._compute_api.close_unanswered_requests(context)
        except Exception:
            # A database hiccup: the next look tries again.
            LOG.exception('Looking for unanswered crash dump requests '
                          'failed')
            return
        if closed:
            LOG.warning('Closed %d crash dump request(s) that no compute '
                        'agent took up by their deadline', closed)
