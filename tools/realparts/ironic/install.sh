#!/usr/bin/env bash
# Install what a real Ironic with BMC emulators needs, idempotently:
# ipmitool (apt), Ironic in its own venv, VirtualBMC + sushy-tools + pyghmi
# in another (VirtualBMC's libvirt-python builds against libvirt-dev, which
# ../libvirt/install.sh installs). Usage: install.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

command -v ipmitool >/dev/null ||
    apt_install ipmitool || die "ipmitool is missing and cannot be installed here"

install_venv() {
    # install_venv VENV PACKAGE...
    local venv=$1; shift
    if venv_has "$venv" "$@"; then
        return 0
    fi
    log "installing $* into $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" \
        2> >(grep -v '^WARNING: Location' >&2)
}

install_venv "$CRASHDUMP_IRONIC_VENV" "${IRONIC_PIP_PACKAGES[@]}"
libvirt_install=$IRONIC_SCRIPTS_DIR/../libvirt/install.sh
if [ -x "$libvirt_install" ] || [ -f "$libvirt_install" ]; then
    bash "$libvirt_install"
fi
install_venv "$CRASHDUMP_BMC_VENV" "${BMC_PIP_PACKAGES[@]}"
