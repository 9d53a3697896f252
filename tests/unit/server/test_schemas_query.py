"""Query string validation of the servers and instance actions lists."""
import unittest

import microversion_parse

from crashdump_server.api import schemas
from crashdump_server.api.schemas import instance_actions
from crashdump_server.api.schemas import servers
from crashdump_server.api import wsgi_wrapper
from crashdump_server import exception


def make_request(version, query):
    req = wsgi_wrapper.Request.blank('/v2.1/servers?' + query)
    req.version = microversion_parse.parse_version_string(version)
    return req


def _v(text):
    return microversion_parse.parse_version_string(text)


class ServersListQueryTest(unittest.TestCase):

    def validate(self, version, query):
        return servers.validate_list_query(make_request(version, query))

    def assertInvalid(self, version, query, message):
        with self.assertRaises(exception.ValidationError) as caught:
            self.validate(version, query)
        self.assertEqual(message, caught.exception.message)
        self.assertEqual(400, caught.exception.code)

    def test_known_parameters_come_back_as_lists(self):
        self.assertEqual(
            {'name': ['web'], 'status': ['ACTIVE', 'ERROR'],
             'limit': ['2'], 'marker': ['m'], 'all_tenants': ['1']},
            self.validate('2.1', 'name=web&status=ACTIVE&status=ERROR'
                                 '&limit=2&marker=m&all_tenants=1'))

    def test_unknown_parameters_dropped_before_275(self):
        req = make_request('2.74', 'foo=1&name=web&bar=2')
        self.assertEqual({'name': ['web']}, servers.validate_list_query(req))
        # Dropped from the request too: pagination links never repeat them.
        self.assertEqual([('name', 'web')], list(req.params.items()))

    def test_unknown_parameters_rejected_from_275(self):
        self.assertInvalid('2.75', 'foo=1',
                           "'foo' does not match any of the regexes: '^_'")

    def test_underscore_and_joined_table_names_pass_to_the_handler(self):
        for version in ('2.1', '2.75'):
            self.assertEqual({'_secret': ['1'], 'metadata': ['x']},
                             self.validate(version, '_secret=1&metadata=x'))

    def test_limit(self):
        self.assertInvalid(
            '2.1', 'limit=-1', "Invalid input for query parameters limit. "
            "Value: -1. '-1' does not match '^[0-9]*$'")
        self.assertInvalid(
            '2.75', 'limit=abc', "Invalid input for query parameters limit. "
            "Value: abc. 'abc' does not match '^[0-9]*$'")
        with self.assertRaises(exception.ValidationError) as caught:
            self.validate('2.1', 'limit=')
        self.assertTrue(caught.exception.message.startswith(
            'Invalid input for query parameters limit. Value: . '))
        self.assertEqual({'limit': ['0', '5']},
                         self.validate('2.1', 'limit=0&limit=5'))

    def test_regex_filters(self):
        self.assertInvalid(
            '2.1', 'name=(', "Invalid input for query parameters name. "
            "Value: (. '(' is not a 'regex'")
        self.assertInvalid(
            '2.1', 'name=', "Invalid input for query parameters name. "
            "Value: . '' is not a 'regex'")
        self.assertEqual({'name': ['^web-[0-9]+$']},
                         self.validate('2.1', 'name=%5Eweb-%5B0-9%5D%2B%24'))

    def test_first_failing_parameter_in_nova_order_is_reported(self):
        self.assertInvalid(
            '2.1', 'limit=-1&name=(', "Invalid input for query parameters "
            "name. Value: (. '(' is not a 'regex'")

    def test_changes_since_and_before(self):
        self.assertInvalid(
            '2.1', 'changes-since=yesterday',
            "Invalid input for query parameters changes-since. "
            "Value: yesterday. 'yesterday' is not a 'date-time'")
        self.assertEqual({}, self.validate('2.65', 'changes-before=bad'))
        self.assertInvalid(
            '2.66', 'changes-before=bad',
            "Invalid input for query parameters changes-before. "
            "Value: bad. 'bad' is not a 'date-time'")
        self.assertEqual(
            {'changes-since': ['2024-05-01T00:00:00Z'],
             'changes-before': ['2024-05-02T00:00:00+01:00']},
            self.validate('2.66',
                          'changes-since=2024-05-01T00:00:00Z&'
                          'changes-before=2024-05-02T00:00:00%2B01:00'))

    def test_tags_and_locked_arrive_with_their_versions(self):
        self.assertEqual({}, self.validate('2.25', 'tags=a,b'))
        self.assertEqual({'tags': ['a,b']}, self.validate('2.26', 'tags=a,b'))
        self.assertEqual({}, self.validate('2.72', 'locked=true'))
        self.assertEqual({'locked': ['true']},
                         self.validate('2.73', 'locked=true'))

    def test_sort_keys(self):
        self.assertEqual({'sort_key': ['display_name'], 'sort_dir': ['asc']},
                         self.validate('2.1', 'sort_key=display_name&'
                                              'sort_dir=asc'))
        # Ignored keys are accepted until 2.75.
        self.assertEqual({'sort_key': ['id']},
                         self.validate('2.74', 'sort_key=id'))
        for version in ('2.1', '2.75'):
            with self.assertRaises(exception.ValidationError) as caught:
                self.validate(version, 'sort_key=bogus')
            self.assertTrue(caught.exception.message.startswith(
                "Invalid input for query parameters sort_key. Value: bogus. "
                "'bogus' is not one of ["))
        with self.assertRaises(exception.ValidationError):
            self.validate('2.75', 'sort_key=id')
        self.assertEqual({'sort_key': ['locked']},
                         self.validate('2.75', 'sort_key=locked'))

    def test_ignored_sort_keys(self):
        self.assertIn('locked', servers.ignored_sort_keys(_v('2.72')))
        self.assertNotIn('locked', servers.ignored_sort_keys(_v('2.73')))
        self.assertIn('id', servers.ignored_sort_keys(_v('2.73')))

    def test_not_utf8(self):
        self.assertInvalid('2.1', 'name=%FF', 'Query string is not UTF-8 '
                                              'encoded')

    def test_allowed_filters(self):
        v21 = set(servers.allowed_filters(_v('2.1')))
        self.assertEqual({'reservation_id', 'name', 'status', 'image',
                          'flavor', 'ip', 'changes-since', 'all_tenants'},
                         v21)
        self.assertEqual(v21 | {'ip6'},
                         set(servers.allowed_filters(_v('2.5'))))
        v283 = set(servers.allowed_filters(_v('2.83')))
        self.assertIn('user_id', v283)
        self.assertIn('locked', v283)
        self.assertNotIn('hostname', v283)
        self.assertIn('hostname', servers.allowed_filters(_v('2.90')))


class ServerShowQueryTest(unittest.TestCase):

    def test_parameters_dropped_until_2101_rejected_from_2102(self):
        req = make_request('2.101', 'foo=1')
        self.assertEqual({}, servers.validate_show_query(req))
        self.assertEqual('', req.query_string)
        with self.assertRaises(exception.ValidationError) as caught:
            servers.validate_show_query(make_request('2.102', 'foo=1'))
        self.assertEqual("Additional properties are not allowed "
                         "('foo' was unexpected)", caught.exception.message)
        self.assertEqual({}, servers.validate_show_query(
            make_request('2.102', '')))


class InstanceActionsQueryTest(unittest.TestCase):

    def validate(self, version, query):
        return instance_actions.validate_list_query(
            make_request(version, query))

    def test_everything_dropped_before_258(self):
        self.assertEqual({}, self.validate('2.57', 'limit=-1&foo=bar'))

    def test_258_parameters(self):
        self.assertEqual(
            {'limit': ['5'], 'marker': ['req-1'],
             'changes-since': ['2024-05-01T00:00:00Z']},
            self.validate('2.58', 'limit=5&marker=req-1&'
                                  'changes-since=2024-05-01T00:00:00Z'))
        with self.assertRaises(exception.ValidationError) as caught:
            self.validate('2.58', 'limit=-1')
        self.assertEqual("Invalid input for query parameters limit. Value: "
                         "-1. '-1' does not match '^[0-9]*$'",
                         caught.exception.message)

    def test_each_parameter_at_most_once(self):
        with self.assertRaises(exception.ValidationError) as caught:
            self.validate('2.58', 'limit=1&limit=2')
        self.assertTrue(caught.exception.message.startswith(
            "Invalid input for query parameters limit. Value: ['1', '2']. "))

    def test_unknown_and_changes_before(self):
        with self.assertRaises(exception.ValidationError) as caught:
            self.validate('2.65', 'changes-before=2024-05-01T00:00:00Z')
        self.assertEqual("Additional properties are not allowed "
                         "('changes-before' was unexpected)",
                         caught.exception.message)
        self.assertEqual({'changes-before': ['2024-05-01T00:00:00Z']},
                         self.validate('2.66',
                                       'changes-before=2024-05-01T00:00:00Z'))
        with self.assertRaises(exception.ValidationError):
            self.validate('2.104', 'name=web')

    def test_show_query(self):
        self.assertEqual({}, instance_actions.validate_show_query(
            make_request('2.101', 'foo=1')))
        with self.assertRaises(exception.ValidationError):
            instance_actions.validate_show_query(
                make_request('2.102', 'foo=1'))


class HelpersTest(unittest.TestCase):

    def test_limit_and_marker(self):
        self.assertEqual((1000, None), schemas.limit_and_marker({}, 1000))
        self.assertEqual((5, 'm2'), schemas.limit_and_marker(
            {'limit': ['3', '5'], 'marker': ['m1', 'm2']}, 1000))
        self.assertEqual((1000, None), schemas.limit_and_marker(
            {'limit': ['5000']}, 1000))
        self.assertEqual((0, None), schemas.limit_and_marker(
            {'limit': ['0']}, 1000))

    def test_schema_for_picks_the_latest_covering_version(self):
        table = servers.LIST_QUERY
        self.assertIs(servers.LIST_V21, schemas.schema_for(table, _v('2.25')))
        self.assertIs(servers.LIST_V226,
                      schemas.schema_for(table, _v('2.26')))
        self.assertIs(servers.LIST_V275,
                      schemas.schema_for(table, _v('2.104')))


if __name__ == '__main__':
    unittest.main()
