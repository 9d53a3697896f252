#!/usr/bin/env bash
# Set up everything and run the whole test suite: style, unit and contract
# tests, functional tests with real parts, docs, release notes, and both
# halves' sdists and wheels built and checked with twine.
# Usage: bash tools/test.sh [tox environments, default: all of them]
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$CRASHDUMP_ROOT"
if [ "$(id -u)" -eq 0 ]; then
    # The real parts the functional tests drive: libvirt/QEMU (and the
    # libvirt-dev headers libvirt-python builds against).
    bash tools/realparts/libvirt/install.sh
    # Ironic, ipmitool and the BMC emulators, in venvs of their own.
    bash tools/realparts/ironic/install.sh
    # RabbitMQ, PostgreSQL and MariaDB for the distributed mode and the
    # database tests.
    bash tools/realparts/distributed/install.sh
    # Keystone (behind gunicorn, in its own venv) and memcached for the
    # authentication tests.
    bash tools/realparts/keystone/install.sh
else
    log "not root: the functional tests need root for libvirt, QEMU and Ironic and will fail"
fi
bootstrap_python
envs=${1:-pep8,py3,functional,nova,docs,releasenotes,packages}
log "running tox -e $envs"
exec "$VENV/bin/tox" -e "$envs"
