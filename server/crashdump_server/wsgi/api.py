"""The WSGI application for any WSGI server (gunicorn, uWSGI, mod_wsgi).

``crashdump_server.wsgi.api:application``. The configuration file comes
from ``CRASHDUMP_CONFIG_FILE`` (default /etc/crashdump/crashdump.conf).
Compute agents run separately (``crashdump-compute``), reached over the
configured ``transport_url``.
"""
import os

from crashdump_server.api import deploy
from crashdump_server.compute import unanswered
from crashdump_server.db import api as db_api
from crashdump_server import rpc
from crashdump_server import service

CONFIG_ENV = 'CRASHDUMP_CONFIG_FILE'
DEFAULT_CONFIG = '/etc/crashdump/crashdump.conf'


def init_application():
    """Parse the configuration, connect database and RPC, build the app."""
    config_file = os.environ.get(CONFIG_ENV, DEFAULT_CONFIG)
    conf = service.prepare_service([], default_config_files=[config_file])
    db_api.configure(conf)
    rpc.init(conf)
    application = deploy.deploy(conf)
    # Each worker process looks; a request is closed once all the same.
    unanswered.UnansweredRequestCloser(conf).start()
    return application


application = init_application()
