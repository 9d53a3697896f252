#!/usr/bin/env bash
# Start, stop or check Debian's PostgreSQL cluster without systemd, and
# create or drop a database with its own user and password.
# Usage: postgresql.sh start|stop|status
#        postgresql.sh db-create DB USER PASSWORD | db-drop DB USER
#   start      start the cluster ($CRASHDUMP_PG_VERSION/$CRASHDUMP_PG_CLUSTER,
#              Debian 12: 15/main) unless it runs; wait until it accepts
#              connections. A cluster this script did not start is used
#              as it is.
#   stop       stop the cluster if this script started it.
#   db-create  (idempotent) a user with that password owning database DB.
#              Clients connect over 127.0.0.1 with the password (the local
#              socket uses peer authentication):
#              postgresql+psycopg://USER:PASSWORD@127.0.0.1:5432/DB
#   db-drop    drop DB (closing its connections) and USER, if they exist.
set -euo pipefail
source "$(dirname "$0")/common.sh"

version=$CRASHDUMP_PG_VERSION
cluster=$CRASHDUMP_PG_CLUSTER
ours=$CRASHDUMP_DISTRIBUTED_RUN/postgresql.pid
server_pidfile=/run/postgresql/$version-$cluster.pid

psql_admin() {
    # psql as the postgres superuser over the socket, stopping on errors.
    PGOPTIONS="-c client_min_messages=warning" \
        runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 \
        -p "$CRASHDUMP_PG_PORT" "$@"
}

online() {
    pg_lsclusters -h 2>/dev/null |
        awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $4}' |
        grep -q '^online'
}

accepts() { pg_isready -q -h 127.0.0.1 -p "$CRASHDUMP_PG_PORT"; }

start() {
    need_root "starting PostgreSQL"
    command -v pg_ctlcluster >/dev/null ||
        die "PostgreSQL is not installed; run $(dirname "$0")/install.sh"
    pg_lsclusters -h | awk '{print $1 "/" $2}' | grep -qxF "$version/$cluster" ||
        die "no PostgreSQL cluster $version/$cluster (pg_lsclusters); create it with pg_createcluster $version $cluster"
    mkdir -p "$CRASHDUMP_DISTRIBUTED_RUN"
    if online; then
        pid_alive "$ours" || log "PostgreSQL $version/$cluster started elsewhere; using it"
    else
        pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start ||
            die "pg_ctlcluster $version $cluster start failed; see /var/log/postgresql/postgresql-$version-$cluster.log"
        head -n 1 "$server_pidfile" > "$ours"
    fi
    wait_until 30 accepts ||
        die "PostgreSQL $version/$cluster does not accept connections on 127.0.0.1:$CRASHDUMP_PG_PORT"
}

stop() {
    pid_alive "$ours" || { rm -f "$ours"; return 0; }
    # fast: roll back open transactions instead of waiting for clients.
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop \
        -m fast || log "pg_ctlcluster stop failed; stopping pid $(cat "$ours")"
    stop_pid "$ours" 30
}

valid_name() {
    [[ $1 =~ ^[a-z_][a-z0-9_]{0,62}$ ]] ||
        die "$1: database and user names here are lower-case letters, digits and _"
}

db_create() {
    [ $# -eq 3 ] || die "usage: $0 db-create DB USER PASSWORD"
    valid_name "$1"; valid_name "$2"
    # The password travels as a psql variable, quoted by psql (:'pw').
    psql_admin -v user="$2" -v pw="$3" -d postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'user')
    WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'user', :'pw') \gexec
SQL
    psql_admin -v db="$1" -v user="$2" -d postgres <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user')
    WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
}

db_drop() {
    [ $# -eq 2 ] || die "usage: $0 db-drop DB USER"
    valid_name "$1"; valid_name "$2"
    psql_admin -v db="$1" -v user="$2" -d postgres <<'SQL'
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', :'db') \gexec
SELECT format('DROP ROLE IF EXISTS %I', :'user') \gexec
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
