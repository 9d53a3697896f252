"""Process set-up shared by every console script and the WSGI entry."""
import sys

from oslo_log import log as logging

from crashdump_server.conf import CONF
from crashdump_server.db import api as db_api
from crashdump_server import rpc

LOG = logging.getLogger(__name__)
_PREPARED = False  # options registered


def prepare_service(argv=None, default_config_files=None, description=None):
    """Register options, parse arguments and files, set up logging, once.

    ``description`` is what ``--help`` prints under the usage line.

    Returns the global CONF. Raises SystemExit with oslo.config's message
    on a bad option or file.
    """
    register_opts()
    CONF(argv if argv is not None else sys.argv[1:], project='crashdump',
         default_config_files=default_config_files, description=description)
    logging.setup(CONF, 'crashdump')
    return CONF


def register_opts():
    """Register the libraries' options crashdump uses, once; returns CONF."""
    global _PREPARED
    if not _PREPARED:
        logging.register_options(CONF)
        db_api.register_opts(CONF)
        rpc.register_opts(CONF)
        _PREPARED = True
    return CONF
