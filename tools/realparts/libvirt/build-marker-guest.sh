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
# The marker is assembled at run time: this script holds only its parts,
# and the command line only the seed.
build_initramfs "$cache/initramfs-marker.img" 1 sh mount echo sleep cat sed \
    <<'INIT'
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
echo "$cache/initramfs-marker.img"
