#!/usr/bin/env bash
# Install the Debian packages libvirt and QEMU need, without systemd
# (libvirt-daemon-system is deliberately left out: it pulls systemd in).
# Idempotent: installs only what is missing. Usage: install.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

apt_install "${LIBVIRT_PACKAGES[@]}" ||
    die "the libvirt/QEMU packages are missing and cannot be installed here"
