#!/usr/bin/env bash
# Start, stop or check Debian's MariaDB server without systemd, and create
# or drop a database with its own user and password.
# Usage: mariadb.sh start|stop|status
#        mariadb.sh db-create DB USER PASSWORD | db-drop DB USER
#   start      start mariadbd on the data directory Debian's package made
#              ($CRASHDUMP_MARIADB_DATADIR, /var/lib/mysql), listening on
#              127.0.0.1:$CRASHDUMP_MARIADB_PORT, unless a server answers
#              there; wait until it accepts connections. A server this
#              script did not start is used as it is.
#   stop       stop mariadbd if this script started it.
#   status     exit 0 when a server accepts connections on that port.
#   db-create  (idempotent) database DB (utf8mb4) and user USER with that
#              password, from 127.0.0.1 and localhost, with every
#              privilege on DB:
#              mysql+pymysql://USER:PASSWORD@127.0.0.1:3306/DB?charset=utf8mb4
#   db-drop    drop DB (ending USER's sessions) and USER, if they exist.
# The administration runs as the database's root over the local socket
# ($CRASHDUMP_MARIADB_SOCKET), which Debian authenticates by the caller's
# Unix user (unix_socket): run it as root.
set -euo pipefail
source "$(dirname "$0")/common.sh"

port=$CRASHDUMP_MARIADB_PORT
socket=$CRASHDUMP_MARIADB_SOCKET
datadir=$CRASHDUMP_MARIADB_DATADIR
# mariadbd runs in the foreground as our child's child: this is its pid
# (setsid execs), the one `stop` may end.
ours=$CRASHDUMP_DISTRIBUTED_RUN/mariadb.pid
server_log=$CRASHDUMP_DISTRIBUTED_RUN/mariadb.log

sql_admin() {
    # The mariadb client as the database's root over the socket; stops at
    # the first error.
    mariadb --no-defaults --protocol=socket --socket="$socket" -u root \
        --batch --skip-column-names "$@"
}

accepts() {
    # ping answers 0 for any server that answers, even one that refuses
    # the (absent) credentials.
    mariadb-admin --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" \
        --connect-timeout=2 ping >/dev/null 2>&1
}

ready() {
    pid_alive "$ours" ||
        die "mariadbd exited: $(tail -n 20 "$server_log")"
    accepts
}

start() {
    need_root "starting MariaDB"
    command -v mariadbd >/dev/null ||
        die "MariaDB is not installed; run $(dirname "$0")/install.sh"
    mkdir -p "$CRASHDUMP_DISTRIBUTED_RUN"
    if accepts; then
        pid_alive "$ours" ||
            log "a MariaDB server started elsewhere answers on 127.0.0.1:$port; using it"
        return 0
    fi
    if ! pid_alive "$ours"; then
        # The socket's directory is on tmpfs: gone after a reboot.
        install -d -o mysql -g mysql "$(dirname "$socket")"
        if [ ! -d "$datadir/mysql" ]; then
            log "creating MariaDB's system tables in $datadir"
            mariadb-install-db --user=mysql --datadir="$datadir" \
                --auth-root-authentication-method=socket \
                >"$server_log" 2>&1 ||
                die "mariadb-install-db failed: $(tail -n 20 "$server_log")"
        fi
        # Errors go to stderr (no log_error), into our log.
        setsid mariadbd --user=mysql --datadir="$datadir" \
            --bind-address=127.0.0.1 --port="$port" --socket="$socket" \
            </dev/null >>"$server_log" 2>&1 &
        echo $! > "$ours"
    fi
    # The first start after the package installed builds InnoDB's files.
    wait_until 60 ready ||
        die "MariaDB does not accept connections on 127.0.0.1:$port: $(tail -n 20 "$server_log")"
    log "MariaDB ready (pid $(cat "$ours")) on 127.0.0.1:$port"
}

stop() {
    # SIGTERM is mariadbd's clean shutdown (InnoDB flushes its buffers).
    stop_pid "$ours" 60
}

valid_name() {
    # MariaDB allows more; these need no quoting anywhere.
    [[ $1 =~ ^[a-z_][a-z0-9_]{0,31}$ ]] ||
        die "$1: database and user names here are lower-case letters, digits and _ (at most 32)"
}

sql_string() {
    # A single-quoted SQL string literal of $1 (backslash and quote
    # escaped, as MariaDB reads them unless NO_BACKSLASH_ESCAPES is set).
    local text=${1//\\/\\\\}
    printf "'%s'" "${text//\'/\\\'}"
}

db_create() {
    [ $# -eq 3 ] || die "usage: $0 db-create DB USER PASSWORD"
    valid_name "$1"; valid_name "$2"
    local password host statements=
    password=$(sql_string "$3")
    statements="CREATE DATABASE IF NOT EXISTS \`$1\` CHARACTER SET utf8mb4;"
    # TCP clients come from 127.0.0.1; 'localhost' is the socket.
    for host in 127.0.0.1 localhost; do
        statements+="
CREATE USER IF NOT EXISTS '$2'@'$host' IDENTIFIED BY $password;
ALTER USER '$2'@'$host' IDENTIFIED BY $password;
GRANT ALL PRIVILEGES ON \`$1\`.* TO '$2'@'$host';"
    done
    sql_admin <<<"$statements"
}

db_drop() {
    [ $# -eq 2 ] || die "usage: $0 db-drop DB USER"
    valid_name "$1"; valid_name "$2"
    # A session in a transaction holds locks DROP DATABASE would wait for
    # (lock_wait_timeout: a day): end the user's sessions first.
    sql_admin <<SQL
KILL CONNECTION USER '$2';
DROP DATABASE IF EXISTS \`$1\`;
DROP USER IF EXISTS '$2'@'127.0.0.1', '$2'@'localhost';
SQL
}

command=${1:-}
shift || true
case $command in
    start) start ;;
    stop) stop ;;
    status) accepts ;;
    db-create) db_create "$@" ;;
    db-drop) db_drop "$@" ;;
    *) die "usage: $0 start|stop|status|db-create DB USER PASSWORD|db-drop DB USER" ;;
esac
