"""Idle and slowloris clients against a running server, and a probe that
times normal requests meanwhile; for the functional test of the HTTP front
and tools/bench/bench_http_front.py.
"""
import http.client
import socket
import ssl
import threading
import time
import urllib.parse


def rss_bytes(pid):
    """The resident set size of process ``pid``."""
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError('no VmRSS for pid %d' % pid)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class SlowClients:
    """``idle`` connections that send nothing and ``slowloris`` ones that
    send a request's headers one byte every ``drip`` seconds, never ending
    them. Use as a context manager; ``opened`` counts connections made,
    ``reopened`` the ones made again after the server closed them.
    """

    def __init__(self, url, idle=200, slowloris=50, drip=1.0,
                 ssl_context=None):
        parsed = urllib.parse.urlsplit(url)
        self.address = (parsed.hostname, parsed.port)
        self.idle = idle
        self.slowloris = slowloris
        self.drip = drip
        self.ssl_context = ssl_context
        self.opened = 0
        self.reopened = 0
        self._sockets = []
        self._stop = threading.Event()
        self._thread = None

    def _connect(self, handshake):
        sock = socket.create_connection(self.address, timeout=10)
        if handshake and self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(
                sock, server_hostname=self.address[0])
        self.opened += 1
        return sock

    def __enter__(self):
        # Idle clients do not even start a TLS handshake.
        self._sockets = [self._connect(False) for _ in range(self.idle)]
        self._dripping = []
        for _ in range(self.slowloris):
            sock = self._connect(True)
            sock.sendall(b'GET /v2.1/servers HTTP/1.1\r\nHost: x\r\n')
            self._dripping.append(sock)
        self._thread = threading.Thread(target=self._drip, daemon=True)
        self._thread.start()
        return self

    def _drip(self):
        while not self._stop.wait(self.drip):
            for index, sock in enumerate(self._dripping):
                try:
                    sock.sendall(b'X')
                except OSError:
                    # Closed by the server: come back, as an attacker would.
                    sock.close()
                    try:
                        sock = self._connect(True)
                        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\nX')
                    except OSError:
                        continue
                    self._dripping[index] = sock
                    self.reopened += 1

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        for sock in self._sockets + self._dripping:
            sock.close()


def probe(url, headers, count=200, ssl_context=None, path='/v2.1/servers',
          timeout=30):
    """Latencies in seconds of ``count`` GETs of ``path``, each on a new
    connection (so accepting one is measured too), one after another.
    Raises AssertionError on an answer other than 200."""
    parsed = urllib.parse.urlsplit(url)
    latencies = []
    for _ in range(count):
        started = time.monotonic()
        if parsed.scheme == 'https':
            conn = http.client.HTTPSConnection(
                parsed.hostname, parsed.port, timeout=timeout,
                context=ssl_context or ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port,
                                              timeout=timeout)
        try:
            # As urllib3 (requests, keystoneauth, the OpenStack clients)
            # does: without it the TLS Finished message and the request
            # meet Nagle's algorithm and the server's delayed ACK (40 ms).
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.request('GET', path, headers=headers)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        latencies.append(time.monotonic() - started)
        if response.status != 200:
            raise AssertionError('GET %s: %s' % (path, response.status))
    return latencies
