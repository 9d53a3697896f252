"""Serve the real Nova API on a loopback port, with Nova's fake virt driver.

Run in a process of its own (it monkey-patches with eventlet, as Nova's
functional tests do, and changes global state)::

    python -m tests.nova.harness <workdir> [--max-version 2.16]

It sets up what Nova's functional tests set up (``nova.test.TestCase`` and
``_IntegratedTestBase``: in-memory databases, cells, the fake RPC
transport, the Placement, Neutron, Glance and Cinder fixtures, conductor,
scheduler and one compute service on ``fake.FakeDriver``), but RPC casts
stay casts, so a trigger's outcome arrives later, as in a real cloud. The
API is Nova's own paste pipeline (``api-paste.ini`` of the nova wheel)
served by eventlet's WSGI server, with :mod:`tests.nova.auth` in place of
keystonemiddleware.

The fake driver's ``trigger_crash_dump`` fails as the server's metadata
item ``fake_trigger_crash_dump`` says (:data:`OUTCOME_KEY`):
``not_supported``, ``not_running`` or ``not_implemented``; otherwise it
records the delivery as a JSON line in ``<workdir>/nmis.jsonl``.

Two things have no API, so :mod:`tests.nova.control` answers them under
``/_harness`` for the admin token only: saving fields of an instance record
(a server without a host, one stuck in a task) and replacing the policy.

When ready it writes ``<workdir>/ready.json`` (``url``, ``min_version``,
``max_version``) and serves until killed or orphaned. Nova's log is
``<workdir>/nova.log``.
"""
import argparse
import json
import logging
import os
import sys
import time

OUTCOME_KEY = 'fake_trigger_crash_dump'
LOG = logging.getLogger('harness')


def _parse(argv):
    parser = argparse.ArgumentParser(prog='python -m tests.nova.harness')
    parser.add_argument('workdir')
    parser.add_argument('--max-version', help='pin the API maximum (2.X)')
    return parser.parse_args(argv)


def _paste_config():
    """The api-paste.ini the nova wheel installed (under <prefix>/etc)."""
    from importlib import metadata
    dist = metadata.distribution('nova')
    for name in dist.files or ():
        if str(name).endswith('etc/nova/api-paste.ini'):
            return os.path.normpath(str(dist.locate_file(name)))
    candidate = os.path.join(sys.prefix, 'etc', 'nova', 'api-paste.ini')
    if os.path.exists(candidate):
        return candidate
    raise RuntimeError('api-paste.ini of the nova distribution not found')


def _log_to(path):
    # Nova's logging fixture formats every DEBUG message (to catch bad
    # format strings) and keeps INFO in memory: both cost a long-running
    # server time and memory. INFO to a file instead.
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.setLevel(logging.INFO)
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter(
        '%(asctime)s %(levelname)s %(name)s %(message)s'))
    root.addHandler(handler)


def install_driver_outcomes(nmi_log):
    """Make the fake driver fail as each server's metadata says, and log
    every delivered crash dump to ``nmi_log``."""
    from nova import exception
    from nova.virt import fake

    def trigger_crash_dump(driver, instance):
        outcome = (instance.metadata or {}).get(OUTCOME_KEY)
        if outcome == 'not_supported':
            raise exception.TriggerCrashDumpNotSupported()
        if outcome == 'not_running':
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        if outcome == 'not_implemented':
            raise NotImplementedError()
        with open(nmi_log, 'a') as stream:
            stream.write(json.dumps({'instance_uuid': instance.uuid,
                                     'time': time.time()}) + '\n')

    fake.FakeDriver.trigger_crash_dump = trigger_crash_dump


def build_harness_class():
    """The Nova functional test base, set up to serve over HTTP.

    Imported late: importing nova's functional tests monkey-patches.
    """
    from nova.tests.functional import integrated_helpers

    class NovaHarness(integrated_helpers._IntegratedTestBase):
        # The API answers 202 before the compute service acts, as in a
        # real cloud; outcomes then arrive as instance action events.
        CAST_AS_CALL = False

        def __init__(self, options):
            super().__init__('runTest')
            self.options = options
            self.url = None

        def runTest(self):  # testtools needs a test method to exist
            pass

        def _setup_services(self):
            policy_file = os.path.join(self.options.workdir, 'policy.json')
            with open(policy_file, 'w') as stream:
                stream.write('{}')
            self.flags(compute_driver='fake.FakeDriver',
                       allow_resize_to_same_host=True)
            self.flags(api_paste_config=_paste_config(), group='wsgi')
            self.flags(instances=-1, cores=-1, ram=-1, group='quota')
            self.flags(policy_file=policy_file, group='oslo_policy')
            import nova.policy
            nova.policy.reset()
            self.conductor = self.start_service('conductor')
            self.scheduler = self.start_service('scheduler')
            self.compute = self._start_compute('compute')
            install_driver_outcomes(
                os.path.join(self.options.workdir, 'nmis.jsonl'))
            self.url = self._serve(policy_file)

        def _serve(self, policy_file):
            import eventlet
            import eventlet.wsgi
            from unittest import mock

            from nova.api import wsgi
            from nova.api.openstack import wsgi_app
            import nova.conf

            from tests.nova import auth
            from tests.nova import control

            wsgi_app._setup_service(nova.conf.CONF.host, 'osapi_compute')
            with mock.patch('keystonemiddleware.auth_token.filter_factory',
                            auth.filter_factory):
                app = wsgi.Loader().load_app('osapi_compute')
            app = control.Control(app, policy_file)
            sock = eventlet.listen(('127.0.0.1', 0))
            eventlet.spawn(eventlet.wsgi.server, sock, app,
                           log=logging.getLogger('harness.wsgi'),
                           log_output=False, debug=False)
            return 'http://127.0.0.1:%d' % sock.getsockname()[1]

    return NovaHarness


def main(argv=None):
    options = _parse(sys.argv[1:] if argv is None else argv)
    os.environ.pop('OS_TEST_TIMEOUT', None)
    os.makedirs(options.workdir, exist_ok=True)
    started = time.monotonic()
    harness_class = build_harness_class()
    from nova.api.openstack import api_version_request
    if options.max_version:
        api_version_request._MAX_API_VERSION = options.max_version
    harness = harness_class(options)
    harness.setUp()
    # After set-up: Nova's logging fixture replaced the root handlers.
    _log_to(os.path.join(options.workdir, 'nova.log'))
    LOG.info('Nova serving at %s after %.1fs', harness.url,
             time.monotonic() - started)
    ready = {'url': harness.url,
             'min_version': api_version_request._MIN_API_VERSION,
             'max_version': api_version_request._MAX_API_VERSION}
    path = os.path.join(options.workdir, 'ready.json')
    with open(path + '.tmp', 'w') as stream:
        json.dump(ready, stream)
    os.rename(path + '.tmp', path)
    _serve_until_orphaned()


def _serve_until_orphaned():
    import eventlet
    parent = os.getppid()
    while os.getppid() == parent:
        eventlet.sleep(1)


if __name__ == '__main__':
    try:
        main()
    except BaseException:
        # Nova's test fixtures may have captured sys.stderr by now.
        import traceback
        traceback.print_exc(file=sys.__stderr__)
        sys.exit(1)
