"""HTTPS for crashdump-all and crashdump-api: a TLS front before waitress.

waitress speaks no TLS. An asyncio event loop in its own thread accepts
the clients' TLS connections, completes each handshake within [api]
request_read_timeout, and relays the decrypted bytes to a waitress
server on an ephemeral loopback port. Like waitress, the loop holds a
slow or idle client as a socket and a small buffer, never a worker
thread, and waitress applies every HTTP limit and timeout as it does
without TLS; when waitress closes a connection, the front closes the
client's. The application still sees the client's address and https.
"""
import asyncio
from asyncio import sslproto
import socket
import ssl
import threading

from oslo_log import log as logging

from crashdump_server.cmd import http
from crashdump_server import exception

LOG = logging.getLogger(__name__)

_RELAY_CHUNK = 16384
# asyncio gives each TLS connection a 256 KiB read buffer up front (Python
# 3.11, 3.12), so 250 slow clients would hold 64 MB. One TLS record is at
# most 16 KiB: a buffer of that size reads every record whole.
sslproto.SSLProtocol.max_size = 16384


def ssl_context(conf):
    """The server's TLS context from [api] ssl_cert_file and ssl_key_file.

    Raises ConfigError naming the file and what to fix.
    """
    cert, key = conf.api.ssl_cert_file, conf.api.ssl_key_file
    if not (cert and key):
        raise exception.ConfigError(
            reason='[api] ssl_cert_file and ssl_key_file go together: set '
                   'both to serve HTTPS, or neither to serve HTTP')
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except OSError as exc:
        # FileNotFoundError, PermissionError, and ssl.SSLError for a file
        # that is not a PEM certificate or a key that does not match.
        raise exception.ConfigError(
            reason='cannot serve HTTPS with [api] ssl_cert_file %s and '
                   'ssl_key_file %s: %s; give a readable PEM certificate '
                   'and its private key' % (cert, key,
                                            exc.strerror or exc))
    return context


class PeerAddress:
    """WSGI middleware: the TLS client's address instead of the relay's."""

    def __init__(self, application, peers):
        self.application = application
        self.peers = peers

    def __call__(self, environ, start_response):
        peer = self.peers.get(environ.get('REMOTE_PORT'))
        if peer is not None:
            environ['REMOTE_ADDR'], environ['REMOTE_PORT'] = peer
        return self.application(environ, start_response)


class TLSServer:
    """The TLS front and its waitress backend: run(), then close()."""

    def __init__(self, conf, context, listener, application):
        self.context = context
        self.listener = listener
        self.peers = {}
        self.limit = http.connection_limit(conf)
        self.handshake_timeout = conf.api.request_read_timeout
        self.backend = http.make_waitress(
            conf, PeerAddress(application, self.peers), '127.0.0.1', 0,
            url_scheme='https')
        self.backend_address = ('127.0.0.1',
                                int(self.backend.effective_port))
        self.open = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run_loop, daemon=True,
                                       name='crashdump-tls')

    def _run_loop(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(
            self._relay, sock=self.listener, ssl=self.context,
            ssl_handshake_timeout=self.handshake_timeout, backlog=1024))
        self.loop.run_forever()

    async def _relay(self, client_reader, client_writer):
        if self.open >= self.limit:
            client_writer.transport.abort()
            return
        self.open += 1
        key = None
        try:
            backend_reader, backend_writer = await asyncio.open_connection(
                *self.backend_address)
            # Measured: without it, a response written as two TLS records
            # waited for the client's delayed ACK (40 ms) one time in ten.
            for writer in (client_writer, backend_writer):
                writer.get_extra_info('socket').setsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            key = str(backend_writer.get_extra_info('sockname')[1])
            peer = client_writer.get_extra_info('peername')
            self.peers[key] = (peer[0], str(peer[1]))
            await asyncio.gather(_pipe(client_reader, backend_writer),
                                 _pipe(backend_reader, client_writer))
        except OSError as exc:
            LOG.warning('TLS connection not relayed to the API: %s', exc)
            client_writer.transport.abort()
        finally:
            self.open -= 1
            self.peers.pop(key, None)

    def run(self):
        """Serve until KeyboardInterrupt (SIGTERM, see cmd.http)."""
        self.thread.start()
        self.backend.run()

    def close(self):
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
        self.listener.close()
        self.backend.close()


async def _pipe(reader, writer):
    """Copy until either side ends, then close the writer (which ends the
    copy the other way)."""
    try:
        while True:
            data = await reader.read(_RELAY_CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (OSError, ssl.SSLError):
        pass
    finally:
        writer.close()


def make_server(conf, application):
    """A bound HTTPS server, not yet serving; returns (server, url).

    Raises ConfigError for an unusable certificate or address.
    """
    context = ssl_context(conf)
    host, port = conf.api.host, conf.api.port
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.create_server((host, port), family=family,
                                        backlog=1024, reuse_port=False)
    except OSError as exc:
        raise exception.ConfigError(
            reason='cannot listen on %s port %s: %s; choose another '
                   '[api] host or port' % (host, port, exc.strerror or exc))
    try:
        server = TLSServer(conf, context, listener, application)
    except exception.ConfigError:
        listener.close()
        raise
    bound_host, bound_port = listener.getsockname()[:2]
    return server, http.format_url('https', bound_host, bound_port)
