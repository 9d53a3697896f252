#!/usr/bin/env bash
# Start and stop BMC emulators for a test Ironic, each by its pid file in
# STATE_DIR, all on 127.0.0.1:
#   bmc.sh recording STATE_DIR PORT NMI_LOG   the project's pyghmi BMC that
#                                             appends one line per NMI
#   bmc.sh virtualbmc STATE_DIR PORT DOMAIN   VirtualBMC (IPMI) bound to a
#                                             libvirt domain: power diag ->
#                                             virDomainInjectNMI
#   bmc.sh sushy STATE_DIR PORT               sushy-tools' Redfish emulator
#                                             over libvirt: Reset Nmi ->
#                                             virDomainInjectNMI
#   bmc.sh stop STATE_DIR [NAME]              stop one (NAME as started:
#                                             recording-PORT, ...) or all
# IPMI user admin / password password. LIBVIRT_URI picks the hypervisor.
set -euo pipefail
source "$(dirname "$0")/common.sh"

LIBVIRT_URI=${LIBVIRT_URI:-qemu:///system}
cmd=${1:-}; state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || die "usage: $0 recording|virtualbmc|sushy|stop STATE_DIR ..."
mkdir -p "$state"
python=$CRASHDUMP_BMC_VENV/bin/python
[ "$cmd" = stop ] || [ -x "$python" ] ||
    die "no BMC emulators in $CRASHDUMP_BMC_VENV: run install.sh first"

start_bg() {
    # start_bg NAME COMMAND...: run COMMAND in the background, pid in
    # STATE_DIR/NAME.pid, output in STATE_DIR/NAME.log.
    local name=$1; shift
    if pid_alive "$state/$name.pid"; then
        log "$name already runs"; return 0
    fi
    "$@" >"$state/$name.log" 2>&1 &
    echo $! > "$state/$name.pid"
}

answers_while_alive() {
    # answers_while_alive NAME CHECK...: CHECK's status; dies when NAME
    # exited.
    local name=$1; shift
    pid_alive "$state/$name.pid" ||
        die "$name exited: $(tail -20 "$state/$name.log")"
    "$@" >/dev/null 2>&1
}

wait_ready() {
    # wait_ready NAME CHECK...: until CHECK succeeds or NAME exits.
    wait_until 30 answers_while_alive "$@" ||
        die "$1 did not answer within 30 s: $(tail -20 "$state/$1.log")"
}

ipmi_check() {
    ipmitool -I lanplus -H 127.0.0.1 -p "$1" -U admin -P password \
        -R 1 -N 1 power status
}

case $cmd in
recording)
    port=$3; nmi_log=$4
    start_bg "recording-$port" "$python" \
        "$IRONIC_SCRIPTS_DIR/recording_bmc.py" --port "$port" \
        --nmi-log "$nmi_log"
    wait_ready "recording-$port" ipmi_check "$port"
    ;;
virtualbmc)
    port=$3; domain=$4
    # The VirtualBMC class vbmcd runs per domain, without the daemon and
    # its ZeroMQ control port: one process per BMC, stopped by pid.
    start_bg "virtualbmc-$port" "$python" -c '
import sys
from virtualbmc import vbmc
bmc = vbmc.VirtualBMC(username="admin", password="password",
                      port=int(sys.argv[1]), address="127.0.0.1",
                      domain_name=sys.argv[2], libvirt_uri=sys.argv[3])
bmc.listen(timeout=30)
' "$port" "$domain" "$LIBVIRT_URI"
    wait_ready "virtualbmc-$port" ipmi_check "$port"
    ;;
sushy)
    port=$3
    start_bg "sushy-$port" "$CRASHDUMP_BMC_VENV/bin/sushy-emulator" \
        --interface 127.0.0.1 --port "$port" --libvirt-uri "$LIBVIRT_URI"
    wait_ready "sushy-$port" curl -fsS "http://127.0.0.1:$port/redfish/v1/Systems"
    ;;
stop)
    name=${3:-}
    for pid_file in "$state"/${name:-*}.pid; do
        [ -e "$pid_file" ] || continue
        case $(basename "$pid_file") in
            recording-*|virtualbmc-*|sushy-*) stop_pid "$pid_file" ;;
        esac
    done
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
