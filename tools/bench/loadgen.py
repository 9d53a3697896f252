"""Load generator for bench_trigger.py: run as its own process.

``python loadgen.py --url URL --ids-file IDS --out RESULT.json
--concurrency N --requests M --time-limit S`` posts
``{"trigger_crash_dump": null}`` to ``/v2.1/servers/{id}/action`` from N
threads, each over one keep-alive ``http.client`` connection, until M
requests are sent or S seconds pass. Server ids are taken round-robin from
IDS (a JSON list) starting at ``--offset``. ``--get PATH`` sends ``GET
PATH`` instead (the version document ``/v2.1``: middleware only). It
writes one JSON document: the elapsed wall time, the epoch times the load
started and ended, and, per request, [server id or path, status, latency
in seconds, request id, error]. Status 0 means no HTTP answer (the error says
why); such a request is not retried, as a retry could fire a second NMI.
"""
import argparse
import http.client
import itertools
import json
import threading
import time
import urllib.parse

BODY = b'{"trigger_crash_dump": null}'


def _headers(token, version, get=False):
    headers = {'X-Auth-Token': token,
               'Accept': 'application/json',
               'OpenStack-API-Version': 'compute %s' % version}
    if not get:
        headers.update({'Content-Type': 'application/json',
                        'Content-Length': str(len(BODY))})
    return headers


class Worker(threading.Thread):
    """One client connection sending requests until the shared budget ends.
    """

    def __init__(self, url, plan, barrier, results):
        super().__init__(daemon=True)
        self.url = url
        self.plan = plan
        self.barrier = barrier
        self.results = results
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection(self.url.hostname,
                                               self.url.port, timeout=30)

    def run(self):
        self._connect()
        self.barrier.wait()
        headers = self.plan['headers']
        prefix = self.url.path.rstrip('/') + '/v2.1/servers/'
        get_path = self.plan['get']
        while True:
            index = next(self.plan['counter'])
            if (index >= self.plan['requests']
                    or time.monotonic() >= self.plan['deadline']):
                break
            if get_path:
                self.results.append(self._one(
                    'GET', self.url.path.rstrip('/') + get_path, None,
                    headers, get_path))
                continue
            server_id = self.plan['ids'][
                (self.plan['offset'] + index) % len(self.plan['ids'])]
            self.results.append(self._one('POST',
                                          prefix + server_id + '/action',
                                          BODY, headers, server_id))
        self.conn.close()

    def _one(self, method, path, body, headers, server_id):
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            latency = time.perf_counter() - started
            self.conn.close()
            self._connect()
            return [server_id, 0, latency, None,
                    '%s: %s' % (type(exc).__name__, exc)]
        latency = time.perf_counter() - started
        if response.will_close:
            self.conn.close()
            self._connect()
        return [server_id, response.status, latency,
                response.getheader('x-openstack-request-id'), None]


def run_load(url, ids, concurrency, requests, time_limit, offset=0,
             token='alice:demo', version='2.17', get=None):
    """Send the load; returns {'elapsed': seconds, 'started_at': epoch,
    'ended_at': epoch, 'results': [...]}.

    ``elapsed`` runs from the moment every connection is open and the
    threads are released to the moment the last one finishes. ``get`` is
    a path to GET instead of posting the trigger.
    """
    parsed = urllib.parse.urlsplit(url)
    barrier = threading.Barrier(concurrency + 1)
    results = []  # list.append is atomic; one list for every thread
    plan = {'counter': itertools.count(), 'requests': requests,
            'ids': ids, 'offset': offset, 'deadline': float('inf'),
            'headers': _headers(token, version, bool(get)), 'get': get}
    workers = [Worker(parsed, plan, barrier, results)
               for _ in range(concurrency)]
    for worker in workers:
        worker.start()
    plan['deadline'] = time.monotonic() + time_limit
    started_at = time.time()
    started = time.perf_counter()
    barrier.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    return {'elapsed': elapsed, 'started_at': started_at,
            'ended_at': started_at + elapsed, 'concurrency': concurrency,
            'results': results}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--url', required=True,
                        help='the server root, e.g. http://127.0.0.1:8774')
    parser.add_argument('--ids-file', required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--concurrency', type=int, default=1)
    parser.add_argument('--requests', type=int, default=1000)
    parser.add_argument('--time-limit', type=float, default=60.0)
    parser.add_argument('--offset', type=int, default=0)
    parser.add_argument('--token', default='alice:demo')
    parser.add_argument('--version', default='2.17')
    parser.add_argument('--get', metavar='PATH',
                        help='GET PATH (e.g. /v2.1) instead of triggering')
    args = parser.parse_args(argv)
    with open(args.ids_file) as stream:
        ids = json.load(stream)
    outcome = run_load(args.url, ids, args.concurrency, args.requests,
                       args.time_limit, offset=args.offset,
                       token=args.token, version=args.version,
                       get=args.get)
    with open(args.out, 'w') as stream:
        json.dump(outcome, stream)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
