"""One crash dump request's result, as the list and show commands of both
CLIs read it: ``nova crash-list``/``crash-show`` and ``openstack server
crash-dump list``/``show``.
"""

import concurrent.futures

from novaclient import exceptions

from crashdump_client import bulk
from crashdump_client.v2.crash_dumps import CrashDumpManager
from crashdump_client import waiting


def result_summary(action, api_version):
    """One crash dump request's result, as the list and show commands say.

    :param action: the instance action with its events, if visible.
    :param api_version: the ``APIVersion`` it was read with.
    :returns: "Success", "Error: <details>", "In progress", or "Unknown
        (events not visible)".
    """
    try:
        outcome = waiting.outcome_of(action, api_version)
    except waiting.EventsNotVisible:
        return "Unknown (events not visible)"
    return "In progress" if outcome is None else str(outcome)


def crash_dump_action(compute, server, request_id):
    """Read one request of a server and check it is a crash dump.

    :param compute: a novaclient v2 ``Client``.
    :param server: the novaclient ``Server``.
    :param request_id: the request id the trigger gave.
    :returns: the ``InstanceAction``, with events when visible.
    :raises novaclient.exceptions.NotFound: no such action.
    :raises novaclient.exceptions.CommandError: the request is another
        kind of action.
    """
    action = CrashDumpManager(compute).get(server, request_id)
    if action.action not in waiting.ACTION_NAMES:
        raise exceptions.CommandError(
            "Request %s on server %s (%s) is a %s action, not a crash dump."
            % (request_id, server.name, server.id, action.action))
    return action


def crash_dump_list(compute, server, concurrency=bulk.DEFAULT_CONCURRENCY):
    """The crash dump requests of a server with each one's result.

    :param compute: a novaclient v2 ``Client``.
    :param server: the novaclient ``Server``.
    :param concurrency: reads in flight at once; each request's result
        needs a read of its own, as the list does not carry events.
    :returns: a list of ``(InstanceAction, result summary)``, newest first.
    :raises novaclient.exceptions.NotFound: no such server.
    :raises novaclient.exceptions.ClientException: a read failed.
    """
    manager = CrashDumpManager(compute)
    actions = manager.list(server)
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, concurrency)) as pool:
        details = list(pool.map(
            lambda action: manager.get(server, action.request_id), actions))
    return [(action, result_summary(detail, compute.api_version))
            for action, detail in zip(actions, details)]
