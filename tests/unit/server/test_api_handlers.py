"""POST /v2.1/servers/{id}/action with trigger_crash_dump, end to end.

The checks run in Nova's order; each test names the check it reaches and
asserts the exact answer. Every 202 must leave its instance action behind;
every refusal must leave none.
"""
import json

import testtools
import webob

from crashdump_server import policy
from tests.lib import embedded
from tests.lib import inprocess

OWNED = '11111111-1111-4111-8111-111111111111'
OTHERS = '22222222-2222-4222-8222-222222222222'
LOCKED = '33333333-3333-4333-8333-333333333333'
HOSTLESS = '44444444-4444-4444-8444-444444444444'
STOPPED = '55555555-5555-4555-8555-555555555555'
REBOOTING = '66666666-6666-4666-8666-666666666666'
LOCKED_STOPPED = '77777777-7777-4777-8777-777777777777'
HOSTLESS_STOPPED = '88888888-8888-4888-8888-888888888888'
UNKNOWN = '99999999-9999-4999-8999-999999999999'

TRIGGER = {'trigger_crash_dump': None}
RULE = 'os_compute_api:servers:trigger_crash_dump'
ALLOWED_STATES = ('active', 'paused', 'rescued', 'resized', 'error')
REFUSED_STATES = ('building', 'suspended', 'stopped', 'soft-delete',
                  'shelved', 'shelved_offloaded')


def state_server_id(index):
    return 'aaaaaaaa-0000-4000-8000-%012d' % index


SERVERS = [
    embedded.fake_server(OWNED, 'web-1'),
    embedded.fake_server(OTHERS, 'db-1', project_id='other',
                         user_id='bob'),
    embedded.fake_server(LOCKED, 'locked-1', locked=True),
    embedded.fake_server(HOSTLESS, 'hostless-1', host=None),
    embedded.fake_server(STOPPED, 'stopped-1', vm_state='stopped'),
    embedded.fake_server(REBOOTING, 'rebooting-1', task_state='rebooting'),
    embedded.fake_server(LOCKED_STOPPED, 'both-1', locked=True,
                         vm_state='stopped'),
    embedded.fake_server(HOSTLESS_STOPPED, 'both-2', host=None,
                         vm_state='stopped'),
] + [
    embedded.fake_server(state_server_id(i), 'state-%s' % state,
                         vm_state=state)
    for i, state in enumerate(ALLOWED_STATES + REFUSED_STATES)
]


class ActionTestCase(testtools.TestCase):

    overrides = None

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(
            inprocess.InProcessServer(SERVERS, overrides=self.overrides))

    def post(self, server_id, body=TRIGGER, version='2.17', **kwargs):
        return self.server.request(
            'POST', '/v2.1/servers/%s/action' % server_id, body,
            version=version, **kwargs)

    def raw_request(self, raw):
        """A request the fixture's helper would not build: bare headers."""
        req = webob.Request.blank('/v2.1/servers/%s/action' % OWNED,
                                  method='POST')
        req.headers['X-Auth-Token'] = 'alice:demo'
        req.headers['OpenStack-API-Version'] = 'compute 2.17'
        req.body = raw
        return req

    def action_request_ids(self, server_id):
        response = self.server.request(
            'GET', '/v2.1/servers/%s/os-instance-actions' % server_id,
            token='admin:admin')
        self.assertEqual(200, response.status_int, response.body)
        return [a['request_id'] for a in response.json['instanceActions']]

    def assertFault(self, response, status, name, message):
        self.assertEqual(status, response.status_int, response.body)
        self.assertEqual({name: {'code': status, 'message': message}},
                         response.json)

    def assertAccepted(self, response, server_id, user_id='alice',
                       project_id='demo'):
        """202, empty body, and the action row under its request id."""
        self.assertEqual(202, response.status_int, response.body)
        self.assertEqual(b'', response.body)
        request_id = response.headers['x-openstack-request-id']
        shown = self.server.request(
            'GET', '/v2.1/servers/%s/os-instance-actions/%s'
            % (server_id, request_id), token='admin:admin', version='2.84')
        self.assertEqual(200, shown.status_int, shown.body)
        action = shown.json['instanceAction']
        self.assertEqual(('trigger_crash_dump', server_id, request_id,
                          user_id, project_id),
                         (action['action'], action['instance_uuid'],
                          action['request_id'], action['user_id'],
                          action['project_id']))
        return request_id

    def assertNothingRecorded(self, server_id):
        self.assertEqual([], self.action_request_ids(server_id))
        self.assertEqual([], self.server.driver.nmis)


class BodyTest(ActionTestCase):
    """Check 1: the body's shape and the action's name."""

    def test_not_one_key_is_malformed(self):
        for body in ({}, {'trigger_crash_dump': None, 'reboot': None}, [],
                     [1, 2], 'trigger_crash_dump'):
            response = self.post(OWNED, raw_body=json.dumps(body).encode())
            self.assertFault(response, 400, 'badRequest',
                             'Malformed request body')
        self.assertNothingRecorded(OWNED)

    def test_one_item_that_is_no_key_is_not_found(self):
        # Nova: a body of one item without a key, or without a length at
        # all, names no action: 404.
        for body in (['trigger_crash_dump'], 'x', None, 1, True):
            response = self.post(OWNED, raw_body=json.dumps(body).encode())
            self.assertFault(response, 404, 'itemNotFound',
                             'The resource could not be found.')
        self.assertNothingRecorded(OWNED)

    def test_no_such_action(self):
        response = self.post(OWNED, {'reboot': {'type': 'HARD'}})
        self.assertFault(response, 400, 'badRequest',
                         'There is no such action: reboot')

    def test_action_name_checked_before_version(self):
        response = self.post(OWNED, {'reboot': None}, version='2.1')
        self.assertFault(response, 400, 'badRequest',
                         'There is no such action: reboot')

    def test_body_checked_before_server(self):
        response = self.post(UNKNOWN, {})
        self.assertFault(response, 400, 'badRequest',
                         'Malformed request body')

    def test_not_json_is_malformed(self):
        for raw in (b'not json', b'{"trigger_crash_dump": ', b'\xff\xfe',
                    b''):
            response = self.post(OWNED, raw_body=raw)
            self.assertFault(response, 400, 'badRequest',
                             'Malformed request body')
        self.assertNothingRecorded(OWNED)

    def test_wrong_content_type_is_415(self):
        for content_type in ('application/xml', 'text/html',
                             'application/x-www-form-urlencoded'):
            response = self.post(
                OWNED, raw_body=json.dumps(TRIGGER).encode(),
                headers={'Content-Type': content_type})
            self.assertFault(response, 415, 'badMediaType',
                             'Unsupported Content-Type')
        self.assertNothingRecorded(OWNED)

    def test_json_content_types_accepted(self):
        for content_type in ('application/json', 'text/plain',
                             'application/vnd.openstack.compute+json'):
            response = self.post(
                OWNED, raw_body=json.dumps(TRIGGER).encode(),
                headers={'Content-Type': content_type})
            self.assertAccepted(response, OWNED)

    def test_missing_content_type_accepted(self):
        req = self.raw_request(json.dumps(TRIGGER).encode())
        self.assertEqual('', req.content_type)
        self.assertAccepted(req.get_response(self.server.app), OWNED)


class OversizedBodyTest(ActionTestCase):

    overrides = {('api', 'max_request_body_size'): 64}

    def test_oversized_body_is_413(self):
        body = {'trigger_crash_dump': None, 'padding': 'x' * 100}
        response = self.post(OWNED, body)
        self.assertFault(response, 413, 'overLimit', 'Request is too large.')
        self.assertNothingRecorded(OWNED)

    def test_oversized_body_without_content_length_is_413(self):
        # A chunked body has no Content-Length; reading stops at the limit.
        req = self.raw_request(
            b'{"trigger_crash_dump": null' + b' ' * 100 + b'}')
        del req.headers['Content-Length']
        req.headers['Transfer-Encoding'] = 'chunked'
        # What a WSGI server says of a chunked body it de-chunks.
        req.environ['wsgi.input_terminated'] = True
        self.assertIsNone(req.content_length)
        response = req.get_response(self.server.app)
        self.assertFault(response, 413, 'overLimit', 'Request is too large.')

    def test_body_at_the_limit_accepted(self):
        raw = json.dumps(TRIGGER).encode()
        raw += b' ' * (64 - len(raw))
        self.assertEqual(64, len(raw))
        self.assertAccepted(self.post(OWNED, raw_body=raw), OWNED)


class VersionAndSchemaTest(ActionTestCase):
    """Checks 2 and 3: 2.17 or later, then the body's schema."""

    def test_below_2_17_is_404(self):
        for version in ('2.1', '2.16'):
            response = self.post(OWNED, version=version)
            self.assertFault(response, 404, 'itemNotFound',
                             'The resource could not be found.')
        self.assertNothingRecorded(OWNED)

    def test_version_checked_before_schema_and_server(self):
        for server_id, body in ((UNKNOWN, TRIGGER),
                                (OWNED, {'trigger_crash_dump': 'x'})):
            response = self.post(server_id, body, version='2.16')
            self.assertFault(response, 404, 'itemNotFound',
                             'The resource could not be found.')

    def test_value_must_be_null(self):
        response = self.post(OWNED, {'trigger_crash_dump': 'x'})
        self.assertFault(
            response, 400, 'badRequest',
            "Invalid input for field/attribute trigger_crash_dump. Value: "
            "x. 'x' is not of type 'null'")
        self.assertNothingRecorded(OWNED)

    def test_schema_checked_before_server(self):
        response = self.post(UNKNOWN, {'trigger_crash_dump': {}})
        self.assertEqual(400, response.status_int)
        self.assertIn("is not of type 'null'",
                      response.json['badRequest']['message'])

    def test_latest_accepted(self):
        self.assertAccepted(self.post(OWNED, version='latest'), OWNED)


class ServerLookupTest(ActionTestCase):
    """Check 4: the server exists and the caller may see it."""

    # An id no server ever had: Nova's actions answer with its cell
    # mapping message; a server the caller may not see, "not found".
    def test_unknown_server_is_404(self):
        response = self.post(UNKNOWN)
        self.assertFault(response, 404, 'itemNotFound',
                         'Instance %s has no mapping to a cell.' % UNKNOWN)

    def test_malformed_id_is_404(self):
        for server_id in ('not-a-uuid', 'web-1', '12345'):
            response = self.post(server_id)
            self.assertFault(
                response, 404, 'itemNotFound',
                'Instance %s has no mapping to a cell.' % server_id)

    def test_other_projects_server_is_404(self):
        response = self.post(OTHERS)
        self.assertFault(response, 404, 'itemNotFound',
                         'Instance %s could not be found.' % OTHERS)
        self.assertNothingRecorded(OTHERS)

    def test_owner_accepted(self):
        self.assertAccepted(self.post(OWNED), OWNED)

    def test_other_project_member_of_owning_project_accepted(self):
        self.assertAccepted(self.post(OTHERS, token='bob:other'), OTHERS,
                            user_id='bob', project_id='other')

    def test_admin_accepted_on_any_project(self):
        self.assertAccepted(self.post(OTHERS, token='admin:admin'), OTHERS,
                            user_id='admin', project_id='admin')


class PolicyTest(ActionTestCase):
    """Check 5: the policy rule, here narrowed to a role nobody has."""

    MESSAGE = ("Policy doesn't allow os_compute_api:servers:"
               "trigger_crash_dump to be performed.")

    def setUp(self):
        super().setUp()
        # A cloud where members may only read: triggering needs a role
        # that noauth's users (member, reader) do not have.
        policy.set_rules({
            RULE: 'role:crash_operator and project_id:%(project_id)s '
                  'or rule:context_is_admin'})

    def test_member_without_the_role_is_403(self):
        response = self.post(OWNED)
        self.assertFault(response, 403, 'forbidden', self.MESSAGE)
        self.assertNothingRecorded(OWNED)

    def test_admin_still_allowed(self):
        self.assertAccepted(self.post(OWNED, token='admin:admin'), OWNED,
                            user_id='admin', project_id='admin')

    def test_server_checked_before_policy(self):
        response = self.post(OTHERS)
        self.assertFault(response, 404, 'itemNotFound',
                         'Instance %s could not be found.' % OTHERS)

    def test_policy_checked_before_lock(self):
        response = self.post(LOCKED)
        self.assertFault(response, 403, 'forbidden', self.MESSAGE)


class ReaderOnlyPolicyTest(ActionTestCase):
    """The default rule with the member role taken away by the operator."""

    def test_reader_only_is_403(self):
        policy.set_rules({'project_member_api': '!'})
        response = self.post(OWNED)
        self.assertFault(
            response, 403, 'forbidden',
            "Policy doesn't allow os_compute_api:servers:trigger_crash_dump "
            "to be performed.")
        # Reading is still allowed to the same user.
        self.assertEqual(200, self.server.request(
            'GET', '/v2.1/servers/%s' % OWNED).status_int)


class ComputeChecksTest(ActionTestCase):
    """Checks 6 to 8: lock, host, state (the compute API's)."""

    def test_locked_refused_for_owner(self):
        response = self.post(LOCKED)
        self.assertFault(response, 409, 'conflictingRequest',
                         'Instance %s is locked' % LOCKED)
        self.assertNothingRecorded(LOCKED)

    def test_locked_accepted_for_admin(self):
        self.assertAccepted(self.post(LOCKED, token='admin:admin'), LOCKED,
                            user_id='admin', project_id='admin')

    def test_no_host_is_not_ready(self):
        response = self.post(HOSTLESS)
        self.assertFault(response, 409, 'conflictingRequest',
                         'Instance %s is not ready' % HOSTLESS)
        self.assertNothingRecorded(HOSTLESS)

    def test_no_host_not_ready_for_admin_too(self):
        response = self.post(HOSTLESS, token='admin:admin')
        self.assertFault(response, 409, 'conflictingRequest',
                         'Instance %s is not ready' % HOSTLESS)

    def test_vm_state_refused(self):
        response = self.post(STOPPED)
        self.assertFault(
            response, 409, 'conflictingRequest',
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "vm_state stopped" % STOPPED)
        self.assertNothingRecorded(STOPPED)

    def test_task_state_refused(self):
        response = self.post(REBOOTING)
        self.assertFault(
            response, 409, 'conflictingRequest',
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "task_state rebooting" % REBOOTING)
        self.assertNothingRecorded(REBOOTING)

    def test_lock_checked_before_state(self):
        response = self.post(LOCKED_STOPPED)
        self.assertFault(response, 409, 'conflictingRequest',
                         'Instance %s is locked' % LOCKED_STOPPED)
        # Admin passes the lock and meets the state check.
        response = self.post(LOCKED_STOPPED, token='admin:admin')
        self.assertFault(
            response, 409, 'conflictingRequest',
            "Cannot 'trigger_crash_dump' instance %s while it is in "
            "vm_state stopped" % LOCKED_STOPPED)

    def test_host_checked_before_state(self):
        response = self.post(HOSTLESS_STOPPED)
        self.assertFault(response, 409, 'conflictingRequest',
                         'Instance %s is not ready' % HOSTLESS_STOPPED)

    def test_every_allowed_vm_state_accepted(self):
        for i, state in enumerate(ALLOWED_STATES):
            self.assertAccepted(self.post(state_server_id(i)),
                                state_server_id(i))

    def test_every_other_vm_state_refused(self):
        for i, state in enumerate(REFUSED_STATES, len(ALLOWED_STATES)):
            server_id = state_server_id(i)
            response = self.post(server_id)
            self.assertFault(
                response, 409, 'conflictingRequest',
                "Cannot 'trigger_crash_dump' instance %s while it is in "
                "vm_state %s" % (server_id, state))
            self.assertEqual([], self.action_request_ids(server_id))

    def test_two_requests_two_actions(self):
        first = self.assertAccepted(self.post(OWNED), OWNED)
        second = self.assertAccepted(self.post(OWNED), OWNED)
        self.assertNotEqual(first, second)
        self.assertEqual({first, second},
                         set(self.action_request_ids(OWNED)))


class RpcPinnedTest(ActionTestCase):
    """Check 8: an RPC cap below 1.1 cannot carry the call."""

    overrides = {('upgrade_levels', 'compute'): '1.0'}

    def test_pinned_is_400_and_records_nothing(self):
        response = self.post(OWNED)
        self.assertFault(response, 400, 'badRequest',
                         'Triggering crash dump is not supported')
        self.assertNothingRecorded(OWNED)

    def test_state_checked_before_rpc_cap(self):
        response = self.post(STOPPED)
        self.assertEqual(409, response.status_int)
        response = self.post(LOCKED)
        self.assertEqual(409, response.status_int)


class RpcCapAllowsTest(ActionTestCase):

    overrides = {('upgrade_levels', 'compute'): '1.1'}

    def test_cap_at_the_version_accepted(self):
        self.assertAccepted(self.post(OWNED), OWNED)


class RpcAutoCapTest(ActionTestCase):

    overrides = {('upgrade_levels', 'compute'): 'auto'}

    def test_auto_with_current_agent_accepted(self):
        # The in-process agent reported its own (latest) version.
        self.assertAccepted(self.post(OWNED), OWNED)
