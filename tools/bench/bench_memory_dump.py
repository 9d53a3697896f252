"""Host-side memory dumps of real QEMU guests: how long, how fast, how
long the guest stands still, and how fast the API serves the file.

Needs root and a machine that runs QEMU: it sets the host up with
tools/realparts/libvirt through the functional tests' ``host`` helpers
(taking their lock), starts ``crashdump-all`` with the libvirt driver, and
for each guest size boots a marker guest (build-marker-guest.sh, 1 vCPU)
and asks the API for one dump per format. Per dump it prints:

* ``dump s``: the API's 202 to the dump being available (the agent's
  hashing and fsync included), and ``MiB/s`` of guest memory per second;
* ``file MiB``: the dump's size;
* ``paused s``: how long libvirt reported the guest paused meanwhile
  (QEMU stops the guest while it copies memory), polled every 10 ms from
  a connection of its own.

Then, for the largest ELF dump, in MiB/s: the download through the API
read and thrown away (what the server streams), the download with the
Python API (written to disk, SHA-256 checked on the way), and a plain
file copy on the same disk (``shutil.copyfile``).

Formats the host's QEMU lacks (Debian 12: lzo, snappy) print their
error. Guests' memory is mostly untouched zero pages, which compress to
almost nothing: real guests give larger kdump files and slower dumps.

Usage: python tools/bench/bench_memory_dump.py [--sizes 256,1024]
       [--formats elf,kdump-zlib,kdump-lzo,kdump-snappy] [--json]
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)

import libvirt  # noqa: E402
from keystoneauth1 import session as ks_session  # noqa: E402
from keystoneauth1.token_endpoint import Token  # noqa: E402
from novaclient import api_versions  # noqa: E402
from novaclient import client as nova_client  # noqa: E402

from crashdump_client.v2 import memory_dumps  # noqa: E402
from tests.functional.libvirt import host  # noqa: E402
from tests.functional.libvirt import memory_dumps as guests  # noqa: E402
from tests.lib import embedded  # noqa: E402

TOKEN = 'admin:demo'


class PauseWatch(threading.Thread):
    """Adds up the time a domain is paused while it runs."""

    def __init__(self, uuid):
        super().__init__(daemon=True)
        self.conn = libvirt.open(host.URI)
        self.dom = self.conn.lookupByUUIDString(uuid)
        self.stop = threading.Event()
        self.paused = 0.0

    def run(self):
        last = time.monotonic()
        while not self.stop.is_set():
            time.sleep(0.01)
            now = time.monotonic()
            if self.dom.state()[0] == libvirt.VIR_DOMAIN_PAUSED:
                self.paused += now - last
            last = now

    def finish(self):
        self.stop.set()
        self.join()
        self.conn.close()
        return self.paused


def api(url, method, path, body=None):
    request = urllib.request.Request(
        url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={'X-Auth-Token': TOKEN, 'Content-Type': 'application/json',
                 'Accept': 'application/json'})
    with urllib.request.urlopen(request, timeout=60) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


def one_dump(url, uuid, dump_format, memory):
    path = guests.PATH % uuid
    watch = PauseWatch(uuid)
    watch.start()
    started = time.monotonic()
    dump = api(url, 'POST', path, {'memory_dump': {'format': dump_format}})[
        'memory_dump']
    while dump['status'] == 'creating':
        time.sleep(0.02)
        dump = api(url, 'GET', path + '/' + dump['id'])['memory_dump']
    seconds = time.monotonic() - started
    paused = watch.finish()
    row = {'memory_mib': memory, 'format': dump_format,
           'status': dump['status'], 'id': dump['id']}
    if dump['status'] == 'available':
        row.update({'dump_s': round(seconds, 2),
                    'mib_per_s': round(memory / seconds, 1),
                    'file_mib': round(dump['size'] / 2 ** 20, 1),
                    'paused_s': round(paused, 2)})
    else:
        row['error'] = dump['error']
    return row


def download_vs_copy(url, uuid, dump_id, directory, state_dir):
    session = ks_session.Session(auth=Token(url, TOKEN))
    manager = memory_dumps.MemoryDumpManager(nova_client.Client(
        api_versions.APIVersion('2.96'), session=session))
    started = time.monotonic()
    with urllib.request.urlopen(urllib.request.Request(
            url + guests.PATH % uuid + '/%s/file' % dump_id,
            headers={'X-Auth-Token': TOKEN}), timeout=60) as response:
        while response.read(1 << 20):
            pass
    discard_s = time.monotonic() - started
    target = os.path.join(directory, 'download')
    started = time.monotonic()
    size, _sha = manager.download(uuid, dump_id, target)
    api_s = time.monotonic() - started
    source = [os.path.join(state_dir, n) for n in os.listdir(state_dir)
              if n.startswith(dump_id)][0]
    copy = os.path.join(directory, 'copy')
    started = time.monotonic()
    shutil.copyfile(source, copy)
    with open(copy, 'rb+') as stream:
        os.fsync(stream.fileno())
    copy_s = time.monotonic() - started
    mib = size / 2 ** 20
    return {'file_mib': round(mib, 1),
            'api_discard_mib_per_s': round(mib / discard_s, 1),
            'api_download_mib_per_s': round(mib / api_s, 1),
            'file_copy_mib_per_s': round(mib / copy_s, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='256,1024')
    parser.add_argument('--formats',
                        default='elf,kdump-zlib,kdump-lzo,kdump-snappy')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    formats = args.formats.split(',')
    host.acquire()
    work = tempfile.mkdtemp(prefix='crashdump-bench-md-')
    prefix = 'cdft%d-bench-' % os.getpid()
    rows, transfer = [], None
    try:
        with host.exclusive(), embedded.EmbeddedServer([], options={
                'DEFAULT.compute_driver': 'libvirt',
                'libvirt.connection_uri': host.URI,
                'libvirt.default_project_id': 'demo'}) as server:
            state_dir = os.path.join(server.workdir, 'state', 'memory-dumps')
            for memory in sizes:
                _name, uuid, _marker = guests.marker_guest(prefix, memory, 1)
                host.wait_for(lambda: uuid in json.dumps(api(
                    server.compute_url, 'GET', '/servers')), 30,
                    'guest listed')
                for dump_format in formats:
                    row = one_dump(server.compute_url, uuid, dump_format,
                                   memory)
                    rows.append(row)
                    if row['status'] == 'available' and dump_format == 'elf':
                        transfer = download_vs_copy(
                            server.compute_url, uuid, row['id'], work,
                            state_dir)
                    if row['status'] == 'available':
                        api(server.compute_url, 'DELETE', guests.PATH % uuid
                            + '/' + row['id'])
                host.script('domain.sh', 'remove-all', prefix)
    finally:
        host.script('domain.sh', 'remove-all', prefix)
        shutil.rmtree(work, ignore_errors=True)
        host.release()
    if args.json:
        print(json.dumps({'dumps': rows, 'transfer': transfer}, indent=2))
        return 0
    print('%-8s %-13s %8s %8s %9s %9s' % ('guest', 'format', 'dump s',
                                          'MiB/s', 'file MiB', 'paused s'))
    for row in rows:
        if row['status'] != 'available':
            print('%-8s %-13s %s' % ('%d MiB' % row['memory_mib'],
                                     row['format'], row['error']))
            continue
        print('%-8s %-13s %8.2f %8.1f %9.1f %9.2f' % (
            '%d MiB' % row['memory_mib'], row['format'], row['dump_s'],
            row['mib_per_s'], row['file_mib'], row['paused_s']))
    if transfer:
        print('download of a %.1f MiB ELF dump: API to nowhere %.1f MiB/s, '
              'API to a file with the Python API (sha256 checked) %.1f '
              'MiB/s, plain file copy %.1f MiB/s' % (
                  transfer['file_mib'], transfer['api_discard_mib_per_s'],
                  transfer['api_download_mib_per_s'],
                  transfer['file_copy_mib_per_s']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
