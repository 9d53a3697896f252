# Shared settings for the Ironic real-parts scripts (sourced, not run).
# Every path can be moved with an environment variable of the same name.

CRASHDUMP_IRONIC_VENV=${CRASHDUMP_IRONIC_VENV:-/opt/crashdump-ironic}
CRASHDUMP_BMC_VENV=${CRASHDUMP_BMC_VENV:-/opt/crashdump-bmc}
IRONIC_PIP_PACKAGES=(ironic python-ironicclient)
BMC_PIP_PACKAGES=(virtualbmc sushy-tools pyghmi)
IRONIC_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"

venv_has() {
    # venv_has VENV PACKAGE...: true when every package is installed there.
    local venv=$1; shift
    [ -x "$venv/bin/python" ] || return 1
    "$venv/bin/python" -m pip show -q "$@" >/dev/null 2>&1
}
