"""[ironic] options: the Ironic API the agent drives, and node ownership.

Besides crashdump's own options the group holds keystoneauth1's session,
auth and adapter options, loaded the way other OpenStack services load them:
``auth_type = password`` (and friends) for an Ironic in a Keystone catalog,
or ``endpoint_override`` with ``auth_type = none`` or ``http_basic`` for a
standalone Ironic.
"""
import copy

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

group = cfg.OptGroup('ironic', title='Ironic driver options', help="""
How the compute agent with ``compute_driver = ironic`` reaches the Bare
Metal API: Keystone (``auth_type = password`` and the usual ``auth_url``,
``username``, ...), or a standalone Ironic (``endpoint_override`` with
``auth_type = none`` or ``http_basic``).
""")

SERVICE_TYPE = 'baremetal'

opts = [
    cfg.StrOpt('default_project_id',
               help='Project that owns nodes with neither a lessee nor an '
                    'owner. Unset: such servers are visible to admins '
                    'only.'),
    cfg.IntOpt('max_retries', default=5, min=0,
               help='How many times a request Ironic answers with 409 '
                    '(node locked by another operation) or 503 is retried '
                    'before the crash dump fails. The trigger_timeout '
                    'deadline cuts retries short.'),
    cfg.FloatOpt('retry_interval', default=2.0, min=0,
                 help='Seconds between two of those retries.'),
    cfg.FloatOpt('trigger_timeout', default=90.0, min=1,
                 help='Deadline in seconds for one crash dump, from looking '
                      'the node up to Ironic\'s answer, retries included. '
                      'Keep it above Ironic\'s own BMC retry time ([ipmi] '
                      'command_retry_timeout, [redfish] connection_attempts '
                      'x connection_retry_interval) so the event carries '
                      'Ironic\'s message rather than a timeout.'),
    cfg.IntOpt('page_size', default=1000, min=1,
               help='Nodes asked for per request by the inventory sync. '
                    'Ironic caps a page at its [api] max_limit (1000 by '
                    'default); the client then follows Ironic\'s next '
                    'links, so a larger value only means fewer, bigger '
                    'answers.'),
]


def _session_opts():
    session_opts = ks_loading.get_session_conf_options()
    # The ksa default is no timeout at all: a hung Ironic would hang the
    # agent's sync and every crash dump.
    cfg.set_defaults(session_opts, timeout=30)
    return session_opts


def _adapter_opts():
    adapter_opts = ks_loading.get_adapter_conf_options(
        include_deprecated=False)
    cfg.set_defaults(adapter_opts, service_type=SERVICE_TYPE,
                     valid_interfaces=['internal', 'public'])
    return adapter_opts


def register_opts(conf):
    # A group object of its own per ConfigOpts: oslo.config keeps overrides
    # in the group it was given, so a shared one would carry overrides from
    # one ConfigOpts (a test's) into the next.
    own_group = cfg.OptGroup(group.name, title=group.title, help=group.help)
    conf.register_group(own_group)
    conf.register_opts(opts, group=own_group.name)
    conf.register_opts(_session_opts(), group=own_group.name)
    conf.register_opts(_adapter_opts(), group=own_group.name)
    ks_loading.register_auth_conf_options(conf, group.name)


def list_opts():
    """Own options, ksa session and adapter options, and auth options
    (the common ones plus those of the password plugin, for the sample)."""
    auth_opts = (ks_loading.get_auth_common_conf_options()
                 + ks_loading.get_auth_plugin_conf_options('password'))
    listed = opts + _session_opts() + _adapter_opts() + auth_opts
    # Plugin options come from different plugins and may repeat a name.
    unique = {}
    for opt in listed:
        unique.setdefault(opt.dest, copy.deepcopy(opt))
    return {group: list(unique.values())}
