#!/usr/bin/env bash
# Start, stop or check virtlogd and libvirtd without systemd, by pid file.
# Usage: daemons.sh start|stop|restart|status
#   start    start the daemons unless they run; wait until libvirtd answers.
#            A libvirtd this script did not start is used as it is.
#   stop     destroy running domains (libvirtd would leave QEMU running),
#            then stop the daemons this script started (by their pids).
#   restart  stop libvirtd only and start it again (guests keep running).
#   stop-libvirtd  stop libvirtd only, guests left running (an outage;
#            `start` ends it).
#   status   exit 0 when libvirtd answers on $LIBVIRT_URI.
set -euo pipefail
source "$(dirname "$0")/common.sh"

virtlogd_pid=$CRASHDUMP_LIBVIRT_RUN/virtlogd.pid
libvirtd_pid=$CRASHDUMP_LIBVIRT_RUN/libvirtd.pid

answers() { virsh -q -c "$LIBVIRT_URI" version >/dev/null 2>&1; }

wait_answer() {
    # The first start probes QEMU's capabilities (~8 s); later ones are quick.
    for _ in $(seq 300); do
        answers && return 0
        pid_alive "$libvirtd_pid" || break
        sleep 0.1
    done
    die "libvirtd did not answer on $LIBVIRT_URI; see $CRASHDUMP_LIBVIRT_RUN/libvirtd.log"
}

stop_pid() {
    # stop_pid FILE: SIGTERM the process FILE names and wait for it to go.
    pid_alive "$1" || { rm -f "$1"; return 0; }
    local pid
    pid=$(cat "$1")
    kill -TERM "$pid"
    for _ in $(seq 100); do
        pid_alive "$1" || { rm -f "$1"; return 0; }
        sleep 0.1
    done
    log "pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$1"
}

start_libvirtd() {
    answers && return 0
    libvirtd -d --pid-file "$libvirtd_pid" \
        >>"$CRASHDUMP_LIBVIRT_RUN/libvirtd.log" 2>&1 ||
        die "libvirtd failed to start; see $CRASHDUMP_LIBVIRT_RUN/libvirtd.log"
    wait_answer
}

start() {
    need_root "starting libvirtd"
    mkdir -p "$CRASHDUMP_LIBVIRT_RUN"
    # A virtlogd that exited stays a zombie where nothing reaps orphans;
    # only a live one (ours or someone else's) serves the socket.
    if ! pid_alive "$virtlogd_pid" &&
            ! pgrep -x --runstates D,R,S virtlogd >/dev/null; then
        virtlogd -d --pid-file "$virtlogd_pid"
    fi
    start_libvirtd
}

stop() {
    # Someone else's libvirtd, and its guests, are none of our business.
    pid_alive "$libvirtd_pid" || { stop_pid "$virtlogd_pid"; return 0; }
    if answers; then
        for dom in $(virsh -q -c "$LIBVIRT_URI" list --name); do
            virsh -q -c "$LIBVIRT_URI" destroy "$dom" >/dev/null 2>&1 || true
        done
    fi
    stop_pid "$libvirtd_pid"
    stop_pid "$virtlogd_pid"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    restart) need_root "restarting libvirtd"
             pid_alive "$libvirtd_pid" ||
                 die "libvirtd was not started by this script; restart it yourself"
             stop_pid "$libvirtd_pid"; start_libvirtd ;;
    stop-libvirtd) pid_alive "$libvirtd_pid" ||
                 die "libvirtd was not started by this script; stop it yourself"
             stop_pid "$libvirtd_pid" ;;
    status) answers ;;
    *) die "usage: $0 start|stop|restart|stop-libvirtd|status" ;;
esac
