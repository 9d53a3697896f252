#!/usr/bin/env bash
# Set up everything, start crashdump in its embedded mode with a few demo
# servers, trigger a crash dump on one with `nova trigger-crash --wait`, and
# show what happened. Usage: bash tools/demo.sh [server name, default web-1]
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
bootstrap_python
target=${1:-web-1}
demo="$CRASHDUMP_ROOT/.state/demo"
mkdir -p "$demo"
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
for _ in $(seq 100); do
    url=$(sed -n 's#.*serving at \(http://[^ ]*/v2.1\).*#\1#p' "$demo/server.log")
    [ -n "$url" ] && break
    kill -0 $server_pid 2>/dev/null || { cat "$demo/server.log"; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { log "crashdump-all did not start"; cat "$demo/server.log"; exit 1; }
log "crashdump serves $url with demo servers web-1, web-2 (locked), db-1 (stopped guest)"
# noauth mode: the token is <user>:<project>.
export OS_AUTH_TYPE=admin_token OS_ENDPOINT=$url OS_TOKEN=demo:demo
export OS_PROJECT_ID=demo OS_AUTH_URL=http://127.0.0.1/unused
set -x
"$VENV/bin/nova" trigger-crash "$target" --wait
"$VENV/bin/nova" crash-list "$target"
