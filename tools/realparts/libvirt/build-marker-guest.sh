#!/usr/bin/env bash
# Build the memory dump test guest's initramfs, beside build-guest.sh's
# kernel: its /init does NOT set unknown_nmi_panic (so an NMI alone leaves
# nothing: the guest logs "Uhhuh. NMI received for unknown reason" and goes
# on), and keeps a marker string in its memory that exists nowhere else:
# CRASHDUMP-MARKER-<seed>-IN-GUEST-MEMORY, with <seed> from the kernel
# command line (crashdump.seed=<seed>). A dump that holds the marker holds
# the guest's memory. Also installs binutils (readelf reads the dumps).
# Output: $CRASHDUMP_GUEST_CACHE/initramfs-marker.img. Idempotent.
# Usage: build-marker-guest.sh
set -euo pipefail
here=$(dirname "$0")
source "$here/common.sh"

bash "$here/build-guest.sh" >/dev/null
command -v readelf >/dev/null || apt_install binutils ||
    die "binutils (readelf) is missing and cannot be installed here"
cache=$CRASHDUMP_GUEST_CACHE
marker_version=1
if [ ! -s "$cache/initramfs-marker.img" ] ||
    [ "$(cat "$cache/initramfs-marker.version" 2>/dev/null)" != "$marker_version" ]; then
    busybox=$(command -v busybox) || die "busybox (busybox-static) is missing"
    root=$(mktemp -d)
    mkdir -p "$root"/bin "$root"/proc "$root"/sys "$root"/dev
    cp "$busybox" "$root"/bin/busybox
    for applet in sh mount echo sleep cat sed; do
        ln -s busybox "$root/bin/$applet"
    done
    # The marker is assembled at run time: the script holds only its parts,
    # and the command line only the seed.
    cat > "$root"/init <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
seed=$(sed -n 's/.*crashdump\.seed=\([A-Za-z0-9]*\).*/\1/p' /proc/cmdline)
marker="CRASHDUMP-MARKER-$seed-IN-GUEST-MEMORY"
i=0
while [ $i -lt 256 ]; do echo "$marker"; i=$((i + 1)); done > /marker
echo "crashdump-guest: unknown_nmi_panic=$(cat /proc/sys/kernel/unknown_nmi_panic)"
echo "crashdump-guest: ready"
while true; do sleep 3600; done
INIT
    chmod +x "$root"/init
    (cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) |
        gzip -9 > "$cache/initramfs-marker.img.tmp"
    rm -rf "$root"
    mv "$cache/initramfs-marker.img.tmp" "$cache/initramfs-marker.img"
    echo "$marker_version" > "$cache/initramfs-marker.version"
fi
echo "$cache/initramfs-marker.img"
