"""``/_harness``: what the harness does to Nova that Nova has no API for.

Runs in the harness process, in front of Nova's WSGI app; only the admin
token (see :mod:`tests.nova.auth`) reaches it. Requests and answers are
JSON:

``POST /_harness/instances/<uuid>``
    ``{"host": null, "task_state": "rebooting"}``: save these fields of the
    instance record (``host: null`` also clears the node), as Nova's own
    tests do for states the API cannot reach. Answers 204.
``PUT /_harness/policy``
    ``{"<rule>": "<check>", ...}``: the whole policy file, in force for the
    next request, as after a restart with that file. Answers 204.
"""
import json

from tests.nova import auth

PREFIX = '/_harness/'


def save_instance(uuid, fields):
    """Save ``fields`` on the instance record ``uuid`` in its cell."""
    from nova import context
    from nova import objects
    ctxt = context.get_admin_context()
    mapping = objects.InstanceMapping.get_by_instance_uuid(ctxt, uuid)
    with context.target_cell(ctxt, mapping.cell_mapping) as cctxt:
        instance = objects.Instance.get_by_uuid(cctxt, uuid)
        if 'host' in fields and fields['host'] is None:
            # Nova refuses a node without its compute id, and vice versa.
            fields = dict(fields, node=None, compute_id=None)
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.save()


def replace_policy(path, rules):
    """Write ``rules`` to the policy file and make Nova read it again."""
    import nova.policy
    with open(path, 'w') as stream:
        json.dump(rules, stream)
    nova.policy.reset()


class Control:
    """WSGI middleware serving ``/_harness/...`` and passing the rest on."""

    def __init__(self, app, policy_file):
        self.app = app
        self.policy_file = policy_file

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        found = auth.identity(environ.get('HTTP_X_AUTH_TOKEN'))
        if not found or 'admin' not in found[2]:
            return self._answer(start_response, '403 Forbidden')
        length = int(environ.get('CONTENT_LENGTH') or 0)
        body = json.loads(environ['wsgi.input'].read(length) or b'null')
        method = environ['REQUEST_METHOD']
        parts = path[len(PREFIX):].split('/')
        if method == 'POST' and len(parts) == 2 and parts[0] == 'instances':
            save_instance(parts[1], body)
        elif method == 'PUT' and parts == ['policy']:
            replace_policy(self.policy_file, body)
        else:
            return self._answer(start_response, '404 Not Found')
        return self._answer(start_response, '204 No Content')

    @staticmethod
    def _answer(start_response, status):
        start_response(status, [('Content-Length', '0')])
        return [b'']
