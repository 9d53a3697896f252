# Shared settings for the libvirt/QEMU real-parts scripts (sourced, not run).
# Every path can be moved with an environment variable of the same name.

CRASHDUMP_LIBVIRT_RUN=${CRASHDUMP_LIBVIRT_RUN:-/run/crashdump-libvirt}
CRASHDUMP_GUEST_CACHE=${CRASHDUMP_GUEST_CACHE:-/var/cache/crashdump-guest}
CRASHDUMP_GUEST_LOGS=${CRASHDUMP_GUEST_LOGS:-/var/log/crashdump-guests}
LIBVIRT_URI=${LIBVIRT_URI:-qemu:///system}

LIBVIRT_PACKAGES=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86 busybox-static libvirt-dev pkg-config)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root (libvirtd and QEMU run as root here)"
}

pid_alive() {
    # pid_alive FILE: true when FILE names a running process. A daemon that
    # exited stays a zombie where nothing reaps orphans: that is not running.
    [ -s "$1" ] || return 1
    local pid
    pid=$(cat "$1")
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}
