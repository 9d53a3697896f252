"""Serve the API application until stopped: over HTTP with waitress
(cmd.http), or over HTTPS through the TLS front (cmd.tls) when [api]
ssl_cert_file and ssl_key_file are set.
"""
import signal

from crashdump_server.cmd import http
from crashdump_server.cmd import tls


def make_server(conf, application):
    """A bound server, not yet serving; returns (server, url).

    Raises ConfigError when the address cannot be listened on or the
    certificate cannot be used.
    """
    if conf.api.ssl_cert_file or conf.api.ssl_key_file:
        return tls.make_server(conf, application)
    server = http.make_waitress(conf, application, conf.api.host,
                                conf.api.port)
    return server, http.format_url('http', server.effective_host,
                                   server.effective_port)


def interrupt(*_signal_args):
    """SIGTERM handler: leave serve() as Ctrl-C would, then clean up."""
    raise KeyboardInterrupt()


def serve_until_stopped(server, *cleanups):
    """Serve until SIGTERM or Ctrl-C, then stop the server and run each
    cleanup (in order)."""
    signal.signal(signal.SIGTERM, interrupt)
    try:
        # waitress leaves run() on KeyboardInterrupt, its workers stopped.
        server.run()
    finally:
        server.close()
        for cleanup in cleanups:
            cleanup()
