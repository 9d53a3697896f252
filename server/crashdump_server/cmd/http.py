"""Serve the API application over HTTP with cheroot's threaded server."""
import signal

import cheroot.wsgi

from crashdump_server import exception


def make_server(conf, application):
    """A prepared (bound, not yet serving) server; returns (server, url).

    Raises ConfigError when the address cannot be listened on (port in
    use, address not on this host, no permission).
    """
    server = cheroot.wsgi.Server(
        (conf.api.host, conf.api.port), application,
        numthreads=conf.api.workers, request_queue_size=128,
        server_name='crashdump')
    try:
        server.prepare()
    except OSError as exc:
        raise exception.ConfigError(
            reason='cannot listen on %s port %s: %s; choose another '
                   '[api] host or port' % (conf.api.host, conf.api.port,
                                           exc))
    host, port = server.bind_addr[:2]
    if ':' in host:
        host = '[%s]' % host
    return server, 'http://%s:%d' % (host, port)


def interrupt(*_signal_args):
    """SIGTERM handler: leave serve() as Ctrl-C would, then clean up."""
    raise KeyboardInterrupt()


def serve_until_stopped(server, *cleanups):
    """Serve until SIGTERM or Ctrl-C, then stop the server and run each
    cleanup (in order)."""
    signal.signal(signal.SIGTERM, interrupt)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for cleanup in cleanups:
            cleanup()
