#!/usr/bin/env bash
# Prepare the host so libvirtd can run QEMU as root without systemd:
# the libvirt-qemu user/group Debian's QEMU driver looks up before it reads
# qemu.conf, and a qemu.conf that runs guests as root and does not try to
# restore file owners (there is no libvirt-qemu-owned tree to restore to).
# Idempotent. Usage: prepare.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
need_root "preparing the libvirt host"

getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
    useradd --system --gid libvirt-qemu --no-create-home \
        --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu

conf=/etc/libvirt/qemu.conf
marker='# written by crashdump tools/realparts/libvirt/prepare.sh'
if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    # An operator's own qemu.conf: keep it, but say what we need.
    for setting in 'user = "root"' 'group = "root"' 'remember_owner = 0'; do
        grep -qxF "$setting" "$conf" ||
            log "note: $conf lacks '$setting'; guests may fail to start"
    done
else
    mkdir -p /etc/libvirt
    cat > "$conf" <<CONF
$marker
user = "root"
group = "root"
remember_owner = 0
CONF
fi
mkdir -p /var/log/libvirt/qemu /var/lib/libvirt/qemu/dump \
    "$CRASHDUMP_LIBVIRT_RUN" "$CRASHDUMP_GUEST_CACHE" \
    "$CRASHDUMP_GUEST_LOGS"
