"""crashdump-compute: one compute agent, for one host or conductor group."""
import signal
import sys
import threading

from crashdump_server.compute import service as compute_service
from crashdump_server.db import migration
from crashdump_server import rpc
from crashdump_server import service

PROGRAM = 'crashdump-compute'


def _start(conf):
    migration.check_ready(conf)
    rpc.init(conf)
    agent = compute_service.ComputeService(conf)
    agent.start()
    return agent


def main(argv=None):
    agent = service.start(PROGRAM, argv, _start)
    conf = service.CONF
    print('crashdump compute agent %s running (driver %s)'
          % (conf.host, conf.compute_driver), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    agent.stop()
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
