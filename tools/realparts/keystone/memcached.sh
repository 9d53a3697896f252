#!/usr/bin/env bash
# Run one memcached on loopback for auth_token's token cache.
#   memcached.sh start STATE_DIR PORT   start, wait until it answers
#   memcached.sh stop STATE_DIR         stop it by its pid file
set -euo pipefail
source "$(dirname "$0")/common.sh"

cmd=${1:-}; state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || die "usage: $0 start|stop STATE_DIR [PORT]"
pid_file=$state/memcached.pid

case $cmd in
start)
    port=${3:-}; [ -n "$port" ] || die "start needs a PORT"
    if pid_alive "$pid_file"; then
        log "memcached already runs (pid $(cat "$pid_file"))"; exit 0
    fi
    command -v memcached >/dev/null || die "memcached is missing: run install.sh"
    mkdir -p "$state"
    # -u root: memcached refuses to run as root without saying so; 64 MB
    # is plenty for tokens.
    memcached -u root -l 127.0.0.1 -p "$port" -U 0 -m 64 \
        >"$state/memcached.out" 2>&1 &
    echo $! > "$pid_file"
    for _ in $(seq 100); do
        pid_alive "$pid_file" ||
            die "memcached exited: $(tail -5 "$state/memcached.out")"
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            log "memcached answers at 127.0.0.1:$port (pid $(cat "$pid_file"))"
            exit 0
        fi
        sleep 0.1
    done
    stop_pid "$pid_file"
    die "memcached did not answer within 10 s"
    ;;
stop)
    stop_pid "$pid_file"
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
