"""``openstack server crash-dump trigger|list|show``.

Each command reads ``client_manager.crashdump`` (a novaclient ``Client`` at
the negotiated compute microversion, see :mod:`crashdump_client.osc.http`)
and hands the work to :mod:`crashdump_client.bulk` and
:mod:`crashdump_client.results`, the code ``nova trigger-crash``,
``crash-list`` and ``crash-show`` run. Output is cliff's,
so ``-f table|value|json|yaml|csv`` and ``-c <column>`` apply.

Versions: triggering needs 2.17, checked (with its one sentence) before any
server is looked up; reading results as a project member needs 2.51 and
error details 2.84, which each result explains when they are missing.
"""

import logging

from osc_lib.cli import format_columns
from osc_lib.command import command
from novaclient import utils

from crashdump_client import bulk
from crashdump_client import console
from crashdump_client import options
from crashdump_client import progress
from crashdump_client import results

LOG = logging.getLogger(__name__)

TRIGGER_COLUMNS = ("Server", "ID", "Request ID", "Result")
#: The extra column of ``trigger --console-lines`` in formats other than
#: the table (a table prints the console under itself instead).
CONSOLE_COLUMN = "Console"
LIST_COLUMNS = ("Request ID", "Start Time", "Message", "Result")
#: The fields of ``show``, in this order; ``updated_at`` from 2.58.
SHOW_FIELDS = ("action", "instance_uuid", "request_id", "user_id",
               "project_id", "start_time", "updated_at", "message",
               "result", "events")


class TriggerCrashDump(command.Lister):
    """Trigger a crash dump (NMI) in one or more servers.

    Prints one row per server: its request ID and, with --wait, whether the
    NMI was delivered. A failure on one server does not stop the others;
    the command exits non-zero when any server was not found, refused the
    request or, with --wait, did not succeed. With --console-lines the
    last lines of each delivered server's console follow the table (in
    other formats they are the Console column); a console that cannot be
    read is said in one sentence and does not change the exit status.
    Needs compute API microversion 2.17 or later.
    """

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "servers", metavar="<server>", nargs="+",
            help="Server to crash dump (name or ID); give several to "
                 "trigger each")
        parser.add_argument(
            "--wait", action="store_true",
            help="Wait until the compute service records whether the NMI "
                 "was delivered, and report Success or the error")
        parser.add_argument(
            "--timeout", metavar="<seconds>", type=options.positive(float),
            default=60,
            help="With --wait, stop waiting for outcomes after this many "
                 "seconds (default 60)")
        parser.add_argument(
            "--poll-interval", metavar="<seconds>",
            type=options.positive(float), default=2,
            help="With --wait, seconds between two checks (default 2)")
        parser.add_argument(
            "--concurrency", metavar="<count>", type=options.positive(int),
            default=bulk.DEFAULT_CONCURRENCY,
            help="Requests in flight at once when several servers are "
                 "given (default %d)" % bulk.DEFAULT_CONCURRENCY)
        parser.add_argument(
            "--console-lines", metavar="<count>",
            type=options.positive(int), default=None,
            help="With --wait, show the last <count> lines of the console "
                 "of each server whose crash dump succeeded (the guest's "
                 "panic); off by default")
        return parser

    def take_action(self, parsed_args):
        compute = self.app.client_manager.crashdump
        with progress.Progress(self.app.stderr) as display:
            outcomes = bulk.trigger_crash_dumps(
                compute, parsed_args.servers, wait=parsed_args.wait,
                timeout=parsed_args.timeout,
                interval=parsed_args.poll_interval,
                concurrency=parsed_args.concurrency, progress=display,
                console_lines=parsed_args.console_lines)
        self.failure_summary = bulk.failure_summary(outcomes)
        rows = [(result.server_name, result.server_id, result.request_id,
                 result.result) for result in outcomes]
        if not parsed_args.console_lines:
            return TRIGGER_COLUMNS, rows
        if parsed_args.formatter == "table":
            self.console_blocks = [console.result_block(result)
                                   for result in outcomes]
            return TRIGGER_COLUMNS, rows
        return TRIGGER_COLUMNS + (CONSOLE_COLUMN,), [
            row + (result.console.text() if result.console else None,)
            for row, result in zip(rows, outcomes)]

    def run(self, parsed_args):
        """Print the rows (and the consoles under a table), then fail the
        command if any server failed.

        :returns: the exit status: 0 when every server succeeded, else 1.
        """
        self.failure_summary = None
        self.console_blocks = []
        status = super().run(parsed_args)
        for block in self.console_blocks:
            for line in block:
                self.app.stdout.write(line + "\n")
        if self.failure_summary:
            self.app.stderr.write(self.failure_summary + "\n")
            return status or 1
        return status


class _ServerCommand(object):
    """What ``list`` and ``show`` share: the server argument, then the
    compute client and the server it names."""

    def add_server_argument(self, parser):
        parser.add_argument("server", metavar="<server>",
                            help="Server (name or ID)")
        return parser

    def compute_and_server(self, parsed_args):
        """:returns: (the compute client, the novaclient ``Server``).
        :raises novaclient.exceptions.CommandError: no such server, or
            more than one by that name."""
        compute = self.app.client_manager.crashdump
        return compute, utils.find_resource(compute.servers,
                                            parsed_args.server)


class ListCrashDump(_ServerCommand, command.Lister):
    """List the crash dump requests of a server, newest first.

    The Result column is Success, Error: <details>, In progress, or
    Unknown when your role and microversion do not show events. Only the
    first page of the server's instance actions is read.
    """

    def get_parser(self, prog_name):
        return self.add_server_argument(super().get_parser(prog_name))

    def take_action(self, parsed_args):
        compute, server = self.compute_and_server(parsed_args)
        return LIST_COLUMNS, [
            (action.request_id, action.start_time, action.message, summary)
            for action, summary in results.crash_dump_list(compute, server)]


class ShowCrashDump(_ServerCommand, command.ShowOne):
    """Show one crash dump request of a server, with its events."""

    def get_parser(self, prog_name):
        parser = self.add_server_argument(super().get_parser(prog_name))
        parser.add_argument("request_id", metavar="<request-id>",
                            help="Request ID that the trigger gave")
        return parser

    def take_action(self, parsed_args):
        compute, server = self.compute_and_server(parsed_args)
        action = results.crash_dump_action(compute, server,
                                           parsed_args.request_id)
        fields = action.to_dict()
        fields["result"] = results.result_summary(action,
                                                  compute.api_version)
        if "events" in fields:
            fields["events"] = format_columns.ListDictColumn(
                fields["events"])
        names = [name for name in SHOW_FIELDS if name in fields]
        return names, [fields[name] for name in names]
