"""crashdump-all: the API and one compute agent in one process.

The embedded mode: SQLite under ``[DEFAULT] state_path`` (unless
``[database] connection`` says otherwise), in-process messaging (unless
``transport_url`` says otherwise). Syncs the schema on start and prints
the URL it serves.
"""
import sys

from oslo_log import log as logging

from crashdump_server.api import deploy
from crashdump_server.cmd import http
from crashdump_server.compute import service as compute_service
from crashdump_server.compute import unanswered
from crashdump_server.db import migration
from crashdump_server import exception
from crashdump_server import rpc
from crashdump_server import service

LOG = logging.getLogger(__name__)

DESCRIPTION = (
    'Run the crashdump compute API and one compute agent in one process '
    '(the embedded mode) and print the URL it serves. Without '
    '--config-file it reads crashdump.conf (and crashdump-all.conf) from '
    'the first of ~/.crashdump/, ~/, /etc/crashdump/ and /etc/ that holds '
    'it; usually /etc/crashdump/crashdump.conf.')


def main(argv=None):
    conf = service.prepare_service(argv, description=DESCRIPTION)
    try:
        # Refuse a bad configuration before touching the database.
        deploy.check_auth_strategy(conf)
        migration.upgrade(conf)
        rpc.init(conf)
        application = deploy.deploy(conf)
        server, url = http.make_server(conf, application)
        agent = compute_service.ComputeService(conf)
        agent.start()
    except exception.ConfigError as exc:
        sys.exit('crashdump-all: %s' % exc)
    closer = unanswered.UnansweredRequestCloser(conf).start()
    print('crashdump API serving at %s/v2.1 (compute agent %s, driver %s)'
          % (url, conf.host, conf.compute_driver), flush=True)
    http.serve_until_stopped(server, closer.stop, agent.stop, rpc.cleanup)
    return 0


if __name__ == '__main__':
    sys.exit(main())
