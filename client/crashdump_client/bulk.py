"""Crash dumps on many servers, one result each: the bulk trigger.

``nova trigger-crash`` and ``openstack server crash-dump trigger`` run the
same steps through the same novaclient ``Client``: find each server, send
the request, and with ``--wait`` follow it to its outcome. A failure on one
server is recorded on that server's :class:`ServerResult` and the others go
on; the caller prints one result per server (each CLI in its own format)
and fails the command when any failed (:func:`failure_summary`). Refused
credentials (HTTP 401) are no one server's failure: the call raises the
first 401 once instead of giving each server the same row.

Requests go out from a bounded thread pool so that hundreds of servers do
not take hundreds of round trips end to end; the results keep the order
the servers were given in. With many servers, one listing of the caller's
servers finds them instead of a lookup each.
"""

import collections
import concurrent.futures

from keystoneauth1 import exceptions as ksa_exceptions
from novaclient import exceptions
from novaclient import utils
from oslo_utils import uuidutils

from crashdump_client import console
from crashdump_client.v2.crash_dumps import CrashDumpManager
from crashdump_client import versions
from crashdump_client import waiting

#: Errors that fail one server of a call but not the rest: the API's
#: answers, a name that matches no or several servers, a wait that ends
#: without an outcome, and a transport failure on one request.
PER_SERVER_ERRORS = (exceptions.ClientException, exceptions.CommandError,
                     waiting.WaitTimeout, waiting.EventsNotVisible,
                     ksa_exceptions.ClientException)

#: Answers that refuse the caller's credentials. They are not one server's
#: failure: the call raises the first of them instead of a row per server.
AUTH_ERRORS = (exceptions.Unauthorized, ksa_exceptions.Unauthorized)

#: Requests in flight at once unless the caller says otherwise. It stays
#: below keystoneauth's connection pool (10 per host), so no connection is
#: opened only to be thrown away.
DEFAULT_CONCURRENCY = 8
#: How many failed servers the closing sentence names.
_NAMED_FAILURES = 10
#: What one server's result says before its outcome is known.
REQUESTED = "Requested"
#: From this many servers on, one listing of the caller's servers finds
#: them: a lookup each would be one request per id and two per name.
LISTING_FROM = 10


class ServerResult(object):
    """What happened to one server of a trigger call.

    :ivar name_or_id: the server as the caller named it.
    :ivar server: the novaclient ``Server`` found, or ``None``.
    :ivar request_id: the accepted request's id, or ``None``.
    :ivar outcome: the :class:`~crashdump_client.waiting.CrashDumpOutcome`
        when waited for, else ``None``.
    :ivar error: the exception that failed this server, or ``None``.
    :ivar console: the :class:`~crashdump_client.console.ConsoleTail` read
        after a delivered crash dump when asked for, else ``None``.
    """

    def __init__(self, name_or_id):
        self.name_or_id = name_or_id
        self.server = None
        self.request_id = None
        self.outcome = None
        self.error = None
        self.console = None

    @property
    def succeeded(self):
        """True when the request was accepted and, if followed, delivered."""
        if self.error is not None:
            return False
        return self.outcome is None or self.outcome.succeeded

    @property
    def server_name(self):
        return self.server.name if self.server else self.name_or_id

    @property
    def server_id(self):
        return self.server.id if self.server else None

    @property
    def result(self):
        """"Requested", the outcome ("Success", "Error: ...") or "Failed:
        <why>" when the request was never accepted or could not be
        followed."""
        if self.error is not None:
            return "Failed: %s" % self.error
        return REQUESTED if self.outcome is None else str(self.outcome)


def trigger_crash_dumps(compute, names_or_ids, wait=False, timeout=60,
                        interval=2, concurrency=DEFAULT_CONCURRENCY,
                        progress=None, console_lines=None):
    """Trigger a crash dump on each server and, optionally, follow them.

    :param compute: a novaclient v2 ``Client`` at the version to use.
    :param names_or_ids: the servers, by name or id, in the order results
        are wanted.
    :param wait: also wait for each accepted request's outcome.
    :param timeout: with ``wait``, seconds to wait for the outcomes, counted
        from when the last request was sent.
    :param interval: with ``wait``, seconds between two reads of an action.
    :param concurrency: requests in flight at once (at least 1).
    :param progress: a :class:`crashdump_client.progress.Progress`, or
        ``None`` for none.
    :param console_lines: with ``wait``, read this many last lines of the
        console of each server whose crash dump succeeded (its result's
        ``console``); ``None`` reads none.
    :returns: a list of :class:`ServerResult`, one per item of
        ``names_or_ids``, in that order.
    :raises novaclient.exceptions.UnsupportedVersion: before anything is
        sent, when the client's microversion is below 2.17.
    :raises novaclient.exceptions.CommandError: before anything is sent,
        when ``console_lines`` is given without ``wait``.
    :raises novaclient.exceptions.Unauthorized: (or keystoneauth1's) once,
        when the credentials were refused (HTTP 401).
    """
    console.check_options(wait, console_lines)
    versions.require(compute, versions.TRIGGER_CRASH_DUMP,
                     "Triggering a crash dump")
    manager = CrashDumpManager(compute)
    results = [ServerResult(name_or_id) for name_or_id in names_or_ids]
    if len(results) >= LISTING_FROM:
        _find_in_listing(compute, results)
    with concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, concurrency)) as pool:
        _start(progress, "Triggering", len(results))
        list(pool.map(
            lambda result: _trigger_one(manager, compute, result, progress),
            results))
        _raise_if_refused(results)
        if wait:
            _wait_all(manager, compute,
                      [r for r in results if r.error is None],
                      timeout, interval, pool, progress)
            _raise_if_refused(results)
        if wait and console_lines:
            _read_consoles(compute, [r for r in results if r.outcome and
                                     r.succeeded], console_lines, pool,
                           progress)
    return results


def _raise_if_refused(results):
    """Raise the first authentication failure among ``results``: the same
    401 for every server says nothing about any one of them."""
    for result in results:
        if isinstance(result.error, AUTH_ERRORS):
            raise result.error


def _find_in_listing(compute, results):
    """Set the server of each result that the caller's server listing
    names without doubt: by id, or by a name only one server has.

    What it leaves unset is looked up on its own, as novaclient's
    ``find_resource`` does for any server: an id from another project
    (which an admin may use), a name two servers share or none has (the
    lookup's error says so), an id-like name. When the listing fails, every
    server is looked up on its own.
    """
    try:
        listing = compute.servers.list(detailed=False, limit=-1)
    except PER_SERVER_ERRORS:
        return
    by_id = {server.id: server for server in listing}
    by_name = collections.defaultdict(list)
    for server in listing:
        by_name[server.name].append(server)
    for result in results:
        wanted = result.name_or_id
        if wanted in by_id:
            result.server = by_id[wanted]
        elif (len(by_name.get(wanted, ())) == 1 and
              not uuidutils.is_uuid_like(wanted)):
            result.server = by_name[wanted][0]


def _trigger_one(manager, compute, result, progress):
    """Find (unless the listing did) and trigger one server; a per-server
    failure goes on it."""
    try:
        if result.server is None:
            result.server = utils.find_resource(compute.servers,
                                                result.name_or_id)
        result.request_id = manager.trigger(result.server)
    except PER_SERVER_ERRORS as error:
        result.error = error
    if progress is not None:
        progress.advance(failed=result.error is not None)


def _wait_all(manager, compute, accepted, timeout, interval, pool,
              progress):
    _start(progress, "Waiting for outcomes", len(accepted))

    def map_each(poll, items):
        return list(pool.map(lambda item: _counted(poll(item), progress),
                             items))

    answers = waiting.wait_for_outcomes(
        [_action_reader(manager, result) for result in accepted],
        compute.api_version, timeout, interval, map_each=map_each)
    for result, answer in zip(accepted, answers):
        if isinstance(answer, PER_SERVER_ERRORS):
            result.error = answer
        elif isinstance(answer, Exception):
            raise answer
        else:
            result.outcome = answer


def _read_consoles(compute, delivered, count, pool, progress):
    _start(progress, "Reading consoles", len(delivered))

    def read(result):
        result.console = console.read_console_tail(compute, result.server,
                                                   count)
        if progress is not None:
            progress.advance(failed=result.console.lines is None)

    list(pool.map(read, delivered))


def _action_reader(manager, result):
    return lambda: manager.get(result.server, result.request_id)


def _start(progress, label, total):
    if progress is not None:
        progress.start(label, total)


def _counted(answer, progress):
    """Count a poll's answer on ``progress`` once it is final (an outcome
    or an error); ``None`` means not yet."""
    if progress is not None and answer is not None:
        progress.advance(failed=isinstance(answer, Exception) or
                         not answer.succeeded)
    return answer


def failure_summary(results):
    """The closing sentence of a call where some servers failed.

    :param results: the list :func:`trigger_crash_dumps` returned.
    :returns: e.g. "Crash dump failed for 2 of 4 server(s): db-1, web-9.",
        naming the first ten, or ``None`` when every server succeeded.
    """
    failed = [result.name_or_id for result in results
              if not result.succeeded]
    if not failed:
        return None
    named = ", ".join(failed[:_NAMED_FAILURES])
    if len(failed) > _NAMED_FAILURES:
        # Each server's own row already says why; the sentence stays short.
        named += " and %d more" % (len(failed) - _NAMED_FAILURES)
    return "Crash dump failed for %d of %d server(s): %s." % (
        len(failed), len(results), named)
