"""[http_basic] options: users, passwords and their projects and roles.

Read when ``[api] auth_strategy = http_basic``.
"""
from oslo_config import cfg

group = cfg.OptGroup(
    'http_basic', title='HTTP basic authentication',
    help='Used when [api] auth_strategy = http_basic: standalone sites '
         'without Keystone.')

opts = [
    cfg.StrOpt('user_file', default='/etc/crashdump/htpasswd',
               help='htpasswd file with one "user:bcrypt-hash" line per '
                    'user, as written by "htpasswd -B". Only bcrypt hashes '
                    'are accepted. Re-read when it changes.'),
    cfg.StrOpt('mapping_file', default='/etc/crashdump/http_basic_users.yaml',
               help='YAML file giving each user of user_file a project and '
                    'roles, e.g. "alice: {project: demo, roles: [member, '
                    'reader]}". A user with a valid password but no entry '
                    'here gets 403. Re-read when it changes.'),
    cfg.StrOpt('realm', default='crashdump',
               help='The realm sent in "WWW-Authenticate: Basic '
                    'realm=..." with a 401.'),
    cfg.IntOpt('cache_time', default=300, min=0,
               help='Seconds a checked password is remembered (as a keyed '
                    'digest, never in clear), so bcrypt runs once per '
                    'user and password rather than on every request. 0 '
                    'checks every request.'),
]


def register_opts(conf):
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts():
    return {group: opts}
