# Shared settings for the libvirt/QEMU real-parts scripts (sourced, not run).
# Every path can be moved with an environment variable of the same name.

CRASHDUMP_LIBVIRT_RUN=${CRASHDUMP_LIBVIRT_RUN:-/run/crashdump-libvirt}
CRASHDUMP_GUEST_CACHE=${CRASHDUMP_GUEST_CACHE:-/var/cache/crashdump-guest}
CRASHDUMP_GUEST_LOGS=${CRASHDUMP_GUEST_LOGS:-/var/log/crashdump-guests}
LIBVIRT_URI=${LIBVIRT_URI:-qemu:///system}

LIBVIRT_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86 busybox-static libvirt-dev pkg-config)

CRASHDUMP_ROOT_WHY="libvirtd and QEMU run as root here"
#: The lock tests/functional/libvirt/host.py holds around each test.
CRASHDUMP_HOST_LOCK=$CRASHDUMP_LIBVIRT_RUN/functional.lock

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"


hold_host_lock() {
    # Hold the functional tests' host lock on file descriptor 9 until the
    # script exits, waiting while a test holds it. Daemons started under it
    # must not inherit descriptor 9 (they would keep the lock).
    mkdir -p "$CRASHDUMP_LIBVIRT_RUN"
    exec 9>>"$CRASHDUMP_HOST_LOCK"
    flock -n 9 || {
        log "waiting for the libvirt host: a functional test holds $CRASHDUMP_HOST_LOCK"
        flock 9
    }
}
