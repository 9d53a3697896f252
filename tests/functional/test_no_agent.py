"""A server whose host has no live compute agent: Nova's 202, then an
Error event at once, so ``nova trigger-crash --wait`` reports it within
2 s instead of waiting for the request's deadline.

This is the documented fake-driver example copied into the embedded
mode: the servers say ``host: compute-1`` while the agent runs under the
machine's name.
"""
import datetime
import re
import time

from tests.functional import base
from tests.functional.base import fake_server
from tests.lib.embedded import EmbeddedServer

ELSEWHERE = '7a000000-0000-4000-8000-000000000001'


class TestHostWithoutAgent(base.FunctionalTestCase):

    SERVERS = [fake_server(ELSEWHERE, 'elsewhere-1', host='compute-1')]

    @classmethod
    def make_server(cls):
        # The agent serves another host than the one the servers name.
        return EmbeddedServer(cls.SERVERS, host='machine-7')

    def test_wait_reports_the_missing_agent_at_once(self):
        started = time.monotonic()
        # As admin: the event's details are for administrators (policy).
        result = self.nova('trigger-crash', ELSEWHERE, '--wait',
                           user=base.ADMIN, project=base.ADMIN_PROJECT)
        elapsed = time.monotonic() - started
        self.assertFailed(result)
        request_id = re.search(r'\(request (req-[0-9a-f-]{36})\)',
                               result.stdout).group(1)
        self.assertIn('No compute agent has ever served host compute-1',
                      result.stdout + result.stderr, result.describe())
        action = self.recorded_action(ELSEWHERE, request_id)
        [event] = action['events']
        self.assertEqual('Error', event['result'])
        self.assertEqual(0, self.nmis_for(ELSEWHERE))
        # Closed as the request was accepted, not at its deadline.
        took = (event_time(event['finish_time'])
                - event_time(action['start_time']))
        self.assertLess(took, 2, action)
        # The CLI's own start-up is most of this.
        self.assertLess(elapsed, 30, result.describe())


def event_time(text):
    return datetime.datetime.fromisoformat(text.rstrip('Z')).timestamp()
