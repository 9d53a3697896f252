"""[fake] options: the fake driver's servers."""
from oslo_config import cfg

group = cfg.OptGroup('fake', title='Fake driver options')

opts = [
    cfg.StrOpt('servers_file',
               help='JSON or YAML file listing the fake driver\'s servers: a '
                    'list of objects with id, name, project_id, user_id, '
                    'vm_state, locked, host and outcome (delivered, '
                    'not_supported, not_running or not_implemented). '
                    'Without it the driver has no servers.'),
    cfg.FloatOpt('memory_dump_seconds', default=0.0, min=0.0,
                 help='How long the fake driver takes to write its small '
                      'synthetic memory dump, reporting progress and '
                      'honouring an abort meanwhile (tests of dumps being '
                      'created).'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
