"""[memory_dump] options: where host-side memory dumps live, how many run
at once and how long they are kept."""
from oslo_config import cfg

group = cfg.OptGroup('memory_dump', title='Host-side memory dumps')

opts = [
    cfg.StrOpt('directory', default='$state_path/memory-dumps',
               help='Directory where compute agents write memory dumps and '
                    'from which the API streams them to users. In '
                    'distributed mode it must be the same shared file '
                    'system (NFS, CephFS) on the API nodes and on every '
                    'agent host, though it may be mounted at a different '
                    'path on each. Guest memory holds secrets: keep it '
                    'readable by crashdump only.'),
    cfg.IntOpt('max_concurrent', default=1, min=1,
               help='Memory dumps one compute agent creates at once. A '
                    'dump reads the whole guest memory and writes as much '
                    'to disk; more at once share the disk bandwidth and '
                    'each takes longer. Requests over the limit are '
                    'refused with 409.'),
    cfg.IntOpt('max_age', default=7 * 24 * 3600, min=0,
               help='Seconds after which a finished dump (available or '
                    'error) is deleted by the agent that made it. 0 keeps '
                    'dumps until they are deleted through the API or '
                    'max_total_size needs the space.'),
    cfg.IntOpt('max_total_size', default=0, min=0,
               help='Bytes that one host\'s available dumps may take in '
                    'all; beyond it the agent deletes its oldest dumps '
                    'first. 0 means no limit.'),
    cfg.IntOpt('retention_interval', default=300, min=1,
               help='Seconds between two applications of max_age and '
                    'max_total_size by each agent.'),
    cfg.FloatOpt('free_space_margin', default=1.0, min=0.0,
                 help='A dump starts only if the dump directory has at '
                      'least this many times the guest\'s memory size free '
                      '(an ELF dump is as large as the memory; compressed '
                      'kdump formats are smaller, so a smaller value lets '
                      'them start on fuller disks, at the risk of a dump '
                      'that fails when the disk fills up).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
