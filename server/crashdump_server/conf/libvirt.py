"""[libvirt] options: which libvirt the agent drives, and who owns domains."""
from oslo_config import cfg

group = cfg.OptGroup('libvirt', title='libvirt driver options')

opts = [
    cfg.StrOpt('connection_uri', default='qemu:///system',
               help='libvirt URI of the hypervisor whose domains this agent '
                    'serves, e.g. qemu:///system.'),
    cfg.StrOpt('default_project_id',
               help='Project that owns domains carrying neither Nova\'s '
                    'nor crashdump\'s owner metadata. Unset: such domains '
                    'are visible to admins only.'),
    cfg.StrOpt('default_user_id',
               help='User recorded as the owner of domains that carry no '
                    'owner metadata.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
