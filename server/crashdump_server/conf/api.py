"""[api] options: where and how the compute API listens."""
from oslo_config import cfg

group = cfg.OptGroup('api', title='Compute API options')

opts = [
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address the API listens on.'),
    cfg.PortOpt('port', default=8774,
                help='TCP port the API listens on; 0 picks a free port and '
                     'crashdump-all prints the URL it serves.'),
    cfg.StrOpt('auth_strategy', default='noauth',
               choices=[('noauth', 'trust the X-Auth-Token header '
                                   '"<user>:<project>"; development and '
                                   'demos only, loopback only'),
                        ('keystone', 'validate Keystone tokens with '
                                     'keystonemiddleware\'s auth_token, '
                                     'configured in [keystone_authtoken]'),
                        ('http_basic', 'HTTP basic authentication against '
                                       'the files of [http_basic], for '
                                       'sites without Keystone')],
               help='How the API authenticates requests. Whatever the '
                    'strategy, identity headers sent by clients '
                    '(X-Roles, X-Project-Id...) are removed first.'),
    cfg.BoolOpt('allow_noauth_on_public_address', default=False,
                help='Allow auth_strategy=noauth on an address other than '
                     'loopback. With noauth anybody who reaches the port is '
                     'admin; set this only on an isolated test network.'),
    cfg.IntOpt('max_request_body_size', default=114688, min=1,
               help='Largest request body accepted, in bytes; larger bodies '
                    'get 413.'),
    cfg.IntOpt('max_limit', default=1000, min=1,
               help='Most items a list request returns in one page.'),
    cfg.IntOpt('workers', default=16, min=1,
               help='Threads serving HTTP requests in crashdump-all and '
                    'crashdump-api.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
