"""crashdump-compute: one compute agent, for one host or conductor group."""
import signal
import sys
import threading

from crashdump_server.compute import service as compute_service
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import rpc
from crashdump_server import service


def main(argv=None):
    conf = service.prepare_service(argv)
    db_api.configure(conf)
    rpc.init(conf)
    try:
        agent = compute_service.ComputeService(conf)
        agent.start()
    except exception.ConfigError as exc:
        sys.exit('crashdump-compute: %s' % exc)
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
