"""A functional test class over a real Ironic: the class's own Ironic and
BMCs (see :mod:`realparts`), then ``crashdump-all`` with
``compute_driver = ironic`` pointed at it, noauth, with retries tuned so
every failure case ends in seconds.
"""
import re
import time

from testtools import content
from testtools import content_type

from tests.functional import base
from tests.functional.ironic import realparts

#: crashdump's retry bound for a locked node, and its per-trigger deadline.
MAX_RETRIES = 2
RETRY_INTERVAL = 0.5
TRIGGER_TIMEOUT = 20

#: What ``nova trigger-crash --wait`` prints for a server it waited for.
RESULT_LINE = re.compile(
    r'^Crash dump for server (?P<name>\S+) \((?P<id>[0-9a-f-]{36})\): '
    r'(?P<outcome>.*) \(request (?P<request_id>req-[0-9a-f-]{36})\)$')


class IronicTestCase(base.FunctionalTestCase):
    """Subclasses enroll their nodes in :meth:`enroll_nodes`."""

    SERVERS = []
    # Seconds the driver gives one Ironic request, and one whole trigger.
    REQUEST_TIMEOUT = 15
    TRIGGER_TIMEOUT = TRIGGER_TIMEOUT

    @classmethod
    def enroll_nodes(cls, stack):
        """Start BMCs and enroll nodes in ``stack`` (an IronicStack)."""

    @classmethod
    def setUpClass(cls):
        cls.stack = realparts.IronicStack()
        try:
            cls.stack.start()
            cls.enroll_nodes(cls.stack)
            cls.OPTIONS = {
                'DEFAULT.compute_driver': 'ironic',
                'ironic.auth_type': 'none',
                'ironic.endpoint_override': cls.stack.url,
                'ironic.max_retries': MAX_RETRIES,
                'ironic.retry_interval': RETRY_INTERVAL,
                'ironic.trigger_timeout': cls.TRIGGER_TIMEOUT,
                'ironic.timeout': cls.REQUEST_TIMEOUT,
            }
            super().setUpClass()
        except BaseException:
            cls.stack.stop()
            cls.stack.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stack.stop()
            cls.stack.cleanup()

    def setUp(self):
        super().setUp()
        self.addOnException(self._attach_ironic_log)

    def _attach_ironic_log(self, exc_info):
        self.addDetail('ironic-log', content.Content(
            content_type.UTF8_TEXT,
            lambda: [self.stack.log()[-20000:].encode('utf-8')]))

    def trigger_and_wait(self, server, user=base.ADMIN,
                         project=base.ADMIN_PROJECT):
        """``nova trigger-crash SERVER --wait`` (SERVER a name, or an id for
        an admin outside the server's project); returns (outcome, request
        id, seconds it took, the CommandResult)."""
        started = time.monotonic()
        result = self.nova('trigger-crash', server, '--wait',
                           '--poll-interval', '0.2',
                           '--timeout', str(self.TRIGGER_TIMEOUT + 30),
                           user=user, project=project)
        seconds = time.monotonic() - started
        matches = [RESULT_LINE.match(line)
                   for line in result.stdout.splitlines()]
        matches = [match for match in matches if match]
        self.assertEqual(1, len(matches), result.describe())
        return (matches[0].group('outcome'), matches[0].group('request_id'),
                seconds, result)
