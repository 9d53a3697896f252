# Shared settings for the Ironic real-parts scripts (sourced, not run).
# Every path can be moved with an environment variable of the same name.

CRASHDUMP_IRONIC_VENV=${CRASHDUMP_IRONIC_VENV:-/opt/crashdump-ironic}
CRASHDUMP_BMC_VENV=${CRASHDUMP_BMC_VENV:-/opt/crashdump-bmc}
IRONIC_PIP_PACKAGES=(ironic python-ironicclient)
BMC_PIP_PACKAGES=(virtualbmc sushy-tools pyghmi)
IRONIC_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"

stop_pid_file() {
    # stop_pid_file FILE: SIGTERM the process FILE names, wait up to 10 s,
    # then SIGKILL it; remove FILE.
    local pid_file=$1 pid
    if pid_alive "$pid_file"; then
        pid=$(cat "$pid_file")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pid_file"
}

venv_has() {
    # venv_has VENV PACKAGE...: true when every package is installed there.
    local venv=$1; shift
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" -m pip show -q "$@" >/dev/null 2>&1
}
