"""crashdump-api: the API alone, talking to agents over ``transport_url``.

For production, prefer a WSGI server with ``crashdump_server.wsgi.api``;
this serves the same application with cheroot.
"""
import sys

from crashdump_server.api import deploy
from crashdump_server.cmd import http
from crashdump_server.compute import unanswered
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import rpc
from crashdump_server import service


def main(argv=None):
    conf = service.prepare_service(argv)
    db_api.configure(conf)
    rpc.init(conf)
    try:
        application = deploy.deploy(conf)
        server, url = http.make_server(conf, application)
    except exception.ConfigError as exc:
        sys.exit('crashdump-api: %s' % exc)
    closer = unanswered.UnansweredRequestCloser(conf).start()
    print('crashdump API serving at %s/v2.1' % url, flush=True)
    http.serve_until_stopped(server, closer.stop, rpc.cleanup)
    return 0


if __name__ == '__main__':
    sys.exit(main())
