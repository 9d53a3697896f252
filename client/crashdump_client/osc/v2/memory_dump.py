"""``openstack server memory-dump create|list|show|save|delete``.

Host-side memory dumps are crashdump's own extension of the compute API.
The format option is ``--dump-format`` because ``-f/--format`` chooses
cliff's output formatter; ``save`` is OSC's verb for a download, as in
``openstack image save --file PATH``. The work is done in
:mod:`crashdump_client.memory_dump_cli`, which ``nova`` runs too.
"""

from osc_lib.command import command

from crashdump_client import memory_dump_cli
from crashdump_client.v2 import memory_dumps


def _server_arg(parser):
    parser.add_argument("server", metavar="<server>",
                        help="Server (name or ID)")


class _OneDump(object):
    """The arguments of commands on one dump: <server> <dump-id>."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _server_arg(parser)
        parser.add_argument("dump_id", metavar="<dump-id>",
                            help="Memory dump ID")
        return parser

    def server_and_manager(self, parsed_args):
        compute = self.app.client_manager.crashdump
        return (memory_dump_cli.find_server(compute, parsed_args.server),
                memory_dumps.manager_for(compute))


class CreateMemoryDump(command.ShowOne):
    """Dump a server's memory on its host (administrators by default).

    The dump holds the guest's memory and vCPU registers, for crash,
    drgn, volatility or WinDbg. With --trigger-crash-dump the NMI follows
    the dump, so the dump holds the stalled state.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _server_arg(parser)
        parser.add_argument(
            "--dump-format", metavar="<format>",
            choices=memory_dumps.FORMATS,
            default=memory_dumps.DEFAULT_FORMAT,
            help="Dump format: %s (default %s)" % (
                ", ".join(memory_dumps.FORMATS),
                memory_dumps.DEFAULT_FORMAT))
        parser.add_argument(
            "--trigger-crash-dump", action="store_true",
            help="Send the NMI (crash dump) once the memory is dumped")
        parser.add_argument(
            "--wait", action="store_true",
            help="Wait until the dump is available or has failed (a "
                 "progress bar on a terminal)")
        parser.add_argument(
            "--timeout", metavar="<seconds>", type=float, default=600,
            help="With --wait, give up after this many seconds (default "
                 "600)")
        return parser

    def take_action(self, parsed_args):
        compute = self.app.client_manager.crashdump
        dump = memory_dump_cli.create(
            compute, parsed_args.server, parsed_args.dump_format,
            parsed_args.trigger_crash_dump, wait=parsed_args.wait,
            timeout=parsed_args.timeout, stream=self.app.stderr)
        return memory_dump_cli.fields(dump)


class ListMemoryDump(command.Lister):
    """List a server's memory dumps, newest first."""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _server_arg(parser)
        return parser

    def take_action(self, parsed_args):
        compute = self.app.client_manager.crashdump
        server = memory_dump_cli.find_server(compute, parsed_args.server)
        return memory_dump_cli.LIST_COLUMNS, memory_dump_cli.rows(
            memory_dumps.manager_for(compute).list(server))


class ShowMemoryDump(_OneDump, command.ShowOne):
    """Show a memory dump: status, progress, size, checksum and errors."""

    def take_action(self, parsed_args):
        server, manager = self.server_and_manager(parsed_args)
        return memory_dump_cli.fields(manager.get(server,
                                                  parsed_args.dump_id))


class SaveMemoryDump(_OneDump, command.Command):
    """Save (download) a memory dump; its SHA-256 is checked.

    An interrupted download resumes from <file>.part on the next save.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--file", metavar="<path>", default=None,
            help="Where to write the dump (default: <dump-id>.<format> in "
                 "the current directory)")
        return parser

    def take_action(self, parsed_args):
        compute = self.app.client_manager.crashdump
        path, size, sha256 = memory_dump_cli.save(
            compute, parsed_args.server, parsed_args.dump_id,
            parsed_args.file, stream=self.app.stderr)
        self.app.stdout.write("%s: %d bytes, sha256 %s\n"
                              % (path, size, sha256))


class DeleteMemoryDump(_OneDump, command.Command):
    """Delete a memory dump; one being created is aborted."""

    def take_action(self, parsed_args):
        server, manager = self.server_and_manager(parsed_args)
        manager.delete(server, parsed_args.dump_id)
