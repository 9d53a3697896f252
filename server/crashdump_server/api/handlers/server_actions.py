"""Server actions: POST /v2.1/servers/{server_id}/action.

The body's one key names the action. Checks run in Nova's order: body
shape and action name, microversion, the action's schema, then the server,
the policy, and what the compute API checks.
"""
import re

from crashdump_server.api import microversion
from crashdump_server.api.schemas import server_actions as schema
from crashdump_server.api import util
from crashdump_server.api import validation
from crashdump_server import exception
from crashdump_server.policies import console_output as console_policies
from crashdump_server.policies import servers as policies


def trigger_crash_dump(req, context, instance, _value):
    """``{"trigger_crash_dump": null}``: record the action, cast, 202."""
    context.can(policies.TRIGGER_CRASH_DUMP,
                {'project_id': instance.project_id,
                 'user_id': instance.user_id})
    req.compute_api.trigger_crash_dump(context, instance)
    return util.empty_response(202)


# Control characters other than tab and newline; Nova strips them too.
_CONTROL_CHARACTERS = re.compile('[\x00-\x08\x0B-\x1F]')


def get_console_output(req, context, instance, value):
    """``{"os-getConsoleOutput": {"length": N}}``: the console's last lines.

    This is how a user sees the panic a crash dump caused.
    """
    context.can(console_policies.CONSOLE_OUTPUT,
                {'project_id': instance.project_id})
    length = value.get('length')
    output = req.compute_api.get_console_output(
        context, instance, None if length is None else int(length))
    return util.json_response(
        {'output': _CONTROL_CHARACTERS.sub('', output)})


# action name -> (handler, minimum microversion, body schema)
ACTIONS = {
    'trigger_crash_dump': (trigger_crash_dump,
                           microversion.TRIGGER_CRASH_DUMP,
                           schema.TRIGGER_CRASH_DUMP),
    'os-getConsoleOutput': (get_console_output, microversion.MIN_VERSION,
                            schema.GET_CONSOLE_OUTPUT),
}


def _action_name(body):
    """The body's one key; raises as Nova does for other shapes.

    Nova counts the body's items first (400 unless exactly one), then
    looks for its key: a one-item list or string, or a body without a
    length at all (a number, null), names no action and gets 404.
    """
    try:
        size = len(body)
    except TypeError:
        raise exception.NotFound()
    if size != 1:
        raise exception.MalformedRequestBody()
    if not isinstance(body, dict):
        raise exception.NotFound()
    return next(iter(body))


def post_action(req):
    """Dispatch on the body's one key to the action's handler."""
    context = req.context
    body = util.read_json_body(req, req.conf.api.max_request_body_size)
    name = _action_name(body)
    if name not in ACTIONS:
        raise exception.NoSuchAction(action=name)
    action, min_version, body_schema = ACTIONS[name]
    if req.version < min_version:
        raise exception.NotFound()
    validation.validate_body(body_schema, body)
    instance = req.compute_api.get_for_action(
        context, req.urlvars['server_id'])
    return action(req, context, instance, body[name])
