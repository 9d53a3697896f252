"""The python-novaclient extension: ``nova trigger-crash``, ``crash-list``,
``crash-show`` and the ``client.crash_dumps`` manager.

novaclient loads this module from the ``novaclient.extension`` entry point
group. It takes the one ``Manager`` subclass it finds here (so this module
must not hold another) and registers every ``do_*`` function as a shell
command. The names avoid ``do_trigger_crash_dump``: novaclient already has
``nova trigger-crash-dump`` and a second parser of that name breaks its shell.

The commands are not wrapped in ``api_versions.wraps``: novaclient would hide
a wrapped command at a too-low microversion and the user would get "invalid
choice"; instead :func:`crashdump_client.versions.require` says what is needed.
"""

import sys
import types

from novaclient import exceptions
from novaclient import utils

from crashdump_client import bulk
from crashdump_client import console
from crashdump_client import memory_dump_cli
from crashdump_client import options
from crashdump_client.v2.crash_dumps import CrashDumpManager  # noqa: F401
from crashdump_client import progress
from crashdump_client import results
from crashdump_client.v2 import memory_dumps


@utils.arg('servers', metavar='<server>', nargs='+',
           help='Name or ID of a server; give several to trigger each.')
@utils.arg('--wait', action='store_true', default=False,
           help='Wait until the compute service records whether the crash '
                'dump (NMI) was delivered, and report it.')
# novaclient's first pass over the command line reads --timeout as its global
# HTTP request timeout as well; a wait timeout also bounds each request, which
# is harmless, and its own dest keeps the two values apart afterwards.
@utils.arg('--timeout', metavar='<seconds>', type=options.positive(float),
           default=60,
           dest='wait_timeout',
           help='With --wait, give up on a server after this many seconds '
                '(default 60).')
@utils.arg('--poll-interval', metavar='<seconds>',
           type=options.positive(float), default=2,
           help='With --wait, seconds between two checks (default 2).')
@utils.arg('--concurrency', metavar='<count>', type=options.positive(int),
           default=bulk.DEFAULT_CONCURRENCY,
           help='Requests in flight at once when several servers are given '
                '(default %d).' % bulk.DEFAULT_CONCURRENCY)
@utils.arg('--console-lines', metavar='<count>', type=console.positive_lines,
           default=None,
           help='With --wait, print the last <count> lines of the console '
                'of each server whose crash dump succeeded (the guest\'s '
                'panic). Off by default.')
@utils.arg('--memory-dump', action='store_true', default=False,
           help='First dump the guest\'s memory on its host (crashdump\'s '
                'own extension, admin only by default), then send the NMI. '
                'With --wait, report both.')
@utils.arg('--dump-format', metavar='<format>',
           default=memory_dumps.DEFAULT_FORMAT, choices=memory_dumps.FORMATS,
           help='With --memory-dump, its format: %s (default %s).' % (
               ', '.join(memory_dumps.FORMATS), memory_dumps.DEFAULT_FORMAT))
def do_trigger_crash(cs, args):
    """Trigger a crash dump (NMI) in one or more servers: a guest set up
    for it panics at once and writes its dump.

    A Linux guest panics on the NMI only with kernel.unknown_nmi_panic=1
    (and writes a dump with kdump); Windows bug-checks by default. Prints
    one line per server: the request id, or with --wait the result (and
    with --console-lines the console's last lines under it). Exits non-zero
    if any server was not found, refused or failed; a console that cannot
    be read does not change that. Needs compute API microversion 2.17 or
    later.
    """
    if args.memory_dump:
        lines, failed = memory_dump_cli.trigger_with_dump(
            cs, args.servers, args.dump_format, args.wait,
            args.wait_timeout, args.poll_interval, sys.stderr)
        print('\n'.join(lines))
        if failed:
            raise exceptions.CommandError('Not every server was dumped and '
                                          'crashed; see above.')
        return
    with progress.Progress(sys.stderr) as display:
        outcomes = bulk.trigger_crash_dumps(
            cs, args.servers, wait=args.wait, timeout=args.wait_timeout,
            interval=args.poll_interval, concurrency=args.concurrency,
            progress=display, console_lines=args.console_lines)
    for result in outcomes:
        print(result_line(result))
        for line in console.result_block(result):
            print(line)
    summary = bulk.failure_summary(outcomes)
    if summary:
        raise exceptions.CommandError(summary)


def result_line(result):
    """The one line ``nova trigger-crash`` prints for a server.

    :param result: a :class:`crashdump_client.bulk.ServerResult`.
    """
    if result.error is not None:
        return "Crash dump for server %s failed: %s" % (
            result.name_or_id, result.error)
    label = "server %s (%s)" % (result.server.name, result.server.id)
    if result.outcome is None:
        return "Crash dump requested for %s: request %s" % (
            label, result.request_id)
    return "Crash dump for %s: %s (request %s)" % (
        label, result.outcome, result.request_id)


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
def do_crash_list(cs, args):
    """List the crash dump requests of a server, newest first."""
    server = utils.find_resource(cs.servers, args.server)
    listed = results.crash_dump_list(cs, server)
    summaries = {action.request_id: summary for action, summary in listed}
    utils.print_list(
        [action for action, _ in listed],
        ['Request ID', 'Start Time', 'Message', 'Result'],
        formatters={'Result': lambda action: summaries[action.request_id]})


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
@utils.arg('request_id', metavar='<request-id>',
           help='Request ID that trigger-crash printed.')
def do_crash_show(cs, args):
    """Show one crash dump request of a server, with its events."""
    server = utils.find_resource(cs.servers, args.server)
    action = results.crash_dump_action(cs, server, args.request_id)
    fields = action.to_dict()
    events = fields.pop('events', None)
    fields['result'] = results.result_summary(action, cs.api_version)
    utils.print_dict(fields)
    if events:
        utils.print_list(
            [types.SimpleNamespace(**event) for event in events],
            ['Event', 'Start Time', 'Finish Time', 'Result', 'Details'])
