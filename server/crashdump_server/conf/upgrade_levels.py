"""[upgrade_levels] options: the compute RPC version the API may send."""
from oslo_config import cfg

group = cfg.OptGroup('upgrade_levels', title='Rolling upgrade options')

opts = [
    cfg.StrOpt('compute',
               help='Cap on the compute RPC version the API sends. Empty: no '
                    'cap. "auto": the oldest version reported by the running '
                    'compute agents in the services table. Or a version such '
                    'as "1.0". Pin it during a rolling upgrade while old '
                    'agents still run; calls newer than the cap are refused '
                    'with 400.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
