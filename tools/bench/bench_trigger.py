"""Throughput and latency of trigger_crash_dump on the embedded server.

Starts ``crashdump-all`` (fake driver, SQLite, in-process messaging) on a
free loopback port with many fake servers, then for each concurrency level
runs a separate load-generating process (loadgen.py) that posts
``{"trigger_crash_dump": null}`` over keep-alive connections. After each
run it waits for the compute agent to drain and checks that every 202 has
its action row, its finished Success event and its NMI in the fake driver's
log, and asks the API about a sample. Prints one row per level and whether
the target is met.

Exit status: 0 when every request got 202 and every 202 was recorded; 1
otherwise (a correctness failure). Missing the speed target is reported,
not an error.
"""
import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import timeit
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import records  # noqa: E402
from tests.lib import embedded  # noqa: E402


def _server_importable():
    """Let the server subprocess import crashdump_server from the checkout
    when it is not installed (tox installs it; a bare venv may not)."""
    try:
        import crashdump_server  # noqa: F401
    except ImportError:
        path = os.path.join(ROOT, 'server')
        os.environ['PYTHONPATH'] = os.pathsep.join(
            p for p in (path, os.environ.get('PYTHONPATH')) if p)


# Issue 13's targets, on a 2-core machine, at concurrency 16: the agent
# keeps up (NMIs delivered per second during the load at least
# NMI_RATE_SHARE of the 202s per second, none expired), and the CPU the
# server spends per trigger and per GET /v2.1.
TARGET = {'concurrency': 16, 'actions_per_s': 1000.0, 'p99_ms': 25.0,
          'server_cpu_ms': 0.9, 'get_cpu_ms': 0.3, 'nmi_rate_share': 0.95}
GET_PATH = '/v2.1'
COLUMNS = (('concurrency', 'conc', '%d'), ('requests', 'requests', '%d'),
           ('errors', 'errors', '%d'), ('actions_per_s', 'actions/s', '%.0f'),
           ('nmis_per_s', 'NMIs/s', '%.0f'),
           ('p50_ms', 'p50 ms', '%.2f'), ('p99_ms', 'p99 ms', '%.2f'),
           ('max_ms', 'max ms', '%.1f'),
           ('recorded_actions', 'actions', '%d'),
           ('finished_events', 'events', '%d'), ('nmis', 'NMIs', '%d'),
           ('expired', 'expired', '%d'),
           ('drain_s', 'drain s', '%.1f'),
           ('server_cpu_ms', 'srv cpu ms', '%.2f'),
           ('loadgen_cpu_ms', 'gen cpu ms', '%.2f'),
           ('cpu_ratio', 'srv/gen', '%.1f'))


def _log(message):
    print(message, file=sys.stderr, flush=True)


def percentile(values, fraction):
    """Nearest-rank percentile of ``values`` (any order); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def start_server(count, options):
    """An EmbeddedServer with ``count`` fake servers owned by demo/alice."""
    servers = [embedded.fake_server(str(uuid.uuid4()), 'bench-%05d' % i,
                                    project_id='demo', user_id='alice')
               for i in range(count)]
    srv = embedded.EmbeddedServer(servers, options=options,
                                  start_timeout=180)
    return srv.start()


def server_cpu_seconds(pid):
    """User + system CPU seconds the process has used; None off Linux."""
    try:
        with open('/proc/%d/stat' % pid) as stream:
            fields = stream.read().rpartition(')')[2].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat(5), after pid and comm.
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_loadgen(srv, ids_file, concurrency, requests, time_limit, offset,
                workdir, get=None):
    """Run loadgen.py in its own process; returns its result document,
    with the CPU seconds the load generator used as ``cpu_s``. ``get`` is
    a path to GET instead of triggering."""
    out = os.path.join(workdir, 'load-c%d-%d.json' % (concurrency, offset))
    command = [sys.executable, os.path.join(HERE, 'loadgen.py'),
               '--url', srv.url, '--ids-file', ids_file, '--out', out,
               '--concurrency', str(concurrency),
               '--requests', str(requests),
               '--time-limit', str(time_limit), '--offset', str(offset)]
    if get:
        command += ['--get', get]
    cpu_before = _children_cpu_seconds()
    subprocess.run(command, check=True, timeout=time_limit + 120)
    with open(out) as stream:
        load = json.load(stream)
    load['cpu_s'] = _children_cpu_seconds() - cpu_before
    return load


def start_py_spy(pid, path):
    """``py-spy record`` on the server for the length of one run."""
    local = os.path.join(os.path.dirname(sys.executable), 'py-spy')
    return subprocess.Popen(
        [local if os.path.exists(local) else 'py-spy', 'record',
         '--pid', str(pid), '--format', 'raw', '--rate', '200',
         '--threads', '--nonblocking', '-o', path],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_py_spy(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(srv, args, ids_file, concurrency, requests, offset, workdir,
            profile_path=None):
    """One run at ``concurrency``: load, drain, check; returns its row."""
    db_path = os.path.join(srv.workdir, 'state', 'crashdump.sqlite')
    nmis_before = srv.delivered_nmis()
    spy = start_py_spy(srv.process.pid, profile_path) if profile_path else None
    cpu_before = server_cpu_seconds(srv.process.pid)
    try:
        load = run_loadgen(srv, ids_file, concurrency, requests,
                           args.time_limit, offset, workdir)
    finally:
        if spy is not None:
            stop_py_spy(spy)
    results = load['results']
    accepted = {r[3]: r[0] for r in results if r[1] == 202}
    latencies_ms = [r[2] * 1000.0 for r in results]
    error_kinds = {}
    for result in results:
        if result[1] != 202:
            kind = result[4] or 'HTTP %d' % result[1]
            error_kinds[kind] = error_kinds.get(kind, 0) + 1
    recorded, drain_s = records.wait_drained(db_path, accepted,
                                             timeout=args.drain_timeout)
    cpu_after = server_cpu_seconds(srv.process.pid)
    nmis_after = srv.delivered_nmis()
    check = records.check_run(accepted, recorded, nmis_before, nmis_after)
    # What the agent delivered while the load ran, against what the API
    # accepted: an agent that falls behind leaves a backlog (and, with a
    # short request_ttl, expired requests).
    in_time = records.nmis_delivered_by(nmis_after[len(nmis_before):],
                                        load['ended_at'])
    api_problems = records.api_spot_check(srv.url, accepted, args.api_sample)
    row = {'concurrency': concurrency, 'requests': len(results),
           'accepted': len(accepted),
           'errors': len(results) - len(accepted), 'error_kinds': error_kinds,
           'elapsed_s': load['elapsed'],
           'actions_per_s': len(accepted) / load['elapsed'],
           'nmis_per_s': in_time / load['elapsed'],
           'p50_ms': percentile(latencies_ms, 0.50),
           'p99_ms': percentile(latencies_ms, 0.99),
           'max_ms': max(latencies_ms) if latencies_ms else None,
           'drain_s': drain_s, 'api_problems': api_problems,
           # CPU per request: the server's (API and agent, load and drain)
           # and the load generator's, in milliseconds.
           'server_cpu_ms': _per_request(cpu_before, cpu_after, results),
           'loadgen_cpu_ms': _per_request(0.0, load['cpu_s'], results)}
    # The load generator's CPU per request is a fixed piece of work: the
    # server's over it compares runs on a machine whose speed drifts.
    row['cpu_ratio'] = (row['server_cpu_ms'] / row['loadgen_cpu_ms']
                        if row['server_cpu_ms'] and row['loadgen_cpu_ms']
                        else None)
    row.update(check)
    return row


def measure_get(srv, args, ids_file, workdir):
    """GET /v2.1 (middleware and the version document only) at the target
    concurrency; returns the server's CPU ms and the p50 per request."""
    requests = args.requests
    cpu_before = server_cpu_seconds(srv.process.pid)
    load = run_loadgen(srv, ids_file, TARGET['concurrency'], requests,
                       args.time_limit, 0, workdir, get=GET_PATH)
    cpu_after = server_cpu_seconds(srv.process.pid)
    results = load['results']
    latencies_ms = [r[2] * 1000.0 for r in results]
    return {'requests': len(results),
            'errors': sum(1 for r in results if r[1] != 200),
            'per_s': len(results) / load['elapsed'],
            'p50_ms': percentile(latencies_ms, 0.50),
            'server_cpu_ms': _per_request(cpu_before, cpu_after, results)}


def _per_request(before, after, results):
    if before is None or after is None or not results:
        return None
    return 1000.0 * (after - before) / len(results)


def machine_figures():
    """What the figures depend on besides crashdump: CPU count, load
    average, and the µs a fixed pure-Python loop takes (lower is faster;
    compare runs and machines by it)."""
    loop = min(timeit.repeat('sum(range(10000))', number=100, repeat=5))
    return {'cpus': os.cpu_count(), 'loadavg': list(os.getloadavg()),
            'python_loop_us': loop * 1e6 / 100}


def target_checks(rows, get_row, correct):
    """[(name, figure, met)] for each of issue 13's targets."""
    row = next((r for r in rows
                if r['concurrency'] == TARGET['concurrency']), None)
    if row is None:
        return [('a run at concurrency %d' % TARGET['concurrency'],
                 'none', False)]

    def figure(value, fmt):
        return 'n/a' if value is None else fmt % value

    accepted_rate = row['actions_per_s']
    checks = [
        ('actions/s >= %.0f' % TARGET['actions_per_s'],
         '%.0f' % accepted_rate, accepted_rate >= TARGET['actions_per_s']),
        ('NMIs/s during the load >= %d%% of actions/s'
         % (100 * TARGET['nmi_rate_share']),
         '%.0f' % row['nmis_per_s'],
         row['nmis_per_s'] >= TARGET['nmi_rate_share'] * accepted_rate),
        ('nothing expired', '%d' % row['expired'], row['expired'] == 0),
        ('p99 < %.0f ms' % TARGET['p99_ms'], figure(row['p99_ms'], '%.1f'),
         row['p99_ms'] is not None and row['p99_ms'] < TARGET['p99_ms']),
        ('server CPU per trigger < %.1f ms' % TARGET['server_cpu_ms'],
         figure(row['server_cpu_ms'], '%.2f'),
         row['server_cpu_ms'] is not None
         and row['server_cpu_ms'] < TARGET['server_cpu_ms']),
    ]
    if get_row is not None:
        checks.append((
            'server CPU per GET %s < %.1f ms' % (GET_PATH,
                                                 TARGET['get_cpu_ms']),
            figure(get_row['server_cpu_ms'], '%.2f'),
            get_row['server_cpu_ms'] is not None and not get_row['errors']
            and get_row['server_cpu_ms'] < TARGET['get_cpu_ms']))
    checks.append(('every 202 recorded with its action, event and NMI',
                   'yes' if correct else 'NO', correct))
    return checks


def target_verdict(rows, get_row, correct):
    """(met, reasons) for the speed-and-correctness target."""
    checks = target_checks(rows, get_row, correct)
    reasons = ['%s: %s' % (name, value)
               for name, value, met in checks if not met]
    return not reasons, reasons, checks


def print_table(rows, report):
    widths = [max(len(title), 7) for _key, title, _fmt in COLUMNS]
    print('  '.join(t.rjust(w) for (_k, t, _f), w in zip(COLUMNS, widths)))
    for row in rows:
        cells = []
        for (key, _title, fmt), width in zip(COLUMNS, widths):
            value = row.get(key)
            cells.append(('-' if value is None else fmt % value).rjust(width))
        print('  '.join(cells))
    for row in rows:
        if row['error_kinds']:
            print('concurrency %d errors: %s' % (row['concurrency'],
                                                 row['error_kinds']))
        if row['unrecorded']:
            print('concurrency %d: %d accepted requests unrecorded '
                  '(%d NMIs missing), e.g. %s'
                  % (row['concurrency'], row['unrecorded'],
                     row['missing_nmis'], ', '.join(row['examples'])))
        if row['api_problems']:
            print('concurrency %d: the API disagrees: %s'
                  % (row['concurrency'], '; '.join(row['api_problems'][:5])))
    get_row = report['get']
    if get_row is not None:
        print('GET %s at concurrency %d: %d requests, %d errors, %.0f/s, '
              'p50 %.2f ms, server CPU %.2f ms per request'
              % (GET_PATH, TARGET['concurrency'], get_row['requests'],
                 get_row['errors'], get_row['per_s'], get_row['p50_ms'] or 0,
                 get_row['server_cpu_ms'] or 0))
    machine = report['machine']
    print('servers: %d, CPUs: %d, load average before: %s, python loop '
          '(sum(range(10000))): %.0f us; every 202 recorded: %s'
          % (report['servers'], machine['cpus'],
             ' '.join('%.1f' % x for x in machine['loadavg']),
             machine['python_loop_us'],
             'yes' if report['correct'] else 'NO'))
    checks = ('%s %s [%s]' % (name, value, 'ok' if met else 'MISSED')
              for name, value, met in report['target_checks'])
    print('targets at concurrency %d: %s'
          % (TARGET['concurrency'], '; '.join(checks)))
    print('TARGET MET' if report['target_met'] else
          'TARGET MISSED: ' + '; '.join(report['target_reasons']))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--requests', type=int, default=3000,
                        help='requests per concurrency level (default 3000)')
    parser.add_argument('--servers', type=int, default=2000,
                        help='fake servers to create (default 2000)')
    parser.add_argument('--concurrency', default='1,4,16',
                        help='comma-separated levels (default 1,4,16)')
    parser.add_argument('--warmup', type=int, default=200,
                        help='requests at concurrency 4 before measuring, '
                             'checked but not reported (default 200)')
    parser.add_argument('--time-limit', type=float, default=60.0,
                        help='seconds a level may send for (default 60)')
    parser.add_argument('--drain-timeout', type=float, default=120.0,
                        help='seconds to wait for the agent to record every '
                             'event after a level (default 120)')
    parser.add_argument('--api-sample', type=int, default=20,
                        help='accepted requests per level to check through '
                             'the API as admin (default 20)')
    parser.add_argument('--no-get', action='store_true',
                        help='skip the GET %s run' % GET_PATH)
    parser.add_argument('--server-option', action='append', default=[],
                        metavar='SECTION.OPTION=VALUE',
                        help='extra crashdump.conf setting, e.g. '
                             'api.workers=32 (repeatable)')
    parser.add_argument('--py-spy', metavar='DIR',
                        help='record the server with py-spy during each '
                             'level, collapsed stacks in DIR/c<N>.txt')
    parser.add_argument('--keep', action='store_true',
                        help='keep the server state directory and print it')
    parser.add_argument('--json', action='store_true',
                        help='print one JSON document instead of the table')
    args = parser.parse_args(argv)
    try:
        args.levels = [int(c) for c in args.concurrency.split(',') if c]
    except ValueError:
        parser.error('--concurrency takes integers like 1,4,16')
    if not args.levels or min(args.levels) < 1:
        parser.error('--concurrency takes positive integers like 1,4,16')
    if args.requests < 1 or args.servers < 1:
        parser.error('--requests and --servers must be positive')
    args.options = {}
    for item in args.server_option:
        key, sep, value = item.partition('=')
        if not sep:
            parser.error('--server-option takes SECTION.OPTION=VALUE')
        args.options[key] = value
    return args


def run(args):
    """Start the server, run every level; returns the report dict."""
    machine = machine_figures()
    workdir = tempfile.mkdtemp(prefix='crashdump-bench-')
    _log('starting crashdump-all with %d fake servers...' % args.servers)
    srv = start_server(args.servers, args.options)
    try:
        ids_file = os.path.join(workdir, 'ids.json')
        with open(ids_file, 'w') as stream:
            json.dump([s['id'] for s in srv.servers], stream)
        if args.py_spy:
            os.makedirs(args.py_spy, exist_ok=True)
        offset, rows, warm_ok = 0, [], True
        if args.warmup:
            _log('warm-up: %d requests at concurrency 4' % args.warmup)
            warm = measure(srv, args, ids_file, 4, args.warmup, offset,
                           workdir)
            offset += warm['requests']
            warm_ok = not (warm['errors'] or warm['unrecorded']
                           or warm['api_problems'])
            if not warm_ok:
                _log('warm-up failed: %s' % json.dumps(warm))
        for level in args.levels:
            _log('concurrency %d: %d requests' % (level, args.requests))
            profile = (os.path.join(args.py_spy, 'c%d.txt' % level)
                       if args.py_spy else None)
            row = measure(srv, args, ids_file, level, args.requests, offset,
                          workdir, profile_path=profile)
            offset += row['requests']
            rows.append(row)
            _log('  %.0f actions/s, %.0f NMIs/s, p50 %.2f ms, p99 %.2f ms, '
                 '%d errors, %d unrecorded'
                 % (row['actions_per_s'], row['nmis_per_s'],
                    row['p50_ms'] or 0, row['p99_ms'] or 0, row['errors'],
                    row['unrecorded']))
        get_row = None
        if not args.no_get:
            _log('GET %s at concurrency %d: %d requests'
                 % (GET_PATH, TARGET['concurrency'], args.requests))
            get_row = measure_get(srv, args, ids_file, workdir)
    finally:
        srv.stop()
        if args.keep:
            _log('server state kept in %s, load results in %s'
                 % (srv.workdir, workdir))
        else:
            srv.cleanup()
            shutil.rmtree(workdir, ignore_errors=True)
    correct = warm_ok and all(
        not (r['errors'] or r['unrecorded'] or r['api_problems'])
        for r in rows)
    met, reasons, checks = target_verdict(rows, get_row, correct)
    return {'servers': args.servers, 'machine': machine, 'rows': rows,
            'get': get_row, 'correct': correct, 'target': TARGET,
            'target_met': met, 'target_reasons': reasons,
            'target_checks': checks}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    _server_importable()
    report = run(args)
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_table(report['rows'], report)
    return 0 if report['correct'] else 1


if __name__ == '__main__':
    sys.exit(main())
