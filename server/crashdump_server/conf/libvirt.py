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
    cfg.FloatOpt('reconnect_interval', default=2.0, min=0.1,
                 help='Seconds between attempts to reconnect to libvirtd '
                      'after it went away (a restart, a crash). Requests '
                      'that arrive meanwhile are recorded as errors at '
                      'once; lower this to resume sooner after a restart.'),
    cfg.IntOpt('keepalive_interval', default=5, min=1,
               help='Seconds between keepalive probes on the libvirt '
                    'connection. A daemon that stops answering (hung, or '
                    'its host unreachable for a remote URI) is noticed '
                    'after keepalive_interval * (keepalive_count + 1) '
                    'seconds; calls made in that window wait that long.'),
    cfg.IntOpt('keepalive_count', default=3, min=1,
               help='Keepalive probes that may go unanswered before the '
                    'connection is considered dead.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
