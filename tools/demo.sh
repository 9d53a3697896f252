#!/usr/bin/env bash
# Set up everything and show the main job: a real guest kernel panics
# because a user asked for a crash dump. As root on Debian/Ubuntu this boots
# a small guest under libvirt/QEMU, starts crashdump-all with the libvirt
# driver, runs `nova trigger-crash GUEST --wait` and prints the guest's
# panic lines. Where the host cannot run QEMU it says so and shows the same
# flow with the fake driver. Prints each phase as it starts and how long it
# took; stops what it started (crashdump-all, the guest, and libvirtd and
# virtlogd unless they ran before). Usage: bash tools/demo.sh
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$CRASHDUMP_ROOT"
demo="$CRASHDUMP_ROOT/.state/demo"
mkdir -p "$demo"
setup_log=$demo/libvirt-setup.log
: > "$setup_log"

why_not_libvirt() {
    # Prints nothing when libvirt/QEMU guests can run here. Runs the
    # set-up phases on the way; libvirtd itself is started by chain.sh,
    # which first looks whether it ran already.
    [ "$(id -u)" -eq 0 ] || { echo "it is not run as root"; return; }
    command -v apt-get >/dev/null || { echo "this is not Debian/Ubuntu"; return; }
    phase "packages: libvirt, QEMU and busybox from Debian (~20 MB, first run only)"
    bash tools/realparts/libvirt/install.sh >>"$setup_log" 2>&1 ||
        { echo "the libvirt/QEMU packages did not install (see $setup_log)"; return; }
    phase "Python environment: crashdump and libvirt-python in $VENV (first run only)"
    bootstrap_python libvirt >>"$setup_log" 2>&1 ||
        { echo "libvirt-python did not install (see $setup_log)"; return; }
    phase "guest image: a Debian kernel and a busybox initramfs in /var/cache/crashdump-guest (first run only)"
    bash tools/realparts/libvirt/build-guest.sh >>"$setup_log" 2>&1 ||
        { echo "the guest image could not be built (see $setup_log)"; return; }
    phase "libvirt host: the libvirt-qemu user and /etc/libvirt/qemu.conf"
    bash tools/realparts/libvirt/prepare.sh >>"$setup_log" 2>&1 ||
        { echo "the host could not be prepared for libvirt (see $setup_log)"; return; }
    phase_end
}

fake_driver_demo() {
    phase "Python environment: crashdump in $VENV (first run only)"
    bootstrap_python >>"$setup_log" 2>&1 ||
        die "crashdump did not install into $VENV (see $setup_log)"
    cat > "$demo/servers.yaml" <<'YAML'
- {id: 3f6c2d1e-5b7a-4c9e-8f10-2a4b6c8d0e01, name: web-1, project_id: demo, user_id: demo}
- {id: 3f6c2d1e-5b7a-4c9e-8f10-2a4b6c8d0e02, name: web-2, project_id: demo, user_id: demo, locked: true}
- {id: 3f6c2d1e-5b7a-4c9e-8f10-2a4b6c8d0e03, name: db-1, project_id: demo, user_id: demo, outcome: not_running}
YAML
    cat > "$demo/crashdump.conf" <<CONF
[DEFAULT]
state_path = $demo/state
host = demo-compute
compute_driver = fake
[api]
host = 127.0.0.1
port = 0
[fake]
servers_file = $demo/servers.yaml
CONF
    rm -f "$demo/state/crashdump.sqlite"*
    phase "starting crashdump-all with the fake driver"
    "$VENV/bin/crashdump-all" --config-file "$demo/crashdump.conf" \
        >"$demo/server.log" 2>&1 &
    server_pid=$!
    trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
    url=$(crashdump_url "$demo/server.log" "$server_pid")
    phase "triggering: nova trigger-crash web-1 --wait (crashdump at $url; fake servers web-1, web-2 locked, db-1 not running)"
    # noauth mode: the token is <user>:<project>.
    export OS_AUTH_TYPE=admin_token OS_ENDPOINT=$url OS_TOKEN=demo:demo
    export OS_PROJECT_ID=demo OS_AUTH_URL=http://127.0.0.1/unused
    export XDG_CACHE_HOME=$demo/cache
    "$VENV/bin/nova" trigger-crash web-1 --wait 2> >(grep -v "nova CLI is deprecated" >&2)
    "$VENV/bin/nova" crash-list web-1 2> >(grep -v "nova CLI is deprecated" >&2)
    phase "stopping crashdump-all"
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    trap - EXIT
    phase_end
}

# $(...) would lose the phase timings: the reason goes through a file.
why_not_libvirt > "$demo/reason"
reason=$(cat "$demo/reason")
if [ -z "$reason" ]; then
    log "libvirt and QEMU are ready: booting a guest and crashing it through crashdump"
    exec bash tools/realparts/libvirt/chain.sh "$VENV/bin"
fi
log "This host cannot run a libvirt/QEMU guest because $reason, so the demo uses crashdump's fake driver instead."
fake_driver_demo
