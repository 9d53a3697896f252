# Shell helpers every crashdump script shares (sourced, not run): messages,
# root, Debian packages, waiting, and processes tracked by pid file.

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
    # The daemon may remove FILE as it exits, between any two looks.
    local pid
    pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

need_root() {
    # need_root WHAT: stop with a message unless run as root. A script's
    # common.sh says why in CRASHDUMP_ROOT_WHY.
    [ "$(id -u)" -eq 0 ] ||
        die "$1 needs root${CRASHDUMP_ROOT_WHY:+ ($CRASHDUMP_ROOT_WHY)}"
}

wait_until() {
    # wait_until SECONDS COMMAND...: run COMMAND every 0.1 s until it
    # succeeds (return 0) or SECONDS have passed (return 1). COMMAND may
    # `die` to give up early, e.g. when the process it waits for exited.
    local end=$((SECONDS + $1))
    shift
    while :; do
        "$@" && return 0
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.1
    done
}

pid_gone() { ! pid_alive "$1"; }

pid_status() {
    # pid_status FILE: print "running (pid N)" or "stopped"; the status of
    # a service script's `status` command (3 when stopped, as LSB says).
    if pid_alive "$1"; then
        echo "running (pid $(cat "$1"))"
    else
        echo stopped
        return 3
    fi
}

stop_pid() {
    # stop_pid FILE [SECONDS]: SIGTERM the process FILE names, wait for it
    # to go (default 10 s), then SIGKILL it; remove FILE. Nothing to do
    # when FILE names no running process.
    pid_alive "$1" || { rm -f "$1"; return 0; }
    local pid
    pid=$(cat "$1" 2>/dev/null) || { rm -f "$1"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_until "${2:-10}" pid_gone "$1"; then
        log "pid $pid ignored SIGTERM for ${2:-10} s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$1"
}

crashdump_url() {
    # crashdump_url LOG PID: wait until the crashdump-all with PID prints
    # the URL it serves into LOG and print it; die when it exits first or
    # says nothing within 30 s.
    local log=$1 pid=$2 url=
    serving() {
        url=$(sed -n 's#.*serving at \(http://[^ ]*/v2.1\).*#\1#p' "$log")
        [ -n "$url" ] && return 0
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "crashdump-all exited"; }
        return 1
    }
    wait_until 30 serving || { cat "$log" >&2; die "crashdump-all did not start"; }
    printf '%s\n' "$url"
}

phase() {
    # phase TEXT: say that a phase starts, after saying how long the one
    # before took (phase_end says it for the last one).
    phase_end
    PHASE_TEXT=$1
    PHASE_START=$(date +%s.%N)
    log "$1 ..."
}

phase_end() {
    [ -n "${PHASE_TEXT:-}" ] || return 0
    log "$(awk -v a="$PHASE_START" -v b="$(date +%s.%N)" -v t="$PHASE_TEXT" \
        'BEGIN { printf "%s: %.1f s", t, b - a }')"
    PHASE_TEXT=
}
