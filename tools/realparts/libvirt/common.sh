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

# build_initramfs OUTPUT VERSION APPLET...: a busybox initramfs with those
# applets whose /init is read from stdin, written to OUTPUT; kept as it is
# while ${OUTPUT%.img}.version holds VERSION (bump it when /init changes).
build_initramfs() {
    local out=$1 version=$2 root busybox applet
    shift 2
    if [ -s "$out" ] && [ "$(cat "${out%.img}.version" 2>/dev/null)" = "$version" ]; then
        cat >/dev/null
        return 0
    fi
    busybox=$(command -v busybox) || die "busybox (busybox-static) is missing"
    root=$(mktemp -d)
    mkdir -p "$root"/bin "$root"/proc "$root"/sys "$root"/dev
    cp "$busybox" "$root"/bin/busybox
    for applet in "$@"; do
        ln -s busybox "$root/bin/$applet"
    done
    cat > "$root"/init
    chmod +x "$root"/init
    (cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null) |
        gzip -9 > "$out.tmp"
    rm -rf "$root"
    mv "$out.tmp" "$out"
    echo "$version" > "${out%.img}.version"
}
