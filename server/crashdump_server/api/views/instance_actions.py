"""Instance actions and their events, as Nova 34 renders them.

Who sees what in an action's ``events``:

* callers passing ``os_compute_api:os-instance-actions:events`` (admins by
  default) see events at every version, with ``traceback``, and from 2.62
  the event's ``host``;
* from 2.51 everybody else who may see the action sees its events, without
  ``traceback`` (before 2.51 they get no ``events`` key at all);
* from 2.62 every event carries ``hostId``;
* from 2.84 events carry ``details`` for callers passing
  ``os_compute_api:os-instance-actions:events:details``.
"""
from crashdump_server.api import microversion
from crashdump_server.api.views import formats
from crashdump_server.api.views import links
from crashdump_server.policies import instance_actions as \
    instance_actions_policies

RULE_EVENTS = instance_actions_policies.EVENTS
RULE_EVENTS_DETAILS = instance_actions_policies.EVENTS_DETAILS

_TIME_FIELDS = ('start_time', 'finish_time', 'updated_at')


def _value(row, field):
    value = getattr(row, field)
    return formats.strtime(value) if field in _TIME_FIELDS else value


def _action(version, action):
    fields = ['action', 'instance_uuid', 'request_id', 'user_id',
              'project_id', 'start_time', 'message']
    if microversion.at_least(version, microversion.ACTIONS_PAGED):
        fields.append('updated_at')
    return {field: _value(action, field) for field in fields}


def index(req, actions, limit, server_id=None):
    """``{'instanceActions': [...], 'links': [...]}``.

    ``links`` (a ``next`` link) is there from 2.58 when the page holds
    ``limit`` actions, ``limit`` being the page size the actions were read
    with. ``server_id`` is the id in the request path; it defaults to the
    actions' instance uuid.
    """
    version = req.version
    body = {'instanceActions': [_action(version, action)
                                for action in actions]}
    if microversion.at_least(version, microversion.ACTIONS_PAGED) and actions:
        server_id = server_id or actions[-1].instance_uuid
        collection = 'servers/%s/os-instance-actions' % server_id
        next_links = links.next_links(req, collection, limit, len(actions),
                                      actions[-1].request_id)
        if next_links:
            body['links'] = next_links
    return body


def show(req, action, instance):
    """``{'instanceAction': {...}}``, with ``events`` when the caller may see
    them (see the module docstring). ``instance`` is the server the action
    belongs to; policy is checked against its project.
    """
    version = req.version
    context = req.context
    target = {'project_id': instance.project_id}
    body = _action(version, action)

    if context.can(RULE_EVENTS, target=target, fatal=False):
        show_traceback = True
        show_host = microversion.at_least(version,
                                          microversion.ACTION_EVENT_HOST)
    elif microversion.at_least(version, microversion.ACTION_EVENTS_FOR_OWNERS):
        show_traceback = show_host = False
    else:
        return {'instanceAction': body}

    show_host_id = microversion.at_least(version,
                                         microversion.ACTION_EVENT_HOST)
    show_details = (
        microversion.at_least(version, microversion.ACTION_EVENT_DETAILS)
        and bool(context.can(RULE_EVENTS_DETAILS, target=target,
                             fatal=False)))
    # Actions started by periodic tasks have no project; the host id is
    # then salted with the server's project, as Nova does.
    project_id = action.project_id or instance.project_id or ''
    body['events'] = [
        _event(event, project_id, show_traceback, show_host, show_host_id,
               show_details)
        for event in action.events]
    return {'instanceAction': body}


def _event(event, project_id, show_traceback, show_host, show_host_id,
           show_details):
    fields = ['event', 'start_time', 'finish_time', 'result']
    if show_traceback:
        fields.append('traceback')
    rendered = {field: _value(event, field) for field in fields}
    if show_host:
        rendered['host'] = event.host
    if show_host_id:
        rendered['hostId'] = formats.host_id(event.host, project_id)
    if show_details:
        rendered['details'] = event.details
    return rendered
