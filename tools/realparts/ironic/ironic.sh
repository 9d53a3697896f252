#!/usr/bin/env bash
# Run one standalone Ironic (API and conductor in one process) for tests.
#   ironic.sh start STATE_DIR PORT   write STATE_DIR/ironic.conf, create the
#                                    SQLite schema, start, wait until the API
#                                    answers on 127.0.0.1:PORT
#   ironic.sh stop STATE_DIR         stop it by its pid file
#   ironic.sh status STATE_DIR
# noauth, rpc_transport none, no DHCP; hardware types fake-hardware, ipmi
# and redfish with short BMC retries so a dead BMC fails in seconds.
# Tune with IRONIC_IPMI_RETRY_TIMEOUT (default 6 s).
set -euo pipefail
source "$(dirname "$0")/common.sh"

cmd=${1:-}; state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || die "usage: $0 start|stop|status STATE_DIR [PORT]"
pid_file=$state/ironic.pid

write_config() {
    local port=$1
    mkdir -p "$state/tftp" "$state/locks" "$state/master_images"
    cat > "$state/ironic.conf" <<CONF
[DEFAULT]
host = crashdump-ironic
auth_strategy = noauth
rpc_transport = none
state_path = $state
debug = ${IRONIC_DEBUG:-false}
log_file = $state/ironic.log
enabled_hardware_types = fake-hardware,ipmi,redfish
enabled_boot_interfaces = fake,pxe
enabled_deploy_interfaces = fake,ramdisk
enabled_management_interfaces = fake,ipmitool,redfish
enabled_power_interfaces = fake,ipmitool,redfish
enabled_console_interfaces = no-console
enabled_inspect_interfaces = no-inspect
enabled_network_interfaces = noop
enabled_raid_interfaces = no-raid
enabled_rescue_interfaces = no-rescue
enabled_vendor_interfaces = no-vendor
enabled_bios_interfaces = no-bios
enabled_firmware_interfaces = no-firmware
default_network_interface = noop

[api]
host_ip = 127.0.0.1
port = $port

[database]
connection = sqlite:///$state/ironic.sqlite

[dhcp]
dhcp_provider = none

[conductor]
automated_clean = false
# Power sync would take node locks behind the tests' backs.
sync_power_state_interval = -1
deploy_callback_timeout = 0
# Ironic retries a locked node itself before answering 409; keep that short
# so crashdump's own bounded retries are what a test measures.
node_locked_retry_attempts = 1
node_locked_retry_interval = 1

[ipmi]
min_command_interval = 1
command_retry_timeout = ${IRONIC_IPMI_RETRY_TIMEOUT:-6}

[redfish]
connection_attempts = 1
connection_retry_interval = 1

[pxe]
tftp_root = $state/tftp
tftp_master_path = $state/master_images

[oslo_concurrency]
lock_path = $state/locks
CONF
}

ironic_answers() {
    # ironic_answers PORT: true once the API lists the ipmi hardware type;
    # dies when Ironic exited.
    pid_alive "$pid_file" ||
        die "Ironic exited: $(tail -20 "$state/ironic.out" "$state/ironic.log" 2>/dev/null)"
    curl -fsS "http://127.0.0.1:$1/v1/drivers" 2>/dev/null | grep -q '"ipmi"'
}

case $cmd in
start)
    port=${3:-}; [ -n "$port" ] || die "start needs a PORT"
    if pid_alive "$pid_file"; then
        log "Ironic already runs (pid $(cat "$pid_file"))"; exit 0
    fi
    [ -x "$CRASHDUMP_IRONIC_VENV/bin/ironic" ] ||
        die "no Ironic in $CRASHDUMP_IRONIC_VENV: run install.sh first"
    command -v ipmitool >/dev/null ||
        die "ipmitool is missing (Ironic's worker crash-loops without it): run install.sh"
    mkdir -p "$state"
    write_config "$port"
    if [ ! -s "$state/ironic.sqlite" ]; then
        # create_schema takes ~10 s; an empty schema made once per Ironic
        # install is copied instead.
        template=$CRASHDUMP_IRONIC_VENV/share/crashdump/ironic-schema.sqlite
        if [ ! -s "$template" ]; then
            mkdir -p "$(dirname "$template")"
            sed "s#^connection = .*#connection = sqlite:///$template.new#" \
                "$state/ironic.conf" > "$state/dbsync.conf"
            rm -f "$template.new"
            "$CRASHDUMP_IRONIC_VENV/bin/ironic-dbsync" \
                --config-file "$state/dbsync.conf" create_schema \
                >"$state/dbsync.log" 2>&1 ||
                die "ironic-dbsync failed: $(tail -5 "$state/dbsync.log")"
            mv "$template.new" "$template"
        fi
        cp "$template" "$state/ironic.sqlite"
    fi
    "$CRASHDUMP_IRONIC_VENV/bin/ironic" --config-file "$state/ironic.conf" \
        >"$state/ironic.out" 2>&1 &
    echo $! > "$pid_file"
    if wait_until 60 ironic_answers "$port"; then
        log "Ironic answers at http://127.0.0.1:$port (pid $(cat "$pid_file"))"
        exit 0
    fi
    stop_pid "$pid_file"
    die "Ironic did not answer within 60 s: $(tail -20 "$state/ironic.log" 2>/dev/null)"
    ;;
stop)
    stop_pid "$pid_file"
    ;;
status)
    pid_status "$pid_file"
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
