"""The agent's and the API's periodic work on futurist's periodics."""
import threading
from unittest import mock

import testtools

from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import periodic
from tests.lib import embedded
from tests.lib import inprocess

SERVER = '6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b'


class PeriodicsTest(testtools.TestCase):

    def test_runs_every_spacing_until_stopped(self):
        runs = []
        third = threading.Event()

        def task():
            runs.append(1)
            if len(runs) == 3:
                third.set()
        worker = periodic.Periodics('test', [(0.01, task)]).start()
        self.assertTrue(third.wait(10))
        worker.stop(timeout=10)
        stopped_at = len(runs)
        threading.Event().wait(0.1)
        self.assertEqual(stopped_at, len(runs))


class AgentPeriodicsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server = self.useFixture(inprocess.InProcessServer(
            [embedded.fake_server(SERVER, 'web-1')],
            overrides={(None, 'report_interval'): 1}))
        self.agent = self.server.agent

    def report_count(self):
        [row] = db_api.services_get('crashdump-compute')
        return row.report_count

    def wait_until(self, predicate, timeout=10):
        event = threading.Event()
        for _ in range(int(timeout / 0.05)):
            if predicate():
                return True
            event.wait(0.05)
        return predicate()

    def test_heartbeat_every_report_interval(self):
        first = self.report_count()
        self.assertTrue(self.wait_until(
            lambda: self.report_count() >= first + 2))

    def test_sync_soon_after_the_driver_reports_a_change(self):
        synced = threading.Event()
        with mock.patch.object(self.agent.manager, 'sync_instances',
                               side_effect=lambda _ctx: synced.set()):
            self.agent.driver.on_inventory_change()
            self.assertTrue(synced.wait(5))

    def test_failures_are_logged_and_the_agent_goes_on(self):
        calls = []

        def sync(_context):
            calls.append(1)
            if len(calls) == 1:
                raise exception.DriverUnavailable(driver='fake',
                                                  reason='down')
            raise RuntimeError('database hiccup')
        with mock.patch.object(self.agent.manager, 'sync_instances',
                               side_effect=sync):
            self.agent.driver.on_inventory_change()
            self.assertTrue(self.wait_until(lambda: len(calls) >= 1))
            self.agent.driver.on_inventory_change()
            self.assertTrue(self.wait_until(lambda: len(calls) >= 2))
        first = self.report_count()
        self.assertTrue(self.wait_until(
            lambda: self.report_count() > first))
