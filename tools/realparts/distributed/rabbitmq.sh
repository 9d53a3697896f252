#!/usr/bin/env bash
# Start, stop or check RabbitMQ without systemd, and give each user a
# virtual host of its own.
# Usage: rabbitmq.sh start|stop|status|vhost-add VHOST|vhost-delete VHOST
#   start         start epmd and the broker unless a broker answers; wait
#                 until it is ready (the node answers pings before that).
#                 A broker this script did not start is used as it is.
#   stop          stop the broker and epmd this script started (by pid).
#   status        exit 0 when the broker runs its applications.
#   vhost-add V   create virtual host V for user guest (idempotent): its
#                 queues are nobody else's, and vhost-delete drops them all.
#   vhost-delete V
# The URL for oslo.messaging: rabbit://guest:guest@127.0.0.1:5672/VHOST
set -euo pipefail
source "$(dirname "$0")/common.sh"

node=rabbit@$(hostname -s)
mnesia_base=${RABBITMQ_MNESIA_BASE:-/var/lib/rabbitmq/mnesia}
# The broker writes its own pid file when it boots; ours name the processes
# this script started, the ones `stop` may end.
broker_pidfile=$mnesia_base/$node.pid
broker_pid=$CRASHDUMP_DISTRIBUTED_RUN/rabbitmq.pid
epmd_pid=$CRASHDUMP_DISTRIBUTED_RUN/epmd.pid
startup_log=$CRASHDUMP_DISTRIBUTED_RUN/rabbitmq-startup.log

ctl() { rabbitmqctl -q "$@"; }
ready() { ctl status >/dev/null 2>&1; }

start() {
    need_root "starting RabbitMQ"
    command -v rabbitmq-server >/dev/null ||
        die "rabbitmq-server is not installed; run $(dirname "$0")/install.sh"
    mkdir -p "$CRASHDUMP_DISTRIBUTED_RUN"
    # Any Erlang node, rabbitmqctl's included, starts epmd (Erlang's port
    # mapper) as an untracked daemon when none runs: look before asking.
    # Every broker registers with epmd, so without it none runs here.
    if epmd -names >/dev/null 2>&1; then
        pid_alive "$broker_pid" && ready && return 0
        if ready; then
            log "a RabbitMQ broker started elsewhere runs on $node; using it"
            return 0
        fi
    else
        # Run epmd in the foreground as the broker's user so its pid is
        # known; setpriv execs, so $! is epmd itself.
        setsid setpriv --reuid rabbitmq --regid rabbitmq --init-groups \
            epmd </dev/null >>"$CRASHDUMP_DISTRIBUTED_RUN/epmd.log" 2>&1 &
        echo $! > "$epmd_pid"
        wait_until 5 epmd -names >/dev/null 2>&1 || true
    fi
    rm -f "$broker_pidfile"
    # The Debian wrapper switches to the rabbitmq user itself.
    (cd /var/lib/rabbitmq && rabbitmq-server -detached) \
        >"$startup_log" 2>&1 ||
        die "rabbitmq-server -detached failed: $(cat "$startup_log")"
    # `wait` follows the pid file, then the node, then the applications;
    # a broker that dies on the way makes it fail.
    if ! rabbitmqctl wait --timeout 120 "$broker_pidfile" \
            >>"$startup_log" 2>&1; then
        die "RabbitMQ did not become ready: $(tail -n 20 "$startup_log"); see /var/log/rabbitmq/"
    fi
    cp "$broker_pidfile" "$broker_pid"
    log "RabbitMQ $node ready (pid $(cat "$broker_pid")), AMQP on port $CRASHDUMP_RABBIT_PORT"
}

stop() {
    if pid_alive "$broker_pid"; then
        # `shutdown` waits for the node to be gone (`stop` returns early).
        ctl shutdown >/dev/null 2>&1 || log "rabbitmqctl shutdown failed"
        stop_pid "$broker_pid" 30
    fi
    rm -f "$broker_pid"
    stop_pid "$epmd_pid" 10
}

vhost_add() {
    [ -n "${1:-}" ] || die "usage: $0 vhost-add VHOST"
    ctl add_vhost "$1" >/dev/null
    ctl set_permissions -p "$1" guest '.*' '.*' '.*' >/dev/null
}

vhost_delete() {
    [ -n "${1:-}" ] || die "usage: $0 vhost-delete VHOST"
    # One rabbitmqctl run (each boots an Erlang VM, ~1 s): a vhost that is
    # gone already is fine.
    local out
    out=$(ctl delete_vhost "$1" 2>&1) && return 0
    grep -q 'does not exist' <<<"$out" && return 0
    die "rabbitmqctl delete_vhost $1: $out"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) ready ;;
    vhost-add) vhost_add "${2:-}" ;;
    vhost-delete) vhost_delete "${2:-}" ;;
    *) die "usage: $0 start|stop|status|vhost-add VHOST|vhost-delete VHOST" ;;
esac
