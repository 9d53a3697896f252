"""crashdump-api: the API alone, talking to agents over ``transport_url``.

For production, prefer a WSGI server with ``crashdump_server.wsgi.api``;
this serves the same application with waitress (see cmd.serving), over
HTTPS when [api] ssl_cert_file and ssl_key_file are set.
"""
import sys

from crashdump_server.api import deploy
from crashdump_server.cmd import serving
from crashdump_server.compute import unanswered
from crashdump_server.db import migration
from crashdump_server import rpc
from crashdump_server import service

PROGRAM = 'crashdump-api'


def _start(conf):
    deploy.check_auth_strategy(conf)
    service.check_policy_file(conf)
    migration.check_ready(conf)
    rpc.init(conf)
    application = deploy.deploy(conf)
    return serving.make_server(conf, application)


def main(argv=None):
    server, url = service.start(PROGRAM, argv, _start)
    closer = unanswered.UnansweredRequestCloser(service.CONF).start()
    print('crashdump API serving at %s/v2.1' % url, flush=True)
    serving.serve_until_stopped(server, closer.stop, rpc.cleanup)
    return 0


if __name__ == '__main__':
    sys.exit(main())
