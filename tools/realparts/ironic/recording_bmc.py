"""A minimal IPMI BMC (pyghmi) that records every NMI it is asked for.

``ipmitool ... chassis power diag`` makes it append one JSON line to the
NMI log; power commands flip an in-memory power state so Ironic's power
sync and validation work. Nothing else is emulated.

Usage: recording_bmc.py --port 6230 --nmi-log /tmp/nmis.log
       [--address 127.0.0.1] [--username admin] [--password password]
       [--pid-file FILE]
Runs in the foreground until SIGTERM.
"""
import argparse
import datetime
import json
import os
import signal
import sys

import pyghmi.ipmi.bmc as bmc

POWER_ON = 'on'
POWER_OFF = 'off'


class RecordingBmc(bmc.Bmc):
    """Answers IPMI over LAN (v2.0) for one pretend machine."""

    def __init__(self, authdata, port, address, nmi_log):
        super().__init__(authdata, port=port, address=address)
        self.nmi_log = nmi_log
        self.power = POWER_ON
        self.boot_device = 'default'

    def pulse_diag(self):
        # Append and flush before answering, so a test that saw the
        # command succeed also sees the line.
        with open(self.nmi_log, 'a') as log:
            log.write(json.dumps({
                'at': datetime.datetime.now(datetime.timezone.utc)
                .isoformat(),
                'port': self.port, 'power': self.power}) + '\n')
            log.flush()
            os.fsync(log.fileno())
        return 0

    def get_power_state(self):
        return self.power

    def power_on(self):
        self.power = POWER_ON

    def power_off(self):
        self.power = POWER_OFF

    def power_shutdown(self):
        self.power = POWER_OFF

    def power_reset(self):
        return 0

    def power_cycle(self):
        self.power = POWER_ON

    def get_boot_device(self):
        return self.boot_device

    def set_boot_device(self, bootdevice):
        self.boot_device = bootdevice


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--address', default='127.0.0.1')
    parser.add_argument('--username', default='admin')
    parser.add_argument('--password', default='password')
    parser.add_argument('--nmi-log', required=True)
    parser.add_argument('--pid-file')
    args = parser.parse_args(argv)
    server = RecordingBmc({args.username: args.password}, args.port,
                          args.address, args.nmi_log)
    if args.pid_file:
        with open(args.pid_file, 'w') as pid_file:
            pid_file.write('%d\n' % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print('recording BMC listening on %s:%d' % (args.address, args.port),
          flush=True)
    # listen() with timeout None would spin without reading: keep a timeout.
    server.listen(timeout=30)


if __name__ == '__main__':
    main()
