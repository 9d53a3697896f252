"""End to end: from ``nova trigger-crash`` starting to the guest's panic line.

Runs on the real libvirt/QEMU host of the functional tests (root; the
packages, guest and daemons come from tools/realparts/libvirt, and the
host's lock keeps a concurrent test run out of the way). Starts
``crashdump-all`` with the libvirt driver, its log at DEBUG with
microsecond epoch timestamps, and defines one guest. Each run boots the
guest afresh, then runs, as a user does::

    nova trigger-crash <guest> --wait --console-lines 5

and splits the time from the process start to the moment
"Kernel panic - not syncing: NMI" is complete in the guest's console log
(seen through inotify) into contiguous segments:

client start  process start -> the API receives the POST (the 202 log
              line's time minus the ``time:`` it reports)
API           receive -> 202 sent (the 202 log line)
RPC           202 -> the agent's manager starts (the event's start_time;
              in one process the cast can arrive before the 202 leaves,
              then this is negative)
agent         manager start -> injectNMI called ("Injecting an NMI into
              domain <uuid>" at DEBUG)
driver        -> injectNMI returned ("injectNMI returned for domain <uuid>")
guest         -> the panic line in the console log

The two injectNMI lines come from e2e_probe/sitecustomize.py, which the
bench puts on the server's PYTHONPATH only: it wraps libvirt's
``virDomain.injectNMI`` and changes no server code. With ``--no-probe`` (or
should the lines be missing) the agent column is empty and the driver
column runs from the manager's start to the event's finish_time, which is
taken right after the driver returns.

The segments add up to the end-to-end figure. ``server`` is API receive
to injectNMI return. Targets: end to end under 1.5 s, server under 20 ms
(medians). Missing them is printed, not an error; exit status 1 means a
run did not work (no 202, no Success event, no panic, or the command's
output without the panic line).
"""
import argparse
import datetime
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import bench_cli  # noqa: E402
import console_watch  # noqa: E402
from tests.functional.libvirt import host  # noqa: E402
from tests.lib import embedded  # noqa: E402

TARGET_TOTAL_S = 1.5
TARGET_SERVER_MS = 20.0
PANIC_TIMEOUT_S = 30
PROBE_DIR = os.path.join(HERE, 'e2e_probe')
SEGMENTS = ('client', 'api', 'rpc', 'agent', 'driver', 'guest')
HEADINGS = {'client': 'client start', 'api': 'API', 'rpc': 'RPC',
            'agent': 'agent', 'driver': 'driver', 'guest': 'guest',
            'server': 'server', 'total': 'end to end',
            'command': 'cmd exit'}
# Epoch seconds with microseconds lead every line, so the bench can line
# the server's events up with its own clock readings.
LOG_FORMAT = ('%(created).6f %(process)d %(levelname)s %(name)s '
              '[{}] %(message)s')
SERVER_OPTIONS = {
    'DEFAULT.compute_driver': 'libvirt',
    'libvirt.connection_uri': host.URI,
    'DEFAULT.debug': 'true',
    'DEFAULT.logging_context_format_string':
        LOG_FORMAT.format('%(request_id)s'),
    'DEFAULT.logging_default_format_string': LOG_FORMAT.format('-'),
    'DEFAULT.logging_debug_format_suffix': '',
}
_STAMP = r'^(?P<at>\d+\.\d+) '


def _log(message):
    sys.stderr.write('%s\n' % message)
    sys.stderr.flush()


def _epoch(db_time):
    """A naive UTC datetime (or its SQLite text) as epoch seconds."""
    if db_time is None:
        return None
    if isinstance(db_time, str):
        db_time = datetime.datetime.fromisoformat(db_time)
    return db_time.replace(tzinfo=datetime.timezone.utc).timestamp()


def api_marks(log_text, uuid, since):
    """(request id, received at, 202 sent at) of the POST that triggered
    ``uuid`` after ``since``; None when the log holds no such line."""
    pattern = re.compile(
        _STAMP + r'.*\[(?P<req>req-[0-9a-f-]{36})[^\]]*\] \S+ "POST '
        r'/v2\.1/servers/' + re.escape(uuid) + r'/action" status: 202 .* '
        r'time: (?P<took>[\d.]+)', re.M)
    for match in pattern.finditer(log_text):
        sent = float(match.group('at'))
        if sent >= since:
            return (match.group('req'), sent - float(match.group('took')),
                    sent)
    return None


def driver_marks(log_text, uuid, since):
    """(injectNMI called at, returned at) from the driver's optional DEBUG
    lines; either is None when not logged."""
    found = []
    for text in ('Injecting an NMI into domain ',
                 'injectNMI returned for domain '):
        at = None
        for match in re.finditer(_STAMP + '.*' + re.escape(text + uuid),
                                 log_text, re.M):
            if float(match.group('at')) >= since:
                at = float(match.group('at'))
                break
        found.append(at)
    return tuple(found)


def event_marks(db_path, request_id):
    """(agent started, agent finished, result) of the request's event."""
    conn = sqlite3.connect('file:%s?mode=ro' % db_path, uri=True,
                           timeout=30)
    try:
        row = conn.execute(
            'SELECT e.start_time, e.finish_time, e.result FROM '
            'instance_actions AS a JOIN instance_actions_events AS e ON '
            'e.action_id = a.id WHERE a.request_id = ? AND e.event = ?',
            (request_id, 'compute_trigger_crash_dump')).fetchone()
    finally:
        conn.close()
    if row is None:
        return None, None, None
    return _epoch(row[0]), _epoch(row[1]), row[2]


def wait_for(read, timeout):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value is not None or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def one_run(srv, guest, uuid, env, console_lines):
    """Boot the guest afresh, trigger, and time it; a dict of marks,
    segments (seconds) and ``problems`` (empty when the run worked)."""
    host.script('domain.sh', 'destroy', guest)
    host.script('domain.sh', 'start', guest, '120')
    # Let the server take in the boot's lifecycle events first.
    time.sleep(1.0)
    watch = console_watch.ConsoleWatch(
        os.path.join(host.GUEST_LOGS, guest + '.log'), host.PANIC_LINE)
    watch.start()
    argv = [bench_cli._script('nova'), 'trigger-crash', guest, '--wait',
            '--console-lines', str(console_lines)]
    started = time.time()
    process = subprocess.run(argv, env=env, capture_output=True, text=True,
                             timeout=300)
    exited = time.time()
    panic_at = watch.wait(PANIC_TIMEOUT_S)
    watch.stop()
    run = {'started': started, 'panic': panic_at, 'problems': [],
           'watch': watch.method}
    problems = run['problems']
    if process.returncode != 0:
        problems.append('nova exited %s: %s' % (
            process.returncode, (process.stdout + process.stderr)[-400:]))
    if host.PANIC_LINE not in process.stdout:
        problems.append('the command did not print the panic line')
    if panic_at is None:
        problems.append('no panic line in the console log within %ss'
                        % PANIC_TIMEOUT_S)
    api = wait_for(lambda: api_marks(srv.output(), uuid, started), 10)
    if api is None:
        problems.append('no 202 for %s in the server log' % uuid)
        return run
    request_id, received, sent = api
    db_path = os.path.join(srv.workdir, 'state', 'crashdump.sqlite')

    def finished_event():
        marks = event_marks(db_path, request_id)
        return marks if marks[1] is not None else None

    agent, finished, result = (wait_for(finished_event, 10)
                               or (None, None, None))
    if result != 'Success':
        problems.append('event result %r for %s' % (result, request_id))
        return run
    called, returned = driver_marks(srv.output(), uuid, started)
    returned = returned or finished
    marks = [started, received, sent, agent, called, returned, panic_at]
    run.update({'request_id': request_id, 'logged_inject': called,
                'command': exited - started})
    if panic_at is None:
        return run
    segments = {}
    previous = started
    for name, mark in zip(SEGMENTS, marks[1:]):
        if mark is None:  # agent: no "Injecting" line; driver covers it
            segments[name] = None
            continue
        segments[name] = mark - previous
        previous = mark
    segments['server'] = returned - received
    segments['total'] = panic_at - started
    run['segments'] = segments
    return run


def summary(runs):
    """{column: median seconds} over the runs that have segments."""
    timed = [run['segments'] for run in runs if 'segments' in run]
    medians = {}
    for column in SEGMENTS + ('server', 'total', 'command'):
        values = [(run['segments'] if column != 'command' else run).get(
            column) for run in runs if 'segments' in run]
        values = [v for v in values if v is not None]
        medians[column] = statistics.median(values) if values else None
    medians['runs'] = len(timed)
    return medians


def verdict(medians):
    """(met, reasons) for the targets on the medians."""
    reasons = []
    if medians['total'] is None:
        return False, ['no run reached the panic']
    if medians['total'] >= TARGET_TOTAL_S:
        reasons.append('end to end %.3f s, target under %.1f s' % (
            medians['total'], TARGET_TOTAL_S))
    if medians['server'] * 1000 >= TARGET_SERVER_MS:
        reasons.append('server side %.1f ms, target under %.0f ms' % (
            medians['server'] * 1000, TARGET_SERVER_MS))
    return not reasons, reasons


def print_table(runs, medians, machine):
    columns = SEGMENTS + ('server', 'total', 'command')
    print('%-7s' % 'run' + ''.join('%13s' % HEADINGS[c] for c in columns))

    def cell(value, column):
        if value is None:
            return '%13s' % '-'
        if column in ('total', 'command'):
            return '%11.3f s' % value
        return '%10.1f ms' % (value * 1000)

    for index, run in enumerate(runs, 1):
        if 'segments' not in run:
            print('%-7s failed: %s' % (index, '; '.join(run['problems'])))
            continue
        values = dict(run['segments'], command=run['command'])
        print('%-7s' % index + ''.join(cell(values[c], c) for c in columns))
    print('%-7s' % 'median' + ''.join(cell(medians[c], c) for c in columns))
    if not any(run.get('logged_inject') for run in runs):
        print('agent: "-" = no "Injecting an NMI into domain <uuid>" line '
              '(--no-probe?); the driver column starts when the manager '
              'does.')
    print('machine: %s CPUs, load average %s; console watched by %s' % (
        machine['cpus'], machine['load'],
        runs[0].get('watch', '?') if runs else '?'))
    print('RPC: %s' % machine['rpc'])
    met, reasons = verdict(medians)
    if met:
        print('TARGET MET: end to end %.3f s (< %.1f s), server side '
              '%.1f ms (< %.0f ms)' % (medians['total'], TARGET_TOTAL_S,
                                       medians['server'] * 1000,
                                       TARGET_SERVER_MS))
    else:
        print('TARGET MISSED: ' + '; '.join(reasons))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=5,
                        help='measured runs, each on a freshly booted guest '
                             '(default 5, at least 5 for the verdict)')
    parser.add_argument('--warmup', type=int, default=1,
                        help='unmeasured runs first (default 1)')
    parser.add_argument('--console-lines', type=int, default=5,
                        help='--console-lines of the nova command')
    parser.add_argument('--no-probe', action='store_true',
                        help='do not load e2e_probe into the server')
    parser.add_argument('--json', action='store_true',
                        help='print the runs and medians as JSON')
    parser.add_argument('--keep', action='store_true',
                        help='keep the server state and log; print where')
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error('--runs must be positive and --warmup not negative')
    return args


def start_server(args):
    """crashdump-all with the libvirt driver; the probe (and only there)
    on its PYTHONPATH unless ``--no-probe``."""
    srv = embedded.EmbeddedServer([], options=SERVER_OPTIONS)
    saved = dict(os.environ)
    try:
        if not args.no_probe:
            os.environ['PYTHONPATH'] = os.pathsep.join(
                p for p in (PROBE_DIR, os.environ.get('PYTHONPATH')) if p)
        srv.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return srv


def run_all(args):
    """Set up, run; returns (runs, medians, machine)."""
    bench_cli._server_importable()
    machine = {'cpus': os.cpu_count(),
               'load': ' '.join('%.2f' % v for v in os.getloadavg()),
               'rpc': 'the embedded transport_url (inproc://)'}
    host.acquire()
    home = tempfile.mkdtemp(prefix='crashdump-bench-e2e-')
    guest = 'cdbench%d' % os.getpid()
    try:
        with host.exclusive():
            uuid = host.script('domain.sh', 'define', guest, '--project',
                               'demo', '--user', 'alice').strip()
            srv = start_server(args)
            try:
                env = bench_cli._environment(srv, home, 'nova')
                runs = []
                for index in range(args.warmup + args.runs):
                    label = ('warm-up' if index < args.warmup else
                             'run %d' % (index - args.warmup + 1))
                    run = one_run(srv, guest, uuid, env, args.console_lines)
                    _log('%s: %s' % (label, '%.3f s' % run['segments']
                                     ['total'] if 'segments' in run else
                                     '; '.join(run['problems'])))
                    if index >= args.warmup:
                        runs.append(run)
            finally:
                srv.stop()
                if args.keep:
                    _log('server state and log kept in %s' % srv.workdir)
                else:
                    srv.cleanup()
                host.script('domain.sh', 'remove', guest)
    finally:
        host.release()
    return runs, summary(runs), machine


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    runs, medians, machine = run_all(args)
    met, reasons = verdict(medians)
    if args.json:
        json.dump({'runs': runs, 'medians': medians, 'machine': machine,
                   'target': {'total_s': TARGET_TOTAL_S,
                              'server_ms': TARGET_SERVER_MS},
                   'target_met': met, 'target_reasons': reasons},
                  sys.stdout, indent=2)
        print()
    else:
        print_table(runs, medians, machine)
    return 1 if any(run['problems'] for run in runs) else 0


if __name__ == '__main__':
    sys.exit(main())
