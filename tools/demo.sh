#!/usr/bin/env bash
# Set up everything and show the main job: a real guest kernel panics
# because a user asked for a crash dump. As root on Debian/Ubuntu this boots
# a small guest under libvirt/QEMU, starts crashdump-all with the libvirt
# driver, runs `nova trigger-crash GUEST --wait` and prints the guest's
# panic lines. Where the host cannot run QEMU it says so and shows the same
# flow with the fake driver. Usage: bash tools/demo.sh
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
cd "$CRASHDUMP_ROOT"
demo="$CRASHDUMP_ROOT/.state/demo"
mkdir -p "$demo"

why_not_libvirt() {
    # Prints nothing when libvirt/QEMU guests can run here.
    [ "$(id -u)" -eq 0 ] || { echo "it is not run as root"; return; }
    command -v apt-get >/dev/null || { echo "this is not Debian/Ubuntu"; return; }
    bash tools/realparts/libvirt/install.sh >"$demo/libvirt-setup.log" 2>&1 ||
        { echo "the libvirt/QEMU packages did not install (see $demo/libvirt-setup.log)"; return; }
    bootstrap_python libvirt >>"$demo/libvirt-setup.log" 2>&1 ||
        { echo "libvirt-python did not install (see $demo/libvirt-setup.log)"; return; }
    bash tools/realparts/libvirt/setup.sh >>"$demo/libvirt-setup.log" 2>&1 ||
        { echo "libvirtd or the guest image could not be set up (see $demo/libvirt-setup.log)"; return; }
}

fake_driver_demo() {
    bootstrap_python
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
    "$VENV/bin/crashdump-all" --config-file "$demo/crashdump.conf" \
        >"$demo/server.log" 2>&1 &
    server_pid=$!
    trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
    url=
    for _ in $(seq 300); do
        url=$(sed -n 's#.*serving at \(http://[^ ]*/v2.1\).*#\1#p' "$demo/server.log")
        [ -n "$url" ] && break
        kill -0 $server_pid 2>/dev/null || { cat "$demo/server.log"; exit 1; }
        sleep 0.1
    done
    [ -n "$url" ] || { log "crashdump-all did not start"; cat "$demo/server.log"; exit 1; }
    log "crashdump serves $url with fake servers web-1, web-2 (locked), db-1 (guest not running)"
    # noauth mode: the token is <user>:<project>.
    export OS_AUTH_TYPE=admin_token OS_ENDPOINT=$url OS_TOKEN=demo:demo
    export OS_PROJECT_ID=demo OS_AUTH_URL=http://127.0.0.1/unused
    export XDG_CACHE_HOME=$demo/cache
    "$VENV/bin/nova" trigger-crash web-1 --wait
    "$VENV/bin/nova" crash-list web-1
}

reason=$(why_not_libvirt)
if [ -z "$reason" ]; then
    log "libvirt and QEMU are ready: booting a guest and crashing it through crashdump"
    exec bash tools/realparts/libvirt/chain.sh "$VENV/bin"
fi
log "This host cannot run a libvirt/QEMU guest because $reason, so the demo uses crashdump's fake driver instead."
fake_driver_demo
