"""[api] options of the HTTP front of crashdump-all and crashdump-api.

They bound what one client can hold: the front reads a whole request
before a worker thread sees it, so these limits (not the worker count)
decide what slow, idle or oversized clients cost. Under another WSGI
server (gunicorn, uWSGI) that server's own limits apply instead.
"""
from oslo_config import cfg

from crashdump_server.conf import api

opts = [
    cfg.IntOpt('max_header_line', default=16384, min=256,
               help='Longest request line or header line accepted, in '
                    'bytes (Nova\'s [wsgi] max_header_line default). A '
                    'longer request line gets 414, a longer header line '
                    '431. Raise it when Keystone tokens with many roles '
                    'overflow it.'),
    cfg.IntOpt('max_header_count', default=100, min=1,
               help='Most header lines one request may carry; more get '
                    '431.'),
    cfg.IntOpt('max_header_size', default=65536, min=1024,
               help='Largest request line plus headers of one request, in '
                    'bytes; larger get 431. Each open connection may buffer '
                    'this much, so max_connections times this bounds the '
                    'memory slow clients can take.'),
    cfg.IntOpt('client_idle_timeout', default=60, min=1,
               help='Seconds a connection may stay open without sending '
                    'anything (between requests, or before its first) '
                    'before the server closes it.'),
    cfg.IntOpt('request_read_timeout', default=30, min=1,
               help='Seconds a client has to send a whole request (and, '
                    'with TLS, to finish the handshake) once it began; a '
                    'client that sends a byte now and then (slowloris) is '
                    'closed after this.'),
    cfg.IntOpt('max_connections', default=1000, min=10,
               help='Most client connections open at once; more wait in '
                    'the listen backlog. crashdump raises its open-file '
                    'limit to fit, within the hard limit (ulimit -Hn).'),
    cfg.StrOpt('ssl_cert_file',
               help='PEM file with the certificate (and its chain) that '
                    'crashdump-all and crashdump-api serve HTTPS with. Set '
                    'it together with ssl_key_file; without both they serve '
                    'plain HTTP. Under another WSGI server, configure TLS '
                    'there instead.'),
    cfg.StrOpt('ssl_key_file',
               help='PEM file with the private key of ssl_cert_file; keep it '
                    'readable by the crashdump user only.'),
]


def register_opts(conf):
    conf.register_group(api.group)
    conf.register_opts(opts, group=api.group)


def list_opts():
    return {api.group: opts}
