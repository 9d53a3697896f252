#!/usr/bin/env bash
# Build the test guest: a Debian cloud kernel taken out of its package
# (nothing is installed on the host) and a busybox initramfs whose /init
# makes the kernel panic on an unknown NMI -- which is what an NMI injected
# by a hypervisor is -- prints a ready marker and sleeps.
# Output: $CRASHDUMP_GUEST_CACHE/vmlinuz and initramfs.img. Idempotent.
# Usage: build-guest.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

cache=$CRASHDUMP_GUEST_CACHE
mkdir -p "$cache"
if [ ! -s "$cache/vmlinuz" ]; then
    command -v apt-get >/dev/null || die "apt-get is needed to fetch the guest kernel"
    pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
          sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
    [ -n "$pkg" ] || die "no linux-image-cloud-amd64 in apt's lists; run apt-get update"
    work=$(mktemp -d)
    chmod 755 "$work"  # lets apt fetch as _apt instead of warning
    trap 'rm -rf "$work"' EXIT
    log "taking the guest kernel out of $pkg"
    (cd "$work" && apt-get download -qq "$pkg" >/dev/null) ||
        die "apt-get download $pkg failed"
    dpkg-deb --fsys-tarfile "$work"/"$pkg"_*.deb |
        tar -x -C "$work" --wildcards './boot/vmlinuz-*'
    cp "$work"/boot/vmlinuz-* "$cache/vmlinuz.tmp"
    mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
fi

# Without unknown_nmi_panic an injected NMI only logs "Uhhuh. NMI
# received for unknown reason"; panic_on_io_nmi does not fire for it.
build_initramfs "$cache/initramfs.img" 1 sh mount echo sleep cat <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo 1 > /proc/sys/kernel/unknown_nmi_panic
echo "crashdump-guest: unknown_nmi_panic=$(cat /proc/sys/kernel/unknown_nmi_panic)"
echo "crashdump-guest: ready"
while true; do sleep 3600; done
INIT
echo "$cache"
