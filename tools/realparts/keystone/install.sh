#!/usr/bin/env bash
# Install what a real Keystone for the tests needs, idempotently:
# memcached (apt; auth_token's token cache) and Keystone behind gunicorn in
# its own venv. Usage: install.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

command -v memcached >/dev/null ||
    apt_install memcached || die "memcached is missing and cannot be installed here"

if ! venv_has "$CRASHDUMP_KEYSTONE_VENV" "${KEYSTONE_PIP_PACKAGES[@]}"; then
    log "installing ${KEYSTONE_PIP_PACKAGES[*]} into $CRASHDUMP_KEYSTONE_VENV"
    [ -x "$CRASHDUMP_KEYSTONE_VENV/bin/python" ] ||
        python3 -m venv "$CRASHDUMP_KEYSTONE_VENV"
    "$CRASHDUMP_KEYSTONE_VENV/bin/python" -m pip install -q \
        --disable-pip-version-check "${KEYSTONE_PIP_PACKAGES[@]}" \
        2> >(grep -v '^WARNING: Location' >&2)
fi
