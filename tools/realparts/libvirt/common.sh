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
