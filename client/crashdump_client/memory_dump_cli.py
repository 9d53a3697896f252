"""What ``nova`` and ``openstack`` do with memory dumps, written once.

Both CLIs call these with a novaclient ``Client`` (``nova``'s own, or the
crashdump client of OpenStackClient) and print what they return.
"""

import os
import time

from novaclient import exceptions
from novaclient import utils

from crashdump_client import percent_bar
from crashdump_client.v2 import memory_dumps
from crashdump_client import waiting

#: The fields of a dump, in the order ``show`` prints them.
FIELDS = ("id", "server_id", "status", "progress", "format", "size",
          "sha256", "created_at", "finished_at", "host", "request_id",
          "user_id", "error", "trigger_crash_dump",
          "trigger_crash_dump_result")
LIST_COLUMNS = ("ID", "Status", "Format", "Size", "Created At", "Error")


def fields(dump):
    """(names, values) of a dump for a ShowOne or print_dict."""
    data = dump.to_dict()
    names = [name for name in FIELDS if name in data]
    return names, [data[name] for name in names]


def rows(dumps):
    return [(d.id, d.status, d.format, d.size, d.created_at, d.error)
            for d in dumps]


def _not_served(compute, exc):
    """A clearer 404 when the compute API has no memory dumps (Nova)."""
    try:
        compute.client.get("/crashdump")
    except exceptions.NotFound:
        return exceptions.CommandError(
            "This compute API does not serve memory dumps: they are "
            "crashdump's own extension, not part of Nova's API.")
    except exceptions.ClientException:
        pass
    return exc


def find_server(compute, server):
    return utils.find_resource(compute.servers, server)


def create(compute, server, dump_format, trigger_crash_dump=False,
           wait=False, timeout=600, interval=2, stream=None):
    """Create a dump of ``server`` (name or id); with ``wait``, follow it
    to the end with a bar on a terminal. Returns the dump.

    Raises CommandError when the dump failed or the API has no dumps.
    """
    server = find_server(compute, server)
    manager = memory_dumps.manager_for(compute)
    try:
        dump = manager.create(server, dump_format, trigger_crash_dump)
    except exceptions.NotFound as exc:
        raise _not_served(compute, exc)
    if not wait:
        return dump
    with percent_bar.PercentBar("Dumping %s" % server.name,
                                stream) as bar:
        try:
            dump = manager.wait(
                server, dump.id, timeout=timeout, interval=interval,
                progress=lambda d: bar.update(d.progress or 0))
        except (memory_dumps.MemoryDumpFailed, waiting.WaitTimeout) as exc:
            raise exceptions.CommandError(str(exc))
        if trigger_crash_dump:
            dump = _wait_for_trigger(manager, server, dump, timeout,
                                     interval)
    return dump


def _wait_for_trigger(manager, server, dump, timeout, interval):
    """The dump once the NMI sent after it has its result."""
    deadline = time.monotonic() + timeout
    while not dump.trigger_crash_dump_result:
        if time.monotonic() > deadline:
            raise exceptions.CommandError(
                "The memory dump %s is available, but the NMI after it has "
                "no result after %s s" % (dump.id, timeout))
        time.sleep(min(interval, 0.5))
        dump = manager.get(server, dump.id)
    return dump


def trigger_with_dump(compute, servers, dump_format, wait, timeout,
                      interval, stream=None):
    """``nova trigger-crash --memory-dump``: for each server a dump, then
    the NMI. Returns (lines to print, failed)."""
    lines, failed = [], False
    for name in servers:
        try:
            dump = create(compute, name, dump_format,
                          trigger_crash_dump=True, wait=wait,
                          timeout=timeout, interval=interval, stream=stream)
        except exceptions.ClientException as exc:
            lines.append("%s: %s" % (name, exc))
            failed = True
            continue
        except exceptions.CommandError as exc:
            lines.append("%s: %s" % (name, exc))
            failed = True
            continue
        if not wait:
            lines.append("%s: memory dump %s requested (request %s); the "
                         "NMI follows it" % (name, dump.id, dump.request_id))
            continue
        nmi = dump.trigger_crash_dump_result
        failed = failed or nmi != "Success"
        lines.append("%s: memory dump %s available (%s, %d bytes, sha256 "
                     "%s); NMI: %s" % (name, dump.id, dump.format, dump.size,
                                       dump.sha256, nmi))
    return lines, failed


def save(compute, server, dump_id, path=None, stream=None):
    """Download a dump to ``path`` (default: ``<dump id>.<format>`` here)
    with a bar on a terminal. Returns (path, size, sha256)."""
    server = find_server(compute, server)
    manager = memory_dumps.manager_for(compute)
    if path is None:
        dump = manager.get(server, dump_id)
        path = os.path.join(os.getcwd(), "%s.%s" % (dump.id, dump.format))
    with percent_bar.PercentBar("Downloading %s" % dump_id, stream) as bar:
        try:
            size, sha256 = manager.download(server, dump_id, path,
                                            progress=bar.update_bytes)
        except memory_dumps.ChecksumMismatch as exc:
            raise exceptions.CommandError(str(exc))
    return path, size, sha256
