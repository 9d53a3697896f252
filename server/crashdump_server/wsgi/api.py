"""The WSGI application for any WSGI server (gunicorn, uWSGI, mod_wsgi).

``crashdump_server.wsgi.api:application``. The configuration file comes
from ``CRASHDUMP_CONFIG_FILE`` (default /etc/crashdump/crashdump.conf).
Compute agents run separately (``crashdump-compute``), reached over the
configured ``transport_url``.
"""
import os

from crashdump_server.api import deploy
from crashdump_server.compute import unanswered
from crashdump_server.db import migration
from crashdump_server import exception
from crashdump_server import logs
from crashdump_server import rpc
from crashdump_server import service

CONFIG_ENV = 'CRASHDUMP_CONFIG_FILE'
DEFAULT_CONFIG = '/etc/crashdump/crashdump.conf'


def check_noauth(conf):
    """Refuse noauth: under a WSGI server the application cannot learn
    the address it is served on, so the loopback guard of crashdump-all
    cannot hold. Raises ConfigError unless the operator vouches for the
    network with [api] allow_noauth_on_public_address."""
    if (conf.api.auth_strategy == 'noauth'
            and not conf.api.allow_noauth_on_public_address):
        raise exception.ConfigError(
            reason='[api] auth_strategy = noauth in %s makes anybody who '
                   'reaches the WSGI server an admin, and under a WSGI '
                   'server crashdump cannot check that it listens on '
                   'loopback only; choose another auth_strategy, or set '
                   '[api] allow_noauth_on_public_address = true if the '
                   'server is reachable from loopback or an isolated test '
                   'network only' % ', '.join(conf.config_file))


def init_application():
    """Parse and check the configuration, connect database and RPC, build
    the app. Raises ConfigError with one sentence when it cannot serve."""
    config_file = os.environ.get(CONFIG_ENV, DEFAULT_CONFIG)
    conf = service.prepare_service([], default_config_files=[config_file])
    logs.hand_off()
    check_noauth(conf)
    service.check_policy_file(conf)
    migration.check_ready(conf)
    rpc.init(conf)
    application = deploy.deploy(conf)
    # Each worker process looks; a request is closed once all the same.
    unanswered.UnansweredRequestCloser(conf).start()
    return application


application = init_application()
