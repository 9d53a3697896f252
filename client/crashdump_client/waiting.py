"""Following a crash dump request to its outcome.

The API accepts the request (202) and records an instance action; the
compute agent then records the event ``compute_trigger_crash_dump`` with a
finish time and a result, "Success" or "Error". Reading that event is the
only way to learn whether the NMI was delivered, so waiting means polling
the action until the event has finished.
"""

import time

from crashdump_client import versions

#: The instance action the API records for a crash dump request.
ACTION_NAME = "trigger_crash_dump"
#: The event the compute agent records on that action.
EVENT_NAME = "compute_trigger_crash_dump"
#: The actions crash-list shows: crash dumps, and crashdump's host-side
#: memory dumps (an NMI may follow those: both events then count).
ACTION_NAMES = (ACTION_NAME, "memory_dump")
EVENT_NAMES = (EVENT_NAME, "compute_memory_dump")


class WaitTimeout(Exception):
    """The crash dump's outcome was not recorded within the time allowed."""


class EventsNotVisible(Exception):
    """The caller cannot see the action's events, so cannot learn the outcome.

    Below microversion 2.51 only administrators see events; waiting as a
    project member needs 2.51 or later.
    """


class CrashDumpOutcome(object):
    """The recorded result of one crash dump request.

    :ivar request_id: the request (and instance action) id.
    :ivar result: "Success" or "Error", as the compute agent recorded it.
    :ivar details: the error details, or ``None`` when there are none or
        the caller may not see them.
    :ivar details_note: when ``details`` is ``None`` on an error, why.
    """

    def __init__(self, request_id, result, details=None, details_note=None):
        self.request_id = request_id
        self.result = result
        self.details = details
        self.details_note = details_note

    @property
    def succeeded(self):
        """True when the compute agent delivered the crash dump (the NMI)."""
        return self.result == "Success"

    def __str__(self):
        if self.succeeded:
            return self.result
        return "%s: %s" % (self.result, self.details or
                           "(%s)" % self.details_note)

    def __repr__(self):
        return "<CrashDumpOutcome %s %s>" % (self.request_id, self)


def _field(action, name):
    # Actions come as novaclient resources or, in tests and raw use, dicts.
    if isinstance(action, dict):
        return action.get(name)
    return getattr(action, name, None)


def _missing_details_note(api_version):
    if api_version < versions.EVENT_DETAILS:
        return ("error details need compute API microversion %s or later, "
                "this request used %s" % (versions.EVENT_DETAILS.get_string(),
                                          api_version.get_string()))
    return ("error details are visible to administrators only, by the "
            "policy os_compute_api:os-instance-actions:events:details")


def outcome_of(action, api_version):
    """Read the outcome of a crash dump from its instance action.

    :param action: the instance action (a novaclient resource or a dict)
        as ``GET /servers/{id}/os-instance-actions/{request_id}`` gave it.
    :param api_version: the ``APIVersion`` the action was read with.
    :returns: a :class:`CrashDumpOutcome`, or ``None`` while the compute
        agent has not finished.
    :raises EventsNotVisible: when the action has no events field (the
        caller may not see events) and its message does not already say
        that it failed.
    """
    request_id = _field(action, "request_id")
    events = _field(action, "events")
    if events is None:
        if _field(action, "message") == "Error":
            return CrashDumpOutcome(
                request_id, "Error", details_note=(
                    "the events that hold the details are not visible to "
                    "this caller at microversion %s" %
                    api_version.get_string()))
        raise EventsNotVisible(
            "Cannot follow request %s: its events are not visible to this "
            "caller at compute API microversion %s (project members see "
            "them from %s)." % (request_id, api_version.get_string(),
                                versions.EVENTS_FOR_OWNERS.get_string()))
    outcome = None
    for event in events:
        if event.get("event") not in EVENT_NAMES:
            continue
        one = _event_outcome(request_id, event, api_version)
        if one is None:
            return None
        # An error in any of the action's events is its outcome.
        if outcome is None or (outcome.succeeded and not one.succeeded):
            outcome = one
    return outcome


def _event_outcome(request_id, event, api_version):
    if not event.get("finish_time") and not event.get("result"):
        return None
    result = event.get("result") or "Error"
    if result == "Success":
        return CrashDumpOutcome(request_id, result)
    if "details" not in event:
        return CrashDumpOutcome(request_id, result, details_note=(
            _missing_details_note(api_version)))
    return CrashDumpOutcome(
        request_id, result, details=event["details"],
        details_note=None if event["details"] else
        "the server recorded no details")


def wait_for_outcome(read_action, api_version, timeout, interval):
    """Poll an instance action until its crash dump event has finished.

    :param read_action: a callable returning the current instance action.
    :param api_version: the ``APIVersion`` the action is read with.
    :param timeout: seconds to wait in all before giving up.
    :param interval: seconds between two reads.
    :returns: the :class:`CrashDumpOutcome`.
    :raises WaitTimeout: when no outcome is recorded within ``timeout``.
    :raises EventsNotVisible: see :func:`outcome_of`.
    :raises novaclient.exceptions.ClientException: when reading the action
        fails (the server was deleted, say).
    """
    [answer] = wait_for_outcomes([read_action], api_version, timeout,
                                 interval)
    if isinstance(answer, Exception):
        raise answer
    return answer


def _map_serially(function, items):
    return [function(item) for item in items]


def wait_for_outcomes(read_actions, api_version, timeout, interval,
                      map_each=_map_serially):
    """Poll several instance actions, in rounds, until each has finished.

    Every round reads each unfinished action once, then sleeps
    ``interval``; so many servers cost one read each per round, however
    long each one takes.

    :param read_actions: callables, each returning one current instance
        action.
    :param api_version: the ``APIVersion`` the actions are read with.
    :param timeout: seconds to wait in all, from this call, before giving
        up on the actions still unfinished.
    :param interval: seconds between two rounds.
    :param map_each: ``map_each(function, items)`` returns
        ``[function(item) for item in items]`` in order; pass one backed by
        a thread pool to read the actions of a round concurrently.
    :returns: a list in the order of ``read_actions``, each item the
        :class:`CrashDumpOutcome` or the exception that ended that wait:
        :class:`WaitTimeout`, :class:`EventsNotVisible` or whatever
        reading the action raised. Nothing is raised for one action.
    """
    deadline = time.monotonic() + timeout
    answers = [None] * len(read_actions)
    request_ids = [None] * len(read_actions)

    def poll(index):
        try:
            action = read_actions[index]()
            request_ids[index] = _field(action, "request_id")
            return outcome_of(action, api_version)
        except Exception as error:  # handed back, not swallowed
            return error

    pending = list(range(len(read_actions)))
    while pending:
        polled = map_each(poll, pending)
        for index, answer in zip(pending, polled):
            answers[index] = answer
        pending = [index for index in pending if answers[index] is None]
        if not pending:
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            for index in pending:
                answers[index] = WaitTimeout(
                    "No outcome recorded for crash dump request %s within "
                    "%s seconds; it may still be recorded later." % (
                        request_ids[index], _format_seconds(timeout)))
            break
        time.sleep(min(interval, remaining))
    return answers


def _format_seconds(seconds):
    return ("%d" % seconds) if float(seconds).is_integer() else str(seconds)
