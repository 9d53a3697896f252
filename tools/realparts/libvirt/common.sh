# Shared settings for the libvirt/QEMU real-parts scripts (sourced, not run).
# Every path can be moved with an environment variable of the same name.

CRASHDUMP_LIBVIRT_RUN=${CRASHDUMP_LIBVIRT_RUN:-/run/crashdump-libvirt}
CRASHDUMP_GUEST_CACHE=${CRASHDUMP_GUEST_CACHE:-/var/cache/crashdump-guest}
CRASHDUMP_GUEST_LOGS=${CRASHDUMP_GUEST_LOGS:-/var/log/crashdump-guests}
LIBVIRT_URI=${LIBVIRT_URI:-qemu:///system}

LIBVIRT_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86 busybox-static libvirt-dev pkg-config)

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"

need_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root (libvirtd and QEMU run as root here)"
}

