"""The memory-dump resource over HTTP, in process (crashdump's own API)."""
import hashlib
import time

import testtools

from tests.lib import embedded
from tests.lib import inprocess

WEB = '0f000000-0000-4000-8000-000000000001'
OTHER = '0f000000-0000-4000-8000-000000000002'
LOCKED = '0f000000-0000-4000-8000-000000000003'
NO_HOST = '0f000000-0000-4000-8000-000000000004'
ADMIN = 'admin:demo'
MEMBER = 'alice:demo'
PATH = '/v2.1/servers/%s/crashdump-memory-dumps'


class MemoryDumpApiTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(inprocess.InProcessServer([
            embedded.fake_server(WEB, 'web-1'),
            embedded.fake_server(OTHER, 'theirs', project_id='other'),
            embedded.fake_server(LOCKED, 'locked-1', locked=True),
            embedded.fake_server(NO_HOST, 'nowhere', host=None)]))

    def request(self, method, path, body=None, token=ADMIN, **kwargs):
        return self.server.request(method, path, body, token=token,
                                   **kwargs)

    def create(self, server_id=WEB, token=ADMIN, **options):
        return self.request('POST', PATH % server_id,
                            {'memory_dump': options}, token=token)

    def wait_available(self, server_id, dump_id, token=ADMIN):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            dump = self.request('GET', PATH % server_id + '/' + dump_id,
                                token=token).json['memory_dump']
            if dump['status'] != 'creating':
                return dump
            time.sleep(0.05)
        self.fail('dump %s still creating' % dump_id)

    def error(self, response, status):
        self.assertEqual(status, response.status_int, response.body)
        [(_, fault)] = response.json.items()
        return fault['message']

    def test_create_show_list_download_delete(self):
        created = self.create(format='elf')
        self.assertEqual(202, created.status_int, created.body)
        dump = created.json['memory_dump']
        self.assertEqual(('creating', 'elf', 'compute-1'),
                         (dump['status'], dump['format'], dump['host']))
        self.assertTrue(created.location.endswith(
            PATH % WEB + '/' + dump['id']))
        self.assertEqual(created.headers['x-openstack-request-id'],
                         dump['request_id'])
        dump = self.wait_available(WEB, dump['id'])
        self.assertEqual(('available', 100), (dump['status'],
                                              dump['progress']))
        listed = self.request('GET', PATH % WEB).json['memory_dumps']
        self.assertEqual([dump['id']], [d['id'] for d in listed])
        download = self.request('GET', PATH % WEB + '/%s/file' % dump['id'])
        self.assertEqual(200, download.status_int)
        self.assertEqual(dump['size'], download.content_length)
        self.assertEqual(dump['size'], len(download.body))
        self.assertEqual(dump['sha256'],
                         hashlib.sha256(download.body).hexdigest())
        self.assertEqual(dump['sha256'],
                         download.headers['X-Crashdump-SHA256'])
        self.assertTrue(download.body.startswith(b'\x7fELF'))
        action = self.request(
            'GET', '/v2.1/servers/%s/os-instance-actions/%s'
            % (WEB, dump['request_id']), version='2.84').json
        self.assertEqual('memory_dump', action['instanceAction']['action'])
        self.assertEqual(['compute_memory_dump'], [
            e['event'] for e in action['instanceAction']['events']])
        deleted = self.request('DELETE', PATH % WEB + '/' + dump['id'])
        self.assertEqual(204, deleted.status_int, deleted.body)
        self.assertIn('not found', self.error(
            self.request('GET', PATH % WEB + '/' + dump['id']), 404))

    def test_resumed_download_with_range(self):
        dump = self.wait_available(
            WEB, self.create().json['memory_dump']['id'])
        whole = self.request('GET', PATH % WEB + '/%s/file' % dump['id'])
        rest = self.request('GET', PATH % WEB + '/%s/file' % dump['id'],
                            headers={'Range': 'bytes=1000-',
                                     'If-Range': '"%s"' % dump['sha256']})
        self.assertEqual(206, rest.status_int)
        self.assertEqual('bytes 1000-%d/%d' % (dump['size'] - 1,
                                               dump['size']),
                         rest.headers['Content-Range'])
        self.assertEqual(whole.body[1000:], rest.body)
        self.assertEqual(whole.body, whole.body[:1000] + rest.body)

    def test_trigger_after_is_recorded(self):
        dump = self.create(trigger_crash_dump=True).json['memory_dump']
        self.assertTrue(dump['trigger_crash_dump'])
        deadline = time.monotonic() + 10
        while dump['trigger_crash_dump_result'] is None:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
            dump = self.request('GET', PATH % WEB + '/' + dump['id']).json[
                'memory_dump']
        self.assertEqual('Success', dump['trigger_crash_dump_result'])
        self.assertEqual([WEB], self.server.driver.nmis)

    def test_member_is_refused_create_and_download_by_default(self):
        self.assertIn("crashdump:memory_dumps:create", self.error(
            self.create(token=MEMBER), 403))
        dump = self.wait_available(
            WEB, self.create().json['memory_dump']['id'])
        self.assertIn("crashdump:memory_dumps:download", self.error(
            self.request('GET', PATH % WEB + '/%s/file' % dump['id'],
                         token=MEMBER), 403))
        self.assertIn("crashdump:memory_dumps:delete", self.error(
            self.request('DELETE', PATH % WEB + '/' + dump['id'],
                         token=MEMBER), 403))
        # Members see the metadata, not the host's name.
        shown = self.request('GET', PATH % WEB + '/' + dump['id'],
                             token=MEMBER).json['memory_dump']
        self.assertEqual(dump['sha256'], shown['sha256'])
        self.assertNotIn('host', shown)

    def test_bad_bodies(self):
        for body, words in (
                ({'memory_dump': {'format': 'vmcore'}}, "is not one of"),
                ({'memory_dump': {'bogus': 1}}, 'Additional properties'),
                ({}, "'memory_dump' is a required property"),
                ({'memory_dump': {'trigger_crash_dump': 'yes'}},
                 "is not of type 'boolean'")):
            with self.subTest(body=body):
                self.assertIn(words, self.error(
                    self.request('POST', PATH % WEB, body), 400))
        self.assertEqual('Malformed request body', self.error(
            self.request('POST', PATH % WEB, raw_body=b'{'), 400))

    def test_unknown_server_dump_and_other_project(self):
        self.assertIn('could not be found', self.error(
            self.request('GET', PATH % 'nope'), 404))
        self.assertIn('not found', self.error(
            self.request('GET', PATH % WEB + '/nope'), 404))
        self.assertIn('could not be found', self.error(
            self.request('GET', PATH % OTHER, token=MEMBER), 404))

    def test_locked_and_hostless_servers(self):
        self.assertEqual(202, self.create(LOCKED).status_int)
        self.assertIn('is not ready', self.error(self.create(NO_HOST), 409))

    def test_download_before_available_is_a_conflict(self):
        self.server.conf.set_override('memory_dump_seconds', 2.0,
                                      group='fake')
        dump = self.create().json['memory_dump']
        self.assertIn('is creating, not available', self.error(
            self.request('GET', PATH % WEB + '/%s/file' % dump['id']), 409))
        self.wait_available(WEB, dump['id'])

    def test_extension_is_advertised(self):
        body = self.request('GET', '/v2.1/crashdump').json
        [extension] = body['crashdump']['extensions']
        self.assertEqual('memory-dumps', extension['name'])
        self.assertEqual('kdump-zlib', extension['default_format'])
