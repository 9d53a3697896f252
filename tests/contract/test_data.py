"""The contract data itself: loadable, complete, and able to fail."""
import json
import os
import tempfile

import testtools

from tests.contract import cases as contract_cases
from tests.contract import checks

AREAS = {'versions', 'microversions', 'request_ids', 'errors',
         'trigger_crash_dump', 'servers', 'instance_actions', 'events',
         'memory_dumps'}


class TestCaseData(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.fixtures = contract_cases.load_fixtures()
        self.fields = contract_cases.load_fields()
        self.cases = contract_cases.load_cases()

    def test_every_area_has_cases(self):
        self.assertEqual(AREAS, {case.area for case in self.cases})

    def test_every_fixture_server_is_used(self):
        used = {s for case in self.cases for s in case.servers}
        self.assertEqual(set(self.fixtures['servers']), used)

    def test_fixture_ids_are_unique(self):
        ids = [s['id'] for s in self.fixtures['servers'].values()]
        self.assertEqual(len(ids), len(set(ids)))

    def test_differences_from_nova_say_why(self):
        for case in self.cases:
            if 'differs_from_nova' in case.data:
                self.assertGreater(len(case.differs_from_nova or ''), 20,
                                   case.name)

    def test_every_fields_table_is_used(self):
        used = {check['fields'] for case in self.cases
                for step in case.steps
                for check in step['response'].get('checks') or []
                if 'fields' in check}
        self.assertEqual(set(self.fields), used)

    def test_bad_case_is_refused(self):
        with tempfile.TemporaryDirectory() as directory:
            with open(os.path.join(directory, 'bad.yaml'), 'w') as stream:
                stream.write('- name: uses_unlisted\n'
                             '  request: {method: GET, path: "/{web_1}"}\n'
                             '  response: {status: 200}\n')
            self.assertRaises(ValueError, contract_cases.load_cases,
                              directory)

    def test_unknown_placeholder_is_an_error(self):
        self.assertRaises(KeyError, contract_cases.substitute, '{nope}', {})


class TestChecksCanFail(testtools.TestCase):
    """Each kind of expectation rejects a response that breaks it."""

    def problems(self, expected, status=200, headers=None, body=b'{}',
                 version='2.1'):
        return checks.problems(dict({'status': 200}, **expected), status,
                               headers or {}, body, version,
                               contract_cases.load_fields())

    def test_status(self):
        self.assertTrue(self.problems({}, status=500))

    def test_fault(self):
        body = b'{"badRequest": {"code": 400, "message": "no"}}'
        self.assertEqual([], self.problems(
            {'status': 400, 'fault': {'name': 'badRequest',
                                      'message': 'no'}}, 400, body=body))
        self.assertTrue(self.problems(
            {'status': 400, 'fault': {'name': 'badRequest',
                                      'message': 'yes'}}, 400, body=body))

    def test_fields_by_version(self):
        action = {'action': 'a', 'instance_uuid': 'u', 'request_id': 'r',
                  'user_id': 'u', 'project_id': 'p', 'start_time': 't',
                  'message': None}
        check = {'checks': [{'path': 'a', 'fields': 'instance_action'}]}
        body = json.dumps({'a': action}).encode()
        self.assertEqual([], self.problems(check, body=body, version='2.57'))
        self.assertTrue(self.problems(check, body=body, version='2.58'))

    def test_contains_and_absent(self):
        body = b'{"items": [{"id": 1}], "x": 1}'
        self.assertTrue(self.problems(
            {'checks': [{'path': 'items', 'contains': {'id': 2}}]},
            body=body))
        self.assertTrue(self.problems(
            {'checks': [{'path': 'x', 'absent': True}]}, body=body))

    def test_headers(self):
        self.assertTrue(self.problems(
            {'headers_equal': ['a', 'b']}, headers={'a': '1', 'b': '2'}))
        self.assertTrue(self.problems(
            {'header_patterns': {'a': 'req-.*'}}, headers={'a': 'x'}))
