# Shared settings for the RabbitMQ and PostgreSQL real-parts scripts
# (sourced, not run). Every setting can be moved with an environment
# variable of the same name.

CRASHDUMP_DISTRIBUTED_RUN=${CRASHDUMP_DISTRIBUTED_RUN:-/run/crashdump-distributed}
# The PostgreSQL cluster Debian 12 creates with the postgresql package.
CRASHDUMP_PG_VERSION=${CRASHDUMP_PG_VERSION:-15}
CRASHDUMP_PG_CLUSTER=${CRASHDUMP_PG_CLUSTER:-main}
CRASHDUMP_PG_PORT=${CRASHDUMP_PG_PORT:-5432}
CRASHDUMP_RABBIT_PORT=${CRASHDUMP_RABBIT_PORT:-5672}

DISTRIBUTED_PACKAGES=(rabbitmq-server postgresql)

source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../../lib" && pwd)/common.sh"

need_root() {
    [ "$(id -u)" -eq 0 ] || die "$1 needs root (the broker and the database run as their own users, started by root)"
}


stop_pid() {
    # stop_pid FILE [SECONDS]: SIGTERM the process FILE names, wait for it
    # to go (default 30 s), then SIGKILL it.
    pid_alive "$1" || { rm -f "$1"; return 0; }
    local pid
    pid=$(cat "$1")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq $(( ${2:-30} * 10 ))); do
        pid_alive "$1" || { rm -f "$1"; return 0; }
        sleep 0.1
    done
    log "pid $pid ignored SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$1"
}
