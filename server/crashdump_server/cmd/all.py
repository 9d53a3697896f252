"""crashdump-all: the API and one compute agent in one process.

The embedded mode: SQLite under ``[DEFAULT] state_path`` (unless
``[database] connection`` says otherwise), in-process messaging (unless
``transport_url`` says otherwise). Syncs the schema on start and prints
the URL it serves. A configuration it cannot serve ends it within
seconds, with one sentence, before it holds the port.
"""
import sys

from crashdump_server.api import deploy
from crashdump_server.cmd import serving
from crashdump_server.compute import service as compute_service
from crashdump_server.compute import unanswered
from crashdump_server.db import migration
from crashdump_server import rpc
from crashdump_server import service

PROGRAM = 'crashdump-all'
DESCRIPTION = (
    'Run the crashdump compute API and one compute agent in one process '
    '(the embedded mode) and print the URL it serves. Without '
    '--config-file it reads crashdump.conf (and crashdump-all.conf) from '
    'the first of ~/.crashdump/, ~/, /etc/crashdump/ and /etc/ that holds '
    'it; usually /etc/crashdump/crashdump.conf.')


def _start(conf):
    """Check, bind and start everything; returns (server, url, agent)."""
    # Refuse a bad configuration before touching the database.
    deploy.check_auth_strategy(conf)
    service.check_policy_file(conf)
    migration.upgrade(conf)
    rpc.init(conf)
    # Loads the driver, which checks its own configuration.
    agent = compute_service.ComputeService(conf)
    application = deploy.deploy(conf)
    server, url = serving.make_server(conf, application)
    try:
        agent.start()
    except BaseException:
        server.close()
        raise
    return server, url, agent


def main(argv=None):
    server, url, agent = service.start(PROGRAM, argv, _start,
                                       description=DESCRIPTION)
    conf = service.CONF
    closer = unanswered.UnansweredRequestCloser(conf).start()
    print('crashdump API serving at %s/v2.1 (compute agent %s, driver %s)'
          % (url, conf.host, conf.compute_driver), flush=True)
    serving.serve_until_stopped(server, closer.stop, agent.stop, rpc.cleanup)
    return 0


if __name__ == '__main__':
    sys.exit(main())
