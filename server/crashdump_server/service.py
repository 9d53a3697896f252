"""Process set-up shared by every console script and the WSGI entry."""
import os
import sys

from oslo_config import cfg
from oslo_log import log as logging

from crashdump_server.conf import check
from crashdump_server.conf import CONF
from crashdump_server.db import api as db_api
from crashdump_server import exception
from crashdump_server import logs
from crashdump_server import rpc

LOG = logging.getLogger(__name__)
_PREPARED = False  # options registered


def prepare_service(argv=None, default_config_files=None, description=None):
    """Register options, parse arguments and files, check every option,
    set up logging, once.

    ``description`` is what ``--help`` prints under the usage line.

    Returns the global CONF. Raises ConfigError with one sentence for a
    configuration file that is missing, unreadable or unparsable, an
    unknown option, a bad value or a log file that cannot be written;
    SystemExit with argparse's message for a bad command line.
    """
    register_opts()
    try:
        CONF(argv if argv is not None else sys.argv[1:], project='crashdump',
             default_config_files=default_config_files,
             description=description)
    except cfg.ConfigFilesNotFoundError as exc:
        raise exception.ConfigError(
            reason='cannot read the configuration file %s: it does not '
                   'exist; check --config-file' % ', '.join(
                       exc.config_files))
    except cfg.ConfigFilesPermissionDeniedError as exc:
        raise exception.ConfigError(
            reason='cannot read the configuration file %s: permission '
                   'denied; make it readable by this user' % ', '.join(
                       exc.config_files))
    except cfg.Error as exc:
        raise exception.ConfigError(
            reason='%s; correct the configuration file' % exc)
    warnings = check.check_all(CONF)
    try:
        logging.setup(CONF, 'crashdump')
    except OSError as exc:
        raise exception.ConfigError(
            reason='cannot write the log file %s: %s; check [DEFAULT] '
                   'log_file and log_dir' % (
                       exc.filename or CONF.log_file, exc.strerror or exc))
    for warning in warnings:
        LOG.warning(warning)
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


def refuse_start(program, exc):
    """Say why ``program`` cannot start, in one line on stderr, and exit 1
    at once: threads a library started must not keep the process (and
    its port) alive."""
    logs.flush()
    sys.stdout.flush()
    # One line, even when a library's message (YAML's) spans several.
    sys.stderr.write('%s: %s\n' % (program, ' '.join(str(exc).split())))
    sys.stderr.flush()
    os._exit(1)


def start(program, argv, steps, description=None, log_writer=True):
    """Run ``steps(conf)`` after preparing the service; a ConfigError
    anywhere ends the process with its sentence. Returns what steps
    returns.

    ``log_writer``: log lines go through one writer thread
    (:mod:`crashdump_server.logs`), as a service under load wants; a
    one-shot command whose log lines and output interleave says False.
    """
    try:
        conf = prepare_service(argv, description=description)
        if log_writer:
            logs.hand_off()
        return steps(conf)
    except exception.ConfigError as exc:
        refuse_start(program, exc)


def check_policy_file(conf):
    """Load the policy rules now, so a broken [oslo_policy] policy_file
    stops the start instead of failing every request. Raises ConfigError.
    """
    from crashdump_server import policy
    try:
        policy.init().load_rules(force_reload=True)
    except Exception as exc:
        policy.reset()
        name = conf.oslo_policy.policy_file
        path = conf.find_file(name) or name
        raise exception.ConfigError(
            reason='[oslo_policy] policy_file %s is not a valid policy file: '
                   '%s; correct it (YAML: "rule name": "check string")' % (
                       path, str(exc).splitlines()[0] if str(exc) else
                       type(exc).__name__))
