"""crashdump-manage: administration commands (``db sync``, ``db version``).
"""
import sys

from oslo_config import cfg

from crashdump_server.db import migration
from crashdump_server import service

PROGRAM = 'crashdump-manage'


def _db_sync(conf):
    migration.upgrade(conf)
    print('Database schema is at revision %s'
          % migration.current_revision(conf))


def _db_version(conf):
    print(migration.current_revision(conf) or 'empty (run db sync)')


def _add_commands(subparsers):
    db = subparsers.add_parser('db', help='database schema')
    db_commands = db.add_subparsers(dest='db_command')
    db_commands.required = True
    db_commands.add_parser('sync', help='create or upgrade the schema'
                           ).set_defaults(func=_db_sync)
    db_commands.add_parser('version', help='print the schema revision'
                           ).set_defaults(func=_db_version)


def main(argv=None):
    command = cfg.SubCommandOpt('command', title='Commands',
                                handler=_add_commands)
    service.register_opts()
    service.CONF.register_cli_opt(command)
    # Its output and its log lines keep their order: no log writer thread.
    service.start(PROGRAM, argv, lambda conf: conf.command.func(conf),
                  log_writer=False)
    return 0


if __name__ == '__main__':
    sys.exit(main())
