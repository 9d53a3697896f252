"""servicegroup.API: a service is up while its heartbeat is recent enough."""
import datetime

from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_utils import timeutils
import testtools

from crashdump_server.conf import default as default_conf
from crashdump_server.db import models
from crashdump_server import servicegroup

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0)


def beat(seconds_ago, created_days_ago=1):
    return models.Service(
        updated_at=None if seconds_ago is None
        else NOW - datetime.timedelta(seconds=seconds_ago),
        created_at=NOW - datetime.timedelta(days=created_days_ago))


class ServiceIsUpTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = cfg.ConfigOpts()
        conf.register_opts(default_conf.opts)
        self.conf = self.useFixture(config_fixture.Config(conf)).conf
        self.conf([], default_config_files=[])
        self.api = servicegroup.API(self.conf)

    def test_default_is_nova_s_60_seconds(self):
        self.assertEqual(60, self.conf.service_down_time)
        self.assertTrue(self.api.service_is_up(beat(60), NOW))
        self.assertFalse(self.api.service_is_up(beat(61), NOW))

    def test_service_down_time_decides(self):
        self.conf.set_override('service_down_time', 120)
        self.assertTrue(self.api.service_is_up(beat(90), NOW))
        self.assertFalse(self.api.service_is_up(beat(121), NOW))

    def test_never_updated_counts_from_creation(self):
        fresh = models.Service(updated_at=None,
                               created_at=NOW - datetime.timedelta(seconds=5))
        self.assertTrue(self.api.service_is_up(fresh, NOW))
        self.assertFalse(self.api.service_is_up(beat(None), NOW))

    def test_clock_ahead_within_the_window_is_up(self):
        self.assertTrue(self.api.service_is_up(beat(-30), NOW))
        self.assertFalse(self.api.service_is_up(beat(-61), NOW))

    def test_now_defaults_to_the_current_time(self):
        service = models.Service(updated_at=timeutils.utcnow(),
                                 created_at=NOW)
        self.assertTrue(self.api.service_is_up(service))

    def test_option_must_be_positive(self):
        self.assertRaises(ValueError, self.conf.set_override,
                          'service_down_time', 0)
