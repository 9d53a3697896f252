#!/usr/bin/env bash
# Install RabbitMQ, PostgreSQL and MariaDB from Debian, without starting
# them (rabbitmq.sh, postgresql.sh and mariadb.sh start them by hand; there
# is no systemd). The Python drivers need nothing from apt: psycopg[binary]
# and PyMySQL come with crashdump-server's "postgresql" and "mysql" extras.
# Idempotent. Usage: install.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

mapfile -t missing < <(missing_packages "${DISTRIBUTED_PACKAGES[@]}")
[ ${#missing[@]} -eq 0 ] && exit 0
need_root "installing ${missing[*]}"
# The packages' maintainer scripts would start the services through
# invoke-rc.d; a policy-rc.d that says "no" keeps them down, so every
# running broker or database is one these scripts started (and stop).
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
fi
apt_install "${missing[@]}" || die "cannot install ${missing[*]}"
