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

import types

from novaclient import exceptions
from novaclient import utils

from crashdump_client.v2.crash_dumps import CrashDumpManager
from crashdump_client import versions
from crashdump_client import waiting

#: Errors that fail one server of a ``trigger-crash`` call but not the rest.
_PER_SERVER_ERRORS = (exceptions.ClientException, exceptions.CommandError,
                      waiting.WaitTimeout, waiting.EventsNotVisible)


def _label(server):
    return "server %s (%s)" % (server.name, server.id)


def _trigger_one(manager, compute, name_or_id, args):
    """Trigger (and maybe follow) one server; print one line; True if ok."""
    try:
        server = utils.find_resource(compute.servers, name_or_id)
        request_id = manager.trigger(server)
        if not args.wait:
            print("Crash dump requested for %s: request %s" % (
                _label(server), request_id))
            return True
        outcome = manager.wait(server, request_id, timeout=args.wait_timeout,
                               interval=args.poll_interval)
    except _PER_SERVER_ERRORS as error:
        print("Crash dump for server %s failed: %s" % (name_or_id, error))
        return False
    print("Crash dump for %s: %s (request %s)" % (
        _label(server), outcome, request_id))
    return outcome.succeeded


@utils.arg('servers', metavar='<server>', nargs='+',
           help='Name or ID of a server; give several to trigger each.')
@utils.arg('--wait', action='store_true', default=False,
           help='Wait until the compute service records whether the crash '
                'dump (NMI) was delivered, and report it.')
# novaclient's first pass over the command line reads --timeout as its global
# HTTP request timeout as well; a wait timeout also bounds each request, which
# is harmless, and its own dest keeps the two values apart afterwards.
@utils.arg('--timeout', metavar='<seconds>', type=float, default=60,
           dest='wait_timeout',
           help='With --wait, give up on a server after this many seconds '
                '(default 60).')
@utils.arg('--poll-interval', metavar='<seconds>', type=float, default=2,
           help='With --wait, seconds between two checks (default 2).')
def do_trigger_crash(cs, args):
    """Trigger a crash dump (NMI) in one or more servers.

    Prints one line per server: the request id, or with --wait the result.
    Exits non-zero if any server was not found, refused or failed.
    """
    versions.require(cs, versions.TRIGGER_CRASH_DUMP,
                     "Triggering a crash dump")
    manager = CrashDumpManager(cs)
    failed = [name_or_id for name_or_id in args.servers
              if not _trigger_one(manager, cs, name_or_id, args)]
    if failed:
        raise exceptions.CommandError(
            "Crash dump failed for %d of %d server(s): %s." % (
                len(failed), len(args.servers), ", ".join(failed)))


def _result_summary(action, api_version):
    try:
        outcome = waiting.outcome_of(action, api_version)
    except waiting.EventsNotVisible:
        return "Unknown (events not visible)"
    return "In progress" if outcome is None else str(outcome)


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
def do_crash_list(cs, args):
    """List the crash dump requests of a server, newest first."""
    server = utils.find_resource(cs.servers, args.server)
    manager = CrashDumpManager(cs)
    actions = manager.list(server)
    # The list does not carry events; the result needs each action's detail.
    results = {action.request_id: _result_summary(
        manager.get(server, action.request_id), cs.api_version)
        for action in actions}
    utils.print_list(
        actions, ['Request ID', 'Start Time', 'Message', 'Result'],
        formatters={'Result': lambda action: results[action.request_id]})


@utils.arg('server', metavar='<server>', help='Name or ID of the server.')
@utils.arg('request_id', metavar='<request-id>',
           help='Request ID that trigger-crash printed.')
def do_crash_show(cs, args):
    """Show one crash dump request of a server, with its events."""
    server = utils.find_resource(cs.servers, args.server)
    action = CrashDumpManager(cs).get(server, args.request_id)
    if action.action != waiting.ACTION_NAME:
        raise exceptions.CommandError(
            "Request %s on %s is a %s action, not a crash dump." % (
                args.request_id, _label(server), action.action))
    fields = action.to_dict()
    events = fields.pop('events', None)
    fields['result'] = _result_summary(action, cs.api_version)
    utils.print_dict(fields)
    if events:
        utils.print_list(
            [types.SimpleNamespace(**event) for event in events],
            ['Event', 'Start Time', 'Finish Time', 'Result', 'Details'])
