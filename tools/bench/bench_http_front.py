"""Compare HTTP fronts for crashdump-all: cheroot (the old one), waitress
as crashdump configures it, and crashdump's TLS front before waitress.

Each front serves the same small WSGI application (a 300-byte JSON list,
16 worker threads) in a process of its own on a free loopback port, so
the figures are the front's, not the API's. For each it prints:

- throughput and p50/p99 latency at concurrency 1, 4 and 16 (keep-alive
  connections, one per client thread), for --seconds each;
- with 200 idle and 50 slowloris connections open: how many of --probes
  GETs (each on a new connection, 5 s timeout, 30 s in all) were
  answered, their
  p50/p99, and the server's RSS before and under the attack.

Run: python tools/bench/bench_http_front.py [--fronts cheroot,waitress,tls]
(cheroot comes from test-requirements.txt; the test suite does not need
it.) tests/functional/test_http_front.py checks the target on the real
crashdump-all.
"""
import argparse
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path[:0] = [ROOT, os.path.join(ROOT, 'server')]

from tests.lib import certs  # noqa: E402
from tests.lib import slowclients  # noqa: E402

BODY = json.dumps({'servers': [
    {'id': '%08d-0000-4000-8000-000000000000' % i, 'name': 'web-%d' % i}
    for i in range(5)]}).encode()
THREADS = 16


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(BODY)))])
    return [BODY]


def serve(front, cert_dir):
    """Child process: serve ``application`` with ``front``, print URL."""
    if front == 'cheroot':
        import cheroot.wsgi
        server = cheroot.wsgi.Server(('127.0.0.1', 0), application,
                                     numthreads=THREADS,
                                     request_queue_size=128)
        server.prepare()
        print('http://127.0.0.1:%d' % server.bind_addr[1], flush=True)
        server.serve()
        return
    from crashdump_server.cmd import serving as crashdump_serving
    from crashdump_server.conf import CONF
    from crashdump_server import service
    service.register_opts()
    CONF([], project='crashdump', default_config_files=[])
    CONF.set_override('host', '127.0.0.1', group='api')
    CONF.set_override('port', 0, group='api')
    CONF.set_override('workers', THREADS, group='api')
    if front == 'tls':
        cert, key = certs.write_self_signed(cert_dir)
        CONF.set_override('ssl_cert_file', cert, group='api')
        CONF.set_override('ssl_key_file', key, group='api')
    server, url = crashdump_serving.make_server(CONF, application)
    print(url, flush=True)
    server.run()


def load(url, concurrency, seconds, context):
    """(requests/s, p50, p99) of keep-alive GETs from ``concurrency``
    threads."""
    host, port = url.split('//')[1].rsplit(':', 1)
    latencies = []
    deadline = time.monotonic() + seconds

    def worker():
        if context:
            conn = http.client.HTTPSConnection(host, int(port),
                                               context=context, timeout=30)
        else:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine = []
        while time.monotonic() < deadline:
            started = time.monotonic()
            conn.request('GET', '/v2.1/servers')
            conn.getresponse().read()
            mine.append(time.monotonic() - started)
        conn.close()
        latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return (len(latencies) / elapsed, slowclients.percentile(latencies, .5),
            slowclients.percentile(latencies, .99))


def under_attack(url, pid, probes, context):
    """(answered, tried, p50, p99, rss idle, rss attacked) with 200 idle
    and 50 slowloris connections open."""
    idle_rss = slowclients.rss_bytes(pid)
    answered = []
    tried = 0
    with slowclients.SlowClients(url, ssl_context=context):
        time.sleep(2)
        deadline = time.monotonic() + 30
        for _ in range(probes):
            if time.monotonic() > deadline:
                break
            tried += 1
            try:
                answered += slowclients.probe(url, {}, count=1,
                                              ssl_context=context,
                                              timeout=5)
            except OSError:
                pass
        attacked_rss = slowclients.rss_bytes(pid)
    if not answered:
        return 0, tried, None, None, idle_rss, attacked_rss
    return (len(answered), tried, slowclients.percentile(answered, .5),
            slowclients.percentile(answered, .99), idle_rss, attacked_rss)


def ms(value):
    return '-' if value is None else '%.1f' % (value * 1000)


def bench(front, args):
    cert_dir = tempfile.mkdtemp(prefix='bench-front-')
    child = subprocess.Popen(
        [sys.executable, __file__, '--serve', front, '--cert-dir', cert_dir],
        stdout=subprocess.PIPE, text=True)
    try:
        url = child.stdout.readline().strip()
        context = None
        if url.startswith('https'):
            context = ssl.create_default_context(
                cafile=os.path.join(cert_dir, 'cert.pem'))
        slowclients.probe(url, {}, count=20, ssl_context=context)
        for concurrency in (1, 4, 16):
            rate, p50, p99 = load(url, concurrency, args.seconds, context)
            print('%-9s conc %-3d %8.0f req/s  p50 %6s ms  p99 %6s ms'
                  % (front, concurrency, rate, ms(p50), ms(p99)), flush=True)
        answered, tried, p50, p99, idle, attacked = under_attack(
            url, child.pid, args.probes, context)
        print('%-9s 200 idle + 50 slowloris: %d/%d answered  p50 %6s ms  '
              'p99 %6s ms  RSS %.1f -> %.1f MB' % (
                  front, answered, tried, ms(p50), ms(p99),
                  idle / 2**20, attacked / 2**20), flush=True)
    finally:
        child.kill()
        child.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--fronts', default='cheroot,waitress,tls')
    parser.add_argument('--seconds', type=float, default=5)
    parser.add_argument('--probes', type=int, default=20)
    parser.add_argument('--serve', help=argparse.SUPPRESS)
    parser.add_argument('--cert-dir', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.cert_dir)
    print('%d CPUs, load average %s' % (os.cpu_count(), os.getloadavg()))
    for front in args.fronts.split(','):
        bench(front, args)


if __name__ == '__main__':
    sys.exit(main())
