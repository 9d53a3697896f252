"""Both CLIs against a real Nova whose API stops at 2.16, below the 2.17
that trigger_crash_dump needs: one clear sentence, a failing exit status,
no traceback, and no request beyond version discovery.
"""
import requests

from tests.nova import base

SENTENCE = ('Triggering a crash dump needs compute API microversion 2.17 or '
            'later; the server supports up to 2.16.')
DEPRECATION = 'nova CLI is deprecated'


class TestNegotiationWithOldNova(base.PinnedNovaTestCase):

    MAX_VERSION = '2.16'

    def test_nova_serves_only_up_to_2_16(self):
        versions = requests.get(self.server.url + '/', timeout=30).json()
        [current] = [v for v in versions['versions'] if v['id'] == 'v2.1']
        self.assertEqual(('2.1', '2.16'),
                         (current['min_version'], current['version']))

    def test_nova_trigger_crash(self):
        result = self.nova('trigger-crash', 'any-server', '--wait')
        self.assertFailed(result)
        self.assertEqual('', result.stdout, result.describe())
        errors = [line for line in result.stderr.splitlines()
                  if line.strip() and DEPRECATION not in line]
        self.assertEqual(['ERROR (UnsupportedVersion): ' + SENTENCE],
                         errors, result.describe())

    def test_openstack_crash_dump_trigger(self):
        result = self.openstack('server', 'crash-dump', 'trigger',
                                'any-server', '--wait')
        self.assertFailed(result)
        self.assertEqual('', result.stdout, result.describe())
        self.assertEqual(SENTENCE + '\n', result.stderr, result.describe())
