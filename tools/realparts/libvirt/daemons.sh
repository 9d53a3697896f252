#!/usr/bin/env bash
# Start, stop or check virtlogd and libvirtd without systemd, by pid file.
# Usage: daemons.sh start|stop|restart|status
#   start    start the daemons unless they run; wait until libvirtd answers.
#            A libvirtd this script did not start is used as it is.
#   stop     destroy crashdump's own running guests (those domain.sh
#            defined: they boot build-guest.sh's kernel; libvirtd would
#            leave their QEMU running), then stop the daemons this script
#            started (by their pids). It never touches another guest:
#            while one runs, libvirtd is left running too.
#   restart  stop libvirtd only and start it again (guests keep running).
#   stop-libvirtd  stop libvirtd only, guests left running (an outage;
#            `start` ends it).
#   status   exit 0 when libvirtd answers on $LIBVIRT_URI.
set -euo pipefail
source "$(dirname "$0")/common.sh"

virtlogd_pid=$CRASHDUMP_LIBVIRT_RUN/virtlogd.pid
libvirtd_pid=$CRASHDUMP_LIBVIRT_RUN/libvirtd.pid

answers() { virsh -q -c "$LIBVIRT_URI" version >/dev/null 2>&1; }

created_here() {
    # created_here DOMAIN: true for a guest domain.sh defined, which boots
    # the kernel build-guest.sh took out of its package.
    virsh -q -c "$LIBVIRT_URI" dumpxml "$1" 2>/dev/null |
        grep -qF "<kernel>$CRASHDUMP_GUEST_CACHE/vmlinuz</kernel>"
}

libvirtd_answers() {
    answers && return 0
    pid_alive "$libvirtd_pid" ||
        die "libvirtd exited; see $CRASHDUMP_LIBVIRT_RUN/libvirtd.log"
    return 1
}

wait_answer() {
    # The first start probes QEMU's capabilities (~8 s); later ones are quick.
    wait_until 30 libvirtd_answers ||
        die "libvirtd did not answer on $LIBVIRT_URI; see $CRASHDUMP_LIBVIRT_RUN/libvirtd.log"
}

start_libvirtd() {
    answers && return 0
    # 9>&-: a caller's host lock (hold_host_lock) stays the caller's.
    libvirtd -d --pid-file "$libvirtd_pid" 9>&- \
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
        virtlogd -d --pid-file "$virtlogd_pid" 9>&-
    fi
    start_libvirtd
}

stop() {
    # Someone else's libvirtd, and its guests, are none of our business.
    pid_alive "$libvirtd_pid" || { stop_pid "$virtlogd_pid"; return 0; }
    if answers; then
        local dom others=()
        for dom in $(virsh -q -c "$LIBVIRT_URI" list --name); do
            if created_here "$dom"; then
                virsh -q -c "$LIBVIRT_URI" destroy "$dom" >/dev/null 2>&1 || true
            else
                others+=("$dom")
            fi
        done
        if [ ${#others[@]} -gt 0 ]; then
            # Stopping libvirtd would orphan their QEMU processes.
            log "libvirtd left running: it runs guests crashdump did not create (${others[*]})"
            return 0
        fi
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
