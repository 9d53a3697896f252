"""The python-novaclient extension for memory dumps: ``nova
memory-dump-create|list|show|download|delete`` and ``client.memory_dumps``.

A module of its own because novaclient takes exactly one ``Manager``
subclass from each extension module. ``nova trigger-crash --memory-dump``
(in :mod:`crashdump_client.novaclient_ext`) uses the same code.
"""

import sys

from novaclient import exceptions
from novaclient import utils

from crashdump_client import memory_dump_cli
from crashdump_client.v2.memory_dumps import MemoryDumpManager  # noqa: F401
from crashdump_client.v2 import memory_dumps

_FORMAT_HELP = ("Dump format: %s (default %s)."
                % (", ".join(memory_dumps.FORMATS),
                   memory_dumps.DEFAULT_FORMAT))


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
@utils.arg('--dump-format', metavar='<format>',
           choices=memory_dumps.FORMATS,
           default=memory_dumps.DEFAULT_FORMAT, help=_FORMAT_HELP)
@utils.arg('--trigger-crash', action='store_true', default=False,
           help='Send the NMI (crash dump) once the memory is dumped.')
@utils.arg('--wait', action='store_true', default=False,
           help='Wait until the dump is available or has failed.')
@utils.arg('--timeout', metavar='<seconds>', type=float, default=600,
           dest='wait_timeout',
           help='With --wait, give up after this many seconds (default '
                '600).')
def do_memory_dump_create(cs, args):
    """Dump a server's memory on its host (crashdump's own extension)."""
    dump = memory_dump_cli.create(
        cs, args.server, args.dump_format, args.trigger_crash,
        wait=args.wait, timeout=args.wait_timeout, stream=sys.stderr)
    utils.print_dict(dict(zip(*memory_dump_cli.fields(dump))))
    if dump.status == 'error':
        raise exceptions.CommandError('Memory dump %s failed' % dump.id)


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
def do_memory_dump_list(cs, args):
    """List a server's memory dumps, newest first."""
    server = memory_dump_cli.find_server(cs, args.server)
    dumps = memory_dumps.manager_for(cs).list(server)
    utils.print_list(dumps, memory_dump_cli.LIST_COLUMNS)


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
@utils.arg('dump_id', metavar='<dump-id>', help='ID of the memory dump.')
def do_memory_dump_show(cs, args):
    """Show one memory dump: status, progress, size, checksum, errors."""
    server = memory_dump_cli.find_server(cs, args.server)
    dump = memory_dumps.manager_for(cs).get(server, args.dump_id)
    utils.print_dict(dict(zip(*memory_dump_cli.fields(dump))))


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
@utils.arg('dump_id', metavar='<dump-id>', help='ID of the memory dump.')
@utils.arg('--file', metavar='<path>', default=None,
           help='Where to write the dump (default: <dump-id>.<format> in '
                'the current directory). An interrupted download resumes '
                'from <path>.part.')
def do_memory_dump_download(cs, args):
    """Download a memory dump; its SHA-256 is checked."""
    path, size, sha256 = memory_dump_cli.save(cs, args.server, args.dump_id,
                                              args.file, stream=sys.stderr)
    print('%s: %d bytes, sha256 %s' % (path, size, sha256))


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
@utils.arg('dump_id', metavar='<dump-id>', help='ID of the memory dump.')
def do_memory_dump_delete(cs, args):
    """Delete a memory dump; one being created is aborted."""
    server = memory_dump_cli.find_server(cs, args.server)
    memory_dumps.manager_for(cs).delete(server, args.dump_id)
