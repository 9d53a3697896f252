#!/usr/bin/env bash
# The whole chain once: libvirt daemons, a guest booted, crashdump-all with
# the libvirt driver, `nova trigger-crash GUEST --wait`, the guest's panic
# lines, and everything this run started stopped again (by pid).
# Prints how long each step took.
# Usage: chain.sh [BIN_DIR]   (BIN_DIR holds crashdump-all and nova;
#                              default: where crashdump-all is on PATH)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
bin=${1:-$(dirname "$(command -v crashdump-all 2>/dev/null || echo /nonexistent/x)")}
[ -x "$bin/crashdump-all" ] && [ -x "$bin/nova" ] ||
    die "no crashdump-all and nova in ${bin}; pass their directory"

now() { date +%s.%N; }
t0=$(now); last=$t0
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%6.2f", b - a }'; }
step() { local t; t=$(now); printf '%-34s %s s\n' "$1" "$(since "$last" "$t")" >&2; last=$t; }

work=$(mktemp -d /tmp/crashdump-chain.XXXXXX)
guest=crashdump-chain-$$
server_pid=
daemons_were_up=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    bash "$here/domain.sh" remove "$guest" || true
    [ -n "$daemons_were_up" ] || bash "$here/daemons.sh" stop || true
    rm -rf "$work"
}
trap cleanup EXIT

bash "$here/daemons.sh" status && daemons_were_up=1
bash "$here/setup.sh"
step "libvirt ready"
uuid=$(bash "$here/domain.sh" define "$guest" --project demo --user demo)
bash "$here/domain.sh" start "$guest" 120
step "guest booted"
cat > "$work/crashdump.conf" <<CONF
[DEFAULT]
state_path = $work/state
host = $(hostname)
compute_driver = libvirt
[api]
host = 127.0.0.1
port = 0
[libvirt]
connection_uri = $LIBVIRT_URI
CONF
"$bin/crashdump-all" --config-file "$work/crashdump.conf" >"$work/server.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 300); do
    url=$(sed -n 's#.*serving at \(http://[^ ]*/v2.1\).*#\1#p' "$work/server.log")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; die "crashdump-all exited"; }
    sleep 0.1
done
[ -n "$url" ] || die "crashdump-all did not start; see $work/server.log"
step "crashdump-all serving"
export OS_AUTH_TYPE=admin_token OS_ENDPOINT=$url OS_TOKEN=demo:demo
export OS_PROJECT_ID=demo OS_AUTH_URL=http://127.0.0.1/unused
export XDG_CACHE_HOME=$work/cache
"$bin/nova" trigger-crash "$guest" --wait --console-lines 6 2>/dev/null
step "nova trigger-crash --wait"
log=$CRASHDUMP_GUEST_LOGS/$guest.log
for _ in $(seq 100); do
    grep -q 'Kernel panic - not syncing' "$log" && break
    sleep 0.1
done
grep -q 'Kernel panic - not syncing' "$log" || die "no panic in $log"
step "panic line in the console log"
grep -E 'NMI|Kernel panic' "$log" | tail -4
trap - EXIT
cleanup
step "stopped"
printf '%-34s %s s\n' "whole chain" "$(since "$t0" "$(now)")" >&2
