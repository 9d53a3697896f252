"""The HTTP server: waitress with crashdump's limits (cmd.serving picks it
or the TLS front of cmd.tls).

waitress reads each request whole (request line, headers and body) in
one event loop before a worker thread sees it, so idle, slow and
oversized clients cost a socket and a bounded buffer, never a worker.
On top of waitress this module adds what it lacks: limits on header
lines and their count, a deadline for a whole request (slowloris), and
Nova error bodies for the answers the server gives itself.
"""
import logging as std_logging
import resource
import time
import uuid

from oslo_log import log as logging
from waitress import adjustments
from waitress import channel as waitress_channel
from waitress import parser as waitress_parser
from waitress import server as waitress_server
from waitress import task as waitress_task
from waitress import utilities

from crashdump_server.api import fault
from crashdump_server import exception

LOG = logging.getLogger(__name__)

# Descriptors beside client connections: database, messaging, logs.
_SPARE_FILES = 64


class RequestURITooLong(utilities.BadRequest):
    code = 414
    reason = 'Request-URI Too Long'


class RequestParser(waitress_parser.HTTPRequestParser):
    """waitress's parser plus Nova's line and count limits on headers."""

    limit_error = None

    def parse_header(self, header_plus):
        lines = [line.rstrip(b'\r') for line in header_plus.split(b'\n')]
        limits = self.adj.crashdump_limits
        if len(lines[0]) > limits['line']:
            self.limit_error = RequestURITooLong(
                'the request line is longer than %d bytes' % limits['line'])
        elif len(lines) - 1 > limits['count']:
            self.limit_error = utilities.RequestHeaderFieldsTooLarge(
                'more than %d header lines' % limits['count'])
        elif any(len(line) > limits['line'] for line in lines[1:]):
            self.limit_error = utilities.RequestHeaderFieldsTooLarge(
                'a header line is longer than %d bytes' % limits['line'])
        if self.limit_error is not None:
            raise waitress_parser.ParsingError(self.limit_error.body)
        super().parse_header(header_plus)

    def received(self, data):
        consumed = super().received(data)
        if self.limit_error is not None:
            self.error = self.limit_error
        return consumed


class NovaErrorTask(waitress_task.ErrorTask):
    """The server's own refusals (bad request line, headers, body framing)
    in the Nova error format, with a request id like every API answer."""

    def execute(self):
        error = self.request.error
        request_id = 'req-%s' % uuid.uuid4()
        if isinstance(error, utilities.RequestEntityTooLarge):
            # The words of Nova's (oslo.middleware's) body size limit.
            message = ('Request is too large. Larger than [api] '
                       'max_request_body_size (%d bytes).'
                       % (self.channel.server.adj.max_request_body_size - 1))
        else:
            message = '%s: %s' % (error.reason, error.body)
        response = fault.error_response(error.code, message)
        self.status = '%d %s' % (error.code, error.reason)
        self.response_headers.extend([
            ('Content-Type', response.content_type + '; charset=utf-8'),
            ('x-openstack-request-id', request_id),
            ('x-compute-request-id', request_id)])
        LOG.info('%s refused by the HTTP front: %d %s: %s (%s)',
                 self.channel.addr[0] if self.channel.addr else '-',
                 error.code, error.reason, error.body, request_id)
        self.set_close_on_finish()
        self.content_length = len(response.body)
        self.write(response.body)


class Channel(waitress_channel.HTTPChannel):
    """One client connection; remembers when its current request began."""

    error_task_class = NovaErrorTask
    parser_class = RequestParser
    request_started = None

    def received(self, data):
        if self.request is None and data:
            self.request_started = time.time()
        return super().received(data)


class Server(waitress_server.TcpWSGIServer):
    """waitress's TCP server; its maintenance also ends slow requests."""

    channel_class = Channel

    def maintenance(self, now):
        super().maintenance(now)
        cutoff = now - self.adj.crashdump_limits['read_timeout']
        for channel in list(self.active_channels.values()):
            if (channel.request is not None and not channel.requests
                    and channel.request_started is not None
                    and channel.request_started < cutoff):
                # Half a request after the deadline: a slowloris client.
                channel.will_close = True


def _raise_file_limit(wanted):
    """Raise the soft open-file limit towards ``wanted``; returns the
    limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(
            wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def connection_limit(conf):
    """The connections the front keeps open at once: [api]
    max_connections, within the open-file limit (raised to fit)."""
    wanted = conf.api.max_connections
    soft = _raise_file_limit(wanted * 2 + _SPARE_FILES)
    # The TLS front holds two descriptors per connection.
    limit = min(wanted, (soft - _SPARE_FILES) // 2)
    if limit < wanted:
        LOG.warning('[api] max_connections = %d exceeds what the open-file '
                    'limit (%d) allows; serving at most %d connections. '
                    'Raise the limit (ulimit -Hn, LimitNOFILE=) to serve '
                    'more.', wanted, soft, limit)
    return max(limit, 1)


def make_waitress(conf, application, host, port, url_scheme='http'):
    """A bound waitress server on (host, port) with the [api] limits.

    Raises ConfigError when the address cannot be listened on.
    """
    adj = adjustments.Adjustments(
        host=host, port=port, threads=conf.api.workers,
        connection_limit=connection_limit(conf),
        channel_timeout=conf.api.client_idle_timeout,
        # Maintenance enforces both timeouts; once a second keeps them
        # close to what the operator set.
        cleanup_interval=1,
        max_request_header_size=conf.api.max_header_size,
        # waitress refuses a body of this size or more; the API's limit
        # is inclusive.
        max_request_body_size=conf.api.max_request_body_size + 1,
        url_scheme=url_scheme, ident='crashdump', asyncore_use_poll=True,
        clear_untrusted_proxy_headers=False, expose_tracebacks=False)
    adj.crashdump_limits = {'line': conf.api.max_header_line,
                            'count': conf.api.max_header_count,
                            'read_timeout': conf.api.request_read_timeout}
    # waitress warns whenever a request waits for a worker thread; under
    # load that is every request, and the request log has the times.
    std_logging.getLogger('waitress.queue').setLevel(std_logging.ERROR)
    dispatcher = waitress_server.ThreadedTaskDispatcher()
    try:
        server = Server(application, map={}, dispatcher=dispatcher, adj=adj,
                        sockinfo=adj.listen[0])
    except OSError as exc:
        dispatcher.shutdown(timeout=1)
        raise exception.ConfigError(
            reason='cannot listen on %s port %s: %s; choose another '
                   '[api] host or port' % (host, port, exc.strerror or exc))
    # Threads only once the address is ours: a refused start leaves none.
    dispatcher.set_thread_count(conf.api.workers)
    return server


def format_url(scheme, host, port):
    if ':' in host:
        host = '[%s]' % host
    return '%s://%s:%d' % (scheme, host, int(port))
