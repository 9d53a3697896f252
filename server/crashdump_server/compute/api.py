"""The compute API: the checks and records behind the API's handlers.

Handlers call this layer; it calls the RPC client. It knows nothing of HTTP:
its failures are exceptions that carry their status.
"""
import datetime

from oslo_utils import timeutils
from oslo_utils import uuidutils

from crashdump_server.compute import instance_actions
from crashdump_server.compute import memory_dump_api
from crashdump_server.compute import rpcapi
from crashdump_server.compute import status
from crashdump_server.compute import vm_states
from crashdump_server import context as crashdump_context
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import servicegroup


#: The most requests one look of close_unanswered_requests reads.
LOOK_LIMIT = 500


class API:
    """Entry points of the compute API for one service process."""

    def __init__(self, conf):
        self._conf = conf
        self.servicegroup_api = servicegroup.API(conf)
        # The id of the newest request before which every request is
        # settled (answered or closed): where the closer's next look starts.
        self._settled_up_to = 0
        self.compute_rpcapi = rpcapi.ComputeAPI(
            conf, crashdump_context.get_admin_context())
        self.memory_dumps = memory_dump_api.MemoryDumpAPI(
            conf, self.compute_rpcapi)

    def get(self, context, instance_id, read_deleted=False):
        """The server, if ``context`` may see it; else InstanceNotFound.

        A non-admin sees only their project's servers: another project's
        server is reported missing, not forbidden, as Nova does.
        """
        if not uuidutils.is_uuid_like(instance_id):
            raise exception.InstanceNotFound(instance_id=instance_id)
        instance = db_api.instance_get(instance_id,
                                       read_deleted=read_deleted)
        if not context.is_admin and instance.project_id != (
                context.project_id):
            raise exception.InstanceNotFound(instance_id=instance_id)
        return instance

    def get_for_action(self, context, instance_id):
        """The server for a server action, looked up as Nova's actions do.

        Like :meth:`get`, but an id that no server ever had raises
        InstanceMappingNotFound ("... has no mapping to a cell."), Nova's
        answer there; a server the caller may not see, or one that is
        gone, is InstanceNotFound.
        """
        try:
            return self.get(context, instance_id)
        except exception.InstanceNotFound:
            if not uuidutils.is_uuid_like(instance_id):
                raise exception.InstanceMappingNotFound(uuid=instance_id)
            try:
                db_api.instance_get(instance_id, read_deleted=True)
            except exception.InstanceNotFound:
                raise exception.InstanceMappingNotFound(uuid=instance_id)
            raise

    def get_all(self, context, project_id=None, name=None, limit=None,
                marker=None, filters=None):
        """One page of servers, newest first; see db.api.instance_get_all.

        ``project_id`` None lists every project's servers: the caller has
        checked that ``context`` may.
        """
        return db_api.instance_get_all(project_id=project_id,
                                       name=name, limit=limit, marker=marker,
                                       filters=filters)

    def host_statuses(self, context, hosts):
        """host -> ``host_status`` ('UP' or 'UNKNOWN', see
        :func:`crashdump_server.compute.status.host_status`) of those of
        ``hosts`` that have a compute agent row."""
        is_up = self.servicegroup_api.service_is_up
        rows = db_api.services_get(rpcapi.BINARY, hosts=set(hosts))
        return {row.host: status.host_status(row, is_up) for row in rows}

    def get_actions(self, context, instance, **page):
        """One page of the server's actions, newest first."""
        return db_api.actions_get(instance.uuid, **page)

    def get_action(self, context, instance, request_id):
        """The server's action with this request id, with its events."""
        return db_api.action_get_by_request_id(instance.uuid,
                                               request_id)

    def get_console_output(self, context, instance, tail_length=None):
        """The guest's console log, from the agent of its host.

        Raises InstanceNotReady (no host), ConsoleNotAvailable,
        FeatureNotSupported (driver or RPC cap) or ComputeAgentUnreachable.
        """
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        try:
            return self.compute_rpcapi.get_console_output(
                context, instance, tail_length)
        except NotImplementedError:
            raise exception.FeatureNotSupported()

    def trigger_crash_dump(self, context, instance):
        """Check, record and cast a crash dump request; returns nothing.

        Raises InstanceIsLocked (non-admins), InstanceNotReady (no host),
        InstanceInvalidState, or TriggerCrashDumpNotSupported when the RPC
        version cap is below the version that carries the call. Nothing is
        recorded unless every check passes; once the action is recorded the
        cast follows. If the cast cannot be sent, the action gets an Error
        event and ComputeAgentUnreachable (503) is raised.
        """
        if instance.locked and not context.is_admin:
            raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
        if not instance.host:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        _check_state(instance, 'trigger_crash_dump',
                     vm_states.ALLOW_TRIGGER_CRASH_DUMP)
        if not self.compute_rpcapi.can_trigger_crash_dump():
            raise exception.TriggerCrashDumpNotSupported()
        deadline = timeutils.utcnow() + datetime.timedelta(
            seconds=self._conf.request_ttl)
        db_api.action_start(context, instance.uuid,
                            instance_actions.TRIGGER_CRASH_DUMP,
                            context.request_id, deadline)
        no_agent = self._no_live_agent(instance.host)
        if no_agent:
            # Nova's 202 all the same; the user learns at once, instead of
            # after the deadline, that no NMI was sent.
            _close_with_error(instance.uuid, context.request_id,
                              instance.host, no_agent)
            return
        try:
            self.compute_rpcapi.trigger_crash_dump(
                context, instance, deadline.isoformat())
        except exception.ComputeAgentUnreachable as exc:
            # The action is recorded: close it with an Error event so the
            # user who asks later learns that no NMI was sent.
            _close_with_error(instance.uuid, context.request_id,
                              instance.host, exc.message)
            raise

    def _no_live_agent(self, host):
        """Why no compute agent can take up a request for ``host`` now
        (no agent ever served it, or it is down by the service group's
        judgement), or None when its agent is up."""
        agent, is_up = self.servicegroup_api.host_service(rpcapi.BINARY,
                                                          host)
        if agent is None:
            return ('No compute agent has ever served host %s, so no NMI '
                    'was sent. Check that crashdump-compute runs there with '
                    '[DEFAULT] host = %s.' % (host, host))
        if not is_up:
            last_seen = agent.updated_at or agent.created_at
            return ('The compute agent of host %s was last seen at %sZ and '
                    'is down, so no NMI was sent. Start crashdump-compute '
                    'there and ask again.' % (
                        host, last_seen.replace(microsecond=0).isoformat()))
        return None

    def close_unanswered_requests(self, context):
        """Give a final Error event to each crash dump request whose
        deadline (set from the ``request_ttl`` of the API that accepted
        it) plus ``unanswered_request_grace`` has passed, and that no
        agent took up, or that an agent started and never finished.

        A request no agent took up lost its message (a broker restart) or
        waits for an agent that is down: no NMI was sent, and the agent
        that gets it later sends none (its event is recorded already). An
        event started and never finished means the agent stopped while
        delivering: the NMI may have been sent.

        Each look reads at most LOOK_LIMIT requests, walking forward from
        the oldest one not yet settled. Returns how many were closed.
        """
        cutoff = timeutils.utcnow() - datetime.timedelta(
            seconds=self._conf.unanswered_request_grace)
        closed = 0
        settled = True
        for row in db_api.requests_after(
                instance_actions.TRIGGER_CRASH_DUMP, self._settled_up_to,
                LOOK_LIMIT):
            if row.deadline is not None and row.deadline >= cutoff:
                # Not due yet: later looks come back from here.
                settled = False
                continue
            if row.deadline is not None and row.finish_time is None:
                closed += _close_overdue(row)
            if settled:
                self._settled_up_to = row.id
        return closed


def _close_overdue(row):
    """Close one overdue request (see close_unanswered_requests); 1 when
    closed, 0 when an agent recorded its event meanwhile."""
    if row.start_time is not None:
        try:
            _finish_stopped(row.instance_uuid, row.request_id, row.host)
        except exception.NotFound:
            return 0  # the agent finished it meanwhile
        return 1
    details = (
        'No compute agent took this request up by its deadline '
        '(%s); no NMI was sent. The compute agent of host %s may be '
        'down, or the request was lost on its way there.' % (
            row.deadline.isoformat(), row.host))
    try:
        _close_with_error(row.instance_uuid, row.request_id, row.host,
                          details)
    except exception.EventAlreadyRecorded:
        return 0  # the agent took it up meanwhile
    return 1


def _finish_stopped(instance_uuid, request_id, host):
    db_api.event_finish(
        instance_uuid, request_id,
        instance_actions.EVENT_TRIGGER_CRASH_DUMP, instance_actions.ERROR,
        details=instance_actions.AGENT_STOPPED % host)


def _close_with_error(instance_uuid, request_id, host, details):
    """Record the crash dump event of a request as an Error that never
    reached the driver (one transaction: an agent starting meanwhile
    never sees it started and unfinished)."""
    db_api.event_record(instance_uuid, request_id,
                        instance_actions.EVENT_TRIGGER_CRASH_DUMP, host,
                        instance_actions.ERROR, details=details)


def _check_state(instance, method, allowed_vm_states):
    for attr, state, ok in (
            ('vm_state', instance.vm_state,
             instance.vm_state in allowed_vm_states),
            ('task_state', instance.task_state, instance.task_state is None),
            ('launched_at', instance.launched_at,
             instance.launched_at is not None)):
        if not ok:
            raise exception.InstanceInvalidState(
                method=method, instance_uuid=instance.uuid, attr=attr,
                state=state)
