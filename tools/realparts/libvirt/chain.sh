#!/usr/bin/env bash
# The whole chain once: libvirt daemons, a guest booted, crashdump-all with
# the libvirt driver, `nova trigger-crash GUEST --wait`, the guest's panic
# lines, and everything this run started stopped again (by pid): the
# daemons too, unless they ran before. It holds the functional tests' host
# lock, so it waits while a libvirt test runs.
# Prints each phase as it starts and how long it took.
# Usage: chain.sh [BIN_DIR]   (BIN_DIR holds crashdump-all and nova;
#                              default: where crashdump-all is on PATH)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/common.sh"
bin=${1:-$(dirname "$(command -v crashdump-all 2>/dev/null || echo /nonexistent/x)")}
[ -x "$bin/crashdump-all" ] && [ -x "$bin/nova" ] ||
    die "no crashdump-all and nova in ${bin}; pass their directory"

work=$(mktemp -d /tmp/crashdump-chain.XXXXXX)
guest=crashdump-chain-$$
server_pid=
daemons_were_up=
started=$(date +%s.%N)
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    bash "$here/domain.sh" remove "$guest" || true
    [ -n "$daemons_were_up" ] || bash "$here/daemons.sh" stop || true
    rm -rf "$work"
}
trap cleanup EXIT

hold_host_lock
bash "$here/daemons.sh" status && daemons_were_up=1
phase "libvirt: starting virtlogd and libvirtd unless they run"
bash "$here/setup.sh"
phase "booting a guest ($guest, software emulation)"
uuid=$(bash "$here/domain.sh" define "$guest" --project demo --user demo)
bash "$here/domain.sh" start "$guest" 120
phase "starting crashdump-all with the libvirt driver"
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
url=$(crashdump_url "$work/server.log" "$server_pid")
phase "triggering: nova trigger-crash $guest --wait (crashdump at $url)"
export OS_AUTH_TYPE=admin_token OS_ENDPOINT=$url OS_TOKEN=demo:demo
export OS_PROJECT_ID=demo OS_AUTH_URL=http://127.0.0.1/unused
export XDG_CACHE_HOME=$work/cache
"$bin/nova" trigger-crash "$guest" --wait --console-lines 6 \
    2> >(grep -v "nova CLI is deprecated" >&2)
log=$CRASHDUMP_GUEST_LOGS/$guest.log
wait_until 10 grep -q 'Kernel panic - not syncing' "$log" ||
    die "no panic in $log"
grep -E 'NMI|Kernel panic' "$log" | tail -4
if [ -n "$daemons_were_up" ]; then
    phase "stopping crashdump-all and removing the guest (libvirtd ran before: left running)"
else
    phase "stopping crashdump-all, removing the guest, stopping the libvirt daemons this run started"
fi
trap - EXIT
cleanup
phase_end
log "whole chain: $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')"
