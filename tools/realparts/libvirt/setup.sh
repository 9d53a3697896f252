#!/usr/bin/env bash
# Everything a libvirt/QEMU test guest needs, in order: packages, host
# preparation, the guest kernel and initramfs, running daemons.
# Idempotent (a second run takes well under a second). Stop with
# `daemons.sh stop`. Usage: setup.sh
set -euo pipefail
here=$(dirname "$0")
source "$here/common.sh"
need_root "setting up libvirt and QEMU"
[ -e /dev/kvm ] || log "no /dev/kvm: guests run under software emulation (domain type 'qemu'), slower but fine"
bash "$here/install.sh"
bash "$here/prepare.sh"
bash "$here/build-guest.sh" >/dev/null
bash "$here/daemons.sh" start
