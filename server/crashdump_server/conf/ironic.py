"""[ironic] options: the Ironic API the agent drives, and node ownership."""
from oslo_config import cfg

group = cfg.OptGroup('ironic', title='Ironic driver options')

opts = [
    cfg.StrOpt('default_project_id',
               help='Project that owns nodes with neither a lessee nor an '
                    'owner. Unset: such servers are visible to admins '
                    'only.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
