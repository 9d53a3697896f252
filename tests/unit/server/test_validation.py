"""api.validation: one validator for bodies and query strings."""
from unittest import mock

import fixtures
import microversion_parse
import testtools

from crashdump_server.api.schemas import server_actions
from crashdump_server.api.schemas import servers
from crashdump_server.api import validation
from crashdump_server.api import wsgi_wrapper
from crashdump_server import exception
from tests.lib import embedded
from tests.lib import inprocess

SERVER = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b'


def console_body(length):
    return {'os-getConsoleOutput': {'length': length}}


class BodyTest(testtools.TestCase):

    def assertInvalid(self, message, schema, body):
        exc = self.assertRaises(exception.ValidationError,
                                validation.validate_body, schema, body)
        self.assertEqual(message, exc.message)

    def test_message_names_the_innermost_attribute(self):
        # Nova's words: the attribute, not its path.
        self.assertInvalid(
            "Invalid input for field/attribute length. Value: -5. -5 is "
            "less than the minimum of -1",
            server_actions.GET_CONSOLE_OUTPUT, console_body('-5'))

    def test_numbers_in_strings_meet_the_bounds(self):
        self.assertInvalid(
            "Invalid input for field/attribute length. Value: -2. -2 is "
            "less than the minimum of -1",
            server_actions.GET_CONSOLE_OUTPUT, console_body(-2))
        for length in ('-1', '0', '50', 50, None):
            self.assertIsNone(validation.validate_body(
                server_actions.GET_CONSOLE_OUTPUT, console_body(length)))

    def test_top_level_error_has_no_attribute(self):
        self.assertInvalid(
            "'os-getConsoleOutput' is a required property",
            server_actions.GET_CONSOLE_OUTPUT, {})


class QueryTest(testtools.TestCase):

    def request(self, query, version='2.1'):
        req = wsgi_wrapper.Request.blank('/v2.1/servers?' + query)
        req.version = microversion_parse.parse_version_string(version)
        return req

    def test_message_names_the_parameter(self):
        exc = self.assertRaises(
            exception.ValidationError, validation.validate_query,
            self.request('limit=abc'), servers.LIST_V21)
        self.assertEqual("Invalid input for query parameters limit. Value: "
                         "abc. 'abc' does not match '^[0-9]*$'", exc.message)


class BuiltOnceTest(testtools.TestCase):

    def test_each_schema_gets_its_validator_once(self):
        schema = {'type': 'object', 'properties': {}}
        with mock.patch.object(validation._Validator, 'check_schema',
                               wraps=validation._Validator.check_schema
                               ) as check_schema:
            for _ in range(3):
                validation.validate_body(schema, {'a': None})
                validation.validate_query(
                    wsgi_wrapper.Request.blank('/?a='), schema)
        self.assertEqual(1, check_schema.call_count)
        self.assertIs(validation._validator(schema),
                      validation._validator(schema))


class ConsoleOutputTest(testtools.TestCase):
    """The body validator as the action handler applies it."""

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(inprocess.InProcessServer(
            [embedded.fake_server(SERVER, 'web-1')]))

    def test_negative_length_in_a_string_is_400(self):
        response = self.server.request(
            'POST', '/v2.1/servers/%s/action' % SERVER, console_body('-5'))
        self.assertEqual(400, response.status_int, response.body)
        self.assertEqual(
            {'badRequest': {'code': 400, 'message':
                            'Invalid input for field/attribute length. '
                            'Value: -5. -5 is less than the minimum of -1'}},
            response.json)

    def test_name_the_database_refuses_is_400(self):
        # PostgreSQL's regular expressions are not Python's: a name the
        # schema let through can still be refused when the query runs.
        self.useFixture(fixtures.MockPatch(
            'crashdump_server.db.api.instance_get_all',
            side_effect=exception.InvalidRegularExpression(
                pattern='(?P<x>web)', reason='invalid regular expression')))
        response = self.server.request('GET', '/v2.1/servers?name=(?P<x>web)')
        self.assertEqual(
            {'badRequest': {'code': 400, 'message':
                            'Invalid regular expression for name: invalid '
                            'regular expression'}},
            response.json)
