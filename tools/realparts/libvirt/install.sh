#!/usr/bin/env bash
# Install the Debian packages libvirt and QEMU need, without systemd
# (libvirt-daemon-system is deliberately left out: it pulls systemd in).
# Idempotent: installs only what is missing. Usage: install.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

missing=()
for pkg in "${LIBVIRT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
        grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
need_root "installing ${missing[*]}"
command -v apt-get >/dev/null || die "no apt-get: install ${missing[*]} by hand"
log "installing ${missing[*]}"
# apt-get fails when another apt runs; wait for its lock instead.
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300 -qq)
if [ -z "${CRASHDUMP_APT_UPDATED:-}" ]; then
    apt-get "${apt_opts[@]}" update
fi
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" \
    >/dev/null
