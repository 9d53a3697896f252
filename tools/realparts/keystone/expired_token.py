"""Print a fernet token that expired an hour ago (for tests).

Usage (with the Keystone venv's python):
    expired_token.py KEYSTONE_CONF USER_ID PROJECT_ID

Keystone issues tokens that live ``[token] expiration`` seconds; waiting
that long in a test is not an option. This signs a project-scoped token
with the same fernet keys and payload Keystone itself would write, with
an expiry in the past, so Keystone refuses it as it refuses any expired
token.
"""
import datetime
import sys

import keystone.conf
from keystone.token import provider
from keystone.token import token_formatters


def main(config_file, user_id, project_id):
    keystone.conf.configure()
    keystone.conf.CONF(['--config-file', config_file], project='keystone')
    expired = (datetime.datetime.now(datetime.timezone.utc)
               - datetime.timedelta(hours=1))
    token = token_formatters.TokenFormatter().create_token(
        user_id, expired.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
        [provider.random_urlsafe_str()],
        token_formatters.ProjectScopedPayload,
        methods=['password'], project_id=project_id)
    print(token)


if __name__ == '__main__':
    main(*sys.argv[1:4])
