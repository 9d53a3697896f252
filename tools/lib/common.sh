# Shell helpers every crashdump script shares (sourced, not run): messages,
# Debian packages, and processes tracked by pid file.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

missing_packages() {
    # missing_packages PKG...: print the Debian packages not installed.
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
            grep -q 'install ok installed' || printf '%s\n' "$pkg"
    done
}

apt_install() {
    # apt_install PKG...: install those of the Debian packages that are
    # missing (as root); returns 1 with a message when it cannot.
    local missing
    mapfile -t missing < <(missing_packages "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        log "missing Debian packages: ${missing[*]} (run as root on Debian/Ubuntu to install them)"
        return 1
    fi
    log "installing ${missing[*]}"
    # Wait for another apt's lock instead of failing on it.
    local apt_opts=(-o DPkg::Lock::Timeout=300 -qq)
    if [ -z "${CRASHDUMP_APT_UPDATED:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
        export CRASHDUMP_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
        --no-install-recommends "${missing[@]}" >/dev/null
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
