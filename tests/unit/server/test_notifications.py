"""Notifications are built only when a notification driver is configured."""
from unittest import mock

from oslo_config import cfg
import oslo_messaging as messaging
import testtools

from crashdump_server import notifications
from crashdump_server import rpc


class NotificationsEnabledTest(testtools.TestCase):

    def notifier(self, drivers):
        conf = cfg.ConfigOpts()
        conf([])
        transport = messaging.get_notification_transport(conf,
                                                         url='fake://')
        conf.set_override('driver', drivers,
                          group='oslo_messaging_notifications')
        return messaging.Notifier(transport)

    def test_no_driver_or_noop_is_off(self):
        for drivers, enabled in (([], False), (['noop'], False),
                                 (['messagingv2'], True),
                                 (['noop', 'log'], True)):
            with mock.patch.object(rpc, '_NOTIFIER', self.notifier(drivers)):
                self.assertEqual(enabled, rpc.notifications_enabled(),
                                 drivers)

    def test_off_builds_and_sends_nothing(self):
        with mock.patch.object(rpc, '_NOTIFIER', self.notifier([])), \
                mock.patch.object(rpc, 'get_notifier') as get_notifier, \
                mock.patch.object(notifications, '_payload') as payload:
            notifications.notify_about_instance_action(
                mock.Mock(), mock.Mock(), 'compute-1', 'trigger_crash_dump',
                'start')
        get_notifier.assert_not_called()
        payload.assert_not_called()
