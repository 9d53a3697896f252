# Shared settings for the Keystone real-parts scripts (sourced, not run).
# Every path can be moved with an environment variable of the same name.

CRASHDUMP_KEYSTONE_VENV=${CRASHDUMP_KEYSTONE_VENV:-/opt/crashdump-keystone}
# Keystone and the WSGI server it runs under, in a venv of their own: its
# pins must not meet crashdump's.
KEYSTONE_PIP_PACKAGES=(keystone gunicorn)
KEYSTONE_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

source "$KEYSTONE_SCRIPTS_DIR/../ironic/common.sh"
