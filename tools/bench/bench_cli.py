"""Cold start of crashdump's CLI commands beside the built-in ones, and one
``openstack server crash-dump trigger`` call over many servers.

Starts ``crashdump-all`` (fake driver, noauth) on a free loopback port and
runs every command as a whole process, the way a user or script does, with
the same environment (``admin_token`` auth from ``OS_*`` variables, a
private HOME). Each pair is run alternately, after one unmeasured warm-up
of each, so both see the same machine load:

* ``nova trigger-crash <id>`` vs ``nova trigger-crash-dump <id>``
* ``openstack server crash-dump trigger <id>`` vs
  ``openstack server dump create <id>``

Prints median and minimum wall time of each and the ratio of medians
(target: within 10%). Then triggers ``--servers`` servers in one call,
without and with ``--wait``, and prints the time and how many were
accepted or succeeded (target: all accepted with results in under 10 s).

Exit status: 0 when every command did what it should; 1 if one failed.
Missing a speed target is reported, not an error.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

from tests.lib import embedded  # noqa: E402

COLD_ID = '60000000-0000-4000-8000-000000000000'
BULK_ID = '61000000-0000-4000-8000-%012d'
RATIO_TARGET = 1.10
BULK_TARGET_S = 10.0


def _server_importable():
    """Let crashdump-all import crashdump_server from the checkout."""
    try:
        import crashdump_server  # noqa: F401
    except ImportError:
        path = os.path.join(ROOT, 'server')
        os.environ['PYTHONPATH'] = os.pathsep.join(
            p for p in (path, os.environ.get('PYTHONPATH')) if p)


def _script(name):
    return os.path.join(os.path.dirname(sys.executable), name)


def _environment(server, home, program):
    """The environment of ``program`` ("nova" or "openstack")."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith('OS_')}
    env.update({'HOME': home, 'XDG_CACHE_HOME': os.path.join(home, 'cache'),
                'XDG_CONFIG_HOME': os.path.join(home, 'config'),
                'OS_AUTH_TYPE': 'admin_token',
                'OS_ENDPOINT': server.compute_url, 'OS_TOKEN': 'alice:demo'})
    if program == 'nova':
        # novaclient's shell insists on these though admin_token uses
        # neither; OpenStackClient would hand them to the plugin and fail.
        env.update({'OS_PROJECT_ID': 'demo',
                    'OS_AUTH_URL': 'http://127.0.0.1/unused'})
    return env


def _run(argv, envs):
    """Run one command; return (seconds, CompletedProcess)."""
    env = envs[argv[0]]
    started = time.perf_counter()
    process = subprocess.run([_script(argv[0])] + list(argv[1:]), env=env,
                             capture_output=True, text=True, timeout=600)
    return time.perf_counter() - started, process


def _check(process, label):
    if process.returncode != 0:
        sys.stderr.write('%s failed (exit %s):\n%s%s' % (
            label, process.returncode, process.stdout, process.stderr))
        return False
    return True


def cold_start(env, runs):
    """Time each pair alternately; return (rows, everything ran)."""
    pairs = [
        (('nova', 'trigger-crash', COLD_ID),
         ('nova', 'trigger-crash-dump', COLD_ID)),
        (('openstack', 'server', 'crash-dump', 'trigger', COLD_ID),
         ('openstack', 'server', 'dump', 'create', COLD_ID)),
    ]
    rows, ok = [], True
    for ours, builtin in pairs:
        times = {ours: [], builtin: []}
        for argv in (ours, builtin):  # warm-up: page cache, .pyc files
            ok &= _check(_run(argv, env)[1], ' '.join(argv))
        for _ in range(runs):
            for argv in (ours, builtin):
                seconds, process = _run(argv, env)
                ok &= _check(process, ' '.join(argv))
                times[argv].append(seconds)
        rows.append((' '.join(ours[:-1]), times[ours],
                     ' '.join(builtin[:-1]), times[builtin]))
    return rows, ok


def bulk(env, count):
    """One trigger call over ``count`` servers, without and with --wait."""
    ids = [BULK_ID % n for n in range(count)]
    figures, ok = [], True
    for extra in ((), ('--wait',)):
        argv = ('openstack', 'server', 'crash-dump', 'trigger', '-f',
                'value', '-c', 'Result') + extra + tuple(ids)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, process = _run(argv, env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # The client's own CPU time tells its cost from the time spent
        # waiting for the server.
        cpu = (after.ru_utime - before.ru_utime +
               after.ru_stime - before.ru_stime)
        results = process.stdout.splitlines()
        wanted = 'Success' if extra else 'Requested'
        good = sum(1 for line in results if line == wanted)
        ok &= len(results) == count
        figures.append((' '.join(('trigger',) + extra), seconds, cpu, good,
                        len(results), wanted, process.returncode))
    return figures, ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=5,
                        help='measured runs of each command (default 5)')
    parser.add_argument('--servers', type=int, default=1000,
                        help='servers in the bulk call (default 1000; 0 '
                             'skips it)')
    args = parser.parse_args()
    _server_importable()
    servers = [embedded.fake_server(COLD_ID, 'bench-cold')] + [
        embedded.fake_server(BULK_ID % n, 'bench-%d' % n)
        for n in range(args.servers)]
    home = tempfile.mkdtemp(prefix='crashdump-bench-home-')
    try:
        with embedded.EmbeddedServer(servers) as server:
            env = {program: _environment(server, home, program)
                   for program in ('nova', 'openstack')}
            rows, ok = cold_start(env, args.runs)
            print('CLI cold start, %d runs each (median / min seconds):'
                  % args.runs)
            for ours, ours_times, builtin, builtin_times in rows:
                ratio = (statistics.median(ours_times) /
                         statistics.median(builtin_times))
                print('  %-38s %6.3f / %6.3f' % (
                    ours, statistics.median(ours_times), min(ours_times)))
                print('  %-38s %6.3f / %6.3f' % (
                    builtin, statistics.median(builtin_times),
                    min(builtin_times)))
                print('  ratio %.3f (target <= %.2f): %s' % (
                    ratio, RATIO_TARGET,
                    'met' if ratio <= RATIO_TARGET else 'MISSED'))
            if args.servers:
                figures, bulk_ok = bulk(env, args.servers)
                ok &= bulk_ok
                print('One call over %d servers:' % args.servers)
                for (label, seconds, cpu, good, lines, wanted,
                     code) in figures:
                    print('  %-16s %7.2f s (client CPU %.2f s)  %d/%d %s, '
                          'exit %s, target < %.0f s: %s' % (
                              label, seconds, cpu, good, lines, wanted, code,
                              BULK_TARGET_S,
                              'met' if seconds < BULK_TARGET_S and
                              good == args.servers else 'MISSED'))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
