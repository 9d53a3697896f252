"""The memory dump manager: the Python API of crashdump's memory dumps.

Host-side memory dumps are crashdump's own resource, beside Nova's compute
API (``/v2.1/servers/{id}/crashdump-memory-dumps``); a real Nova answers
404 there. Requests go through novaclient's session, so authentication,
endpoints and errors are novaclient's.

Example, with a novaclient ``Client`` ``nova``::

    from crashdump_client.v2 import memory_dumps
    dumps = memory_dumps.MemoryDumpManager(nova)
    dump = dumps.create(server_id, dump_format="elf",
                        trigger_crash_dump=True)
    dump = dumps.wait(server_id, dump.id, timeout=600)
    size, sha256 = dumps.download(server_id, dump.id, "web-1.elf")
"""

import hashlib
import os
import time

from keystoneauth1 import adapter
from novaclient import base
from novaclient import exceptions

from crashdump_client import waiting

FORMATS = ("kdump-zlib", "kdump-lzo", "kdump-snappy", "elf", "win-dmp")
DEFAULT_FORMAT = "kdump-zlib"
COLLECTION = "crashdump-memory-dumps"
CHECKSUM_HEADER = "X-Crashdump-SHA256"
#: Bytes read from the network at a time while downloading.
CHUNK = 1 << 20


class MemoryDumpFailed(Exception):
    """The dump ended in status ``error``; the message says why."""


class ChecksumMismatch(Exception):
    """The downloaded file's SHA-256 is not the one the server recorded."""


class MemoryDump(base.Resource):
    """One memory dump: id, status, format, progress, size, sha256, ..."""

    def __repr__(self):
        return "<MemoryDump %s %s>" % (getattr(self, "id", "?"),
                                       getattr(self, "status", "?"))


def _server_id(server):
    return base.getid(server)


class MemoryDumpManager(base.Manager):
    """Create, follow, download and delete a server's memory dumps."""

    resource_class = MemoryDump

    def _path(self, server, dump_id=None):
        path = "/servers/%s/%s" % (_server_id(server), COLLECTION)
        return path if dump_id is None else "%s/%s" % (path, dump_id)

    def create(self, server, dump_format=DEFAULT_FORMAT,
               trigger_crash_dump=False):
        """Ask for a dump of the server's memory (and then an NMI).

        :param server: a novaclient ``Server`` or a server id.
        :param dump_format: one of :data:`FORMATS`.
        :param trigger_crash_dump: send the NMI once the dump is taken.
        :returns: the :class:`MemoryDump`, status ``creating``.
        :raises novaclient.exceptions.ClientException: the API's refusal:
            Forbidden (403, by default only administrators may), NotFound
            (404: no such server, or a compute API without memory dumps),
            Conflict (409), BadRequest (400).
        """
        body = {"memory_dump": {"format": dump_format,
                                "trigger_crash_dump": trigger_crash_dump}}
        return self._create(self._path(server), body, "memory_dump")

    def list(self, server):
        """The server's dumps, newest first."""
        return self._list(self._path(server), "memory_dumps")

    def get(self, server, dump_id):
        """One dump; raises NotFound when there is none."""
        return self._get(self._path(server, dump_id), "memory_dump")

    def delete(self, server, dump_id):
        """Delete a dump; one being created is aborted."""
        return self._delete(self._path(server, dump_id))

    def wait(self, server, dump_id, timeout=600, interval=2, progress=None):
        """Wait until the dump is available or has failed.

        :param progress: called with the dump each time it is read.
        :returns: the available :class:`MemoryDump`.
        :raises MemoryDumpFailed: the dump ended in error.
        :raises crashdump_client.waiting.WaitTimeout: still creating after
            ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            dump = self.get(server, dump_id)
            if progress is not None:
                progress(dump)
            if dump.status == "available":
                return dump
            if dump.status == "error":
                raise MemoryDumpFailed("Memory dump %s failed: %s"
                                       % (dump_id, dump.error))
            if time.monotonic() + interval > deadline:
                raise waiting.WaitTimeout(
                    "Memory dump %s is still being created after %s s"
                    % (dump_id, timeout))
            time.sleep(interval)

    def download(self, server, dump_id, path, progress=None):
        """Download a dump to ``path``, resuming a partial ``path.part``.

        The file is written as ``<path>.part`` and renamed once its SHA-256
        matches the server's; an interrupted download leaves the part,
        and the next call asks only for the rest (a Range request).

        :param progress: called with (bytes so far, total bytes).
        :returns: (size, sha256 hex).
        :raises ChecksumMismatch: the file does not match (the part is
            removed, so the next call starts over).
        :raises novaclient.exceptions.ClientException: the API's refusal
            (403, 404, 409 not available, 503 file unreachable).
        """
        partial = path + ".part"
        have = os.path.getsize(partial) if os.path.exists(partial) else 0
        headers = {"Accept": "application/octet-stream"}
        if have:
            headers["Range"] = "bytes=%d-" % have
        response = self._stream(self._path(server, dump_id) + "/file",
                                headers)
        try:
            if response.status_code == 416:
                # The part is no prefix of this dump: start over.
                os.unlink(partial)
                return self.download(server, dump_id, path, progress)
            if response.status_code >= 400:
                try:
                    body = response.json()
                except ValueError:
                    body = None
                raise exceptions.from_response(response, body, response.url,
                                               "GET")
            resumed = response.status_code == 206 and have
            expected = response.headers.get(CHECKSUM_HEADER)
            total = int(response.headers.get("Content-Length", 0)) + (
                have if resumed else 0)
            digest = hashlib.sha256()
            done = 0
            if resumed:
                with open(partial, "rb") as stream:
                    for block in iter(lambda: stream.read(CHUNK), b""):
                        digest.update(block)
                done = have
            with open(partial, "ab" if resumed else "wb") as out:
                for block in response.iter_content(CHUNK):
                    out.write(block)
                    digest.update(block)
                    done += len(block)
                    if progress is not None:
                        progress(done, total)
        finally:
            response.close()
        sha256 = digest.hexdigest()
        if expected and sha256 != expected:
            os.unlink(partial)
            raise ChecksumMismatch(
                "The download of memory dump %s has SHA-256 %s, not %s; "
                "download it again" % (dump_id, sha256, expected))
        os.replace(partial, path)
        return done, sha256

    def _stream(self, url, headers):
        # novaclient's SessionClient reads every body as JSON; the plain
        # keystoneauth adapter below it streams.
        return adapter.Adapter.request(self.api.client, url, "GET",
                                       headers=headers, stream=True,
                                       raise_exc=False)


def manager_for(compute):
    """The memory dump manager of a novaclient ``Client``: the extension's
    ``compute.memory_dumps`` when loaded, else one made for it."""
    return getattr(compute, "memory_dumps", None) or MemoryDumpManager(
        compute)
