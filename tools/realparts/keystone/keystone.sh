#!/usr/bin/env bash
# Run one real Keystone for tests: one gunicorn worker, SQLite, fernet
# tokens, cheap password hashes, its own cache on.
#   keystone.sh start STATE_DIR PORT   write the configuration, create the
#                                      database and keys, bootstrap the
#                                      admin, start, wait until it answers
#                                      on 127.0.0.1:PORT, then create the
#                                      test projects and users (users.py)
#   keystone.sh stop STATE_DIR         stop it by its pid file
#   keystone.sh status STATE_DIR
# The admin's password is KEYSTONE_ADMIN_PASSWORD (default "secret"); the
# other users' passwords are their user names followed by "-secret".
set -euo pipefail
source "$(dirname "$0")/common.sh"

cmd=${1:-}; state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || die "usage: $0 start|stop|status STATE_DIR [PORT]"
pid_file=$state/keystone.pid
admin_password=${KEYSTONE_ADMIN_PASSWORD:-secret}

write_config() {
    local port=$1
    mkdir -p "$state/fernet-keys" "$state/fernet-receipts" "$state/credential-keys"
    cat > "$state/keystone.conf" <<CONF
[DEFAULT]
debug = ${KEYSTONE_DEBUG:-false}
log_file = $state/keystone.log

[database]
connection = sqlite:///$state/keystone.sqlite

[token]
provider = fernet
expiration = ${KEYSTONE_TOKEN_EXPIRATION:-3600}

[fernet_tokens]
key_repository = $state/fernet-keys

[fernet_receipts]
# Without it fernet_setup writes into /etc/keystone.
key_repository = $state/fernet-receipts

[credential]
key_repository = $state/credential-keys

[identity]
# The fewest rounds bcrypt accepts: tests check passwords, not hashes.
password_hash_rounds = 4

[cache]
# Without a cache every token validation costs ~300 ms.
enabled = true
backend = oslo_cache.dict
CONF
    # keystone's oslo.config parses sys.argv, so gunicorn must get no
    # command-line arguments: everything is said here instead.
    cat > "$state/gunicorn.conf.py" <<CONF
bind = '127.0.0.1:$port'
workers = 1
wsgi_app = 'keystone.wsgi.api:application'
accesslog = '$state/access.log'
errorlog = '$state/gunicorn.log'
raw_env = ['OS_KEYSTONE_CONFIG_FILES=$state/keystone.conf']
CONF
}

keystone_answers() {
    # keystone_answers URL: true once Keystone lists its stable v3 API;
    # dies when Keystone exited.
    pid_alive "$pid_file" ||
        die "Keystone exited: $(tail -20 "$state/gunicorn.out" "$state/gunicorn.log" "$state/keystone.log" 2>/dev/null)"
    curl -fsS "$1/v3" 2>/dev/null | grep -q '"stable"'
}

manage() {
    "$CRASHDUMP_KEYSTONE_VENV/bin/keystone-manage" \
        --config-file "$state/keystone.conf" "$@" >>"$state/manage.log" 2>&1 ||
        die "keystone-manage $1 failed: $(tail -5 "$state/manage.log")"
}

case $cmd in
start)
    port=${3:-}; [ -n "$port" ] || die "start needs a PORT"
    if pid_alive "$pid_file"; then
        log "Keystone already runs (pid $(cat "$pid_file"))"; exit 0
    fi
    [ -x "$CRASHDUMP_KEYSTONE_VENV/bin/keystone-manage" ] ||
        die "no Keystone in $CRASHDUMP_KEYSTONE_VENV: run install.sh first"
    mkdir -p "$state"
    write_config "$port"
    url=http://127.0.0.1:$port
    if [ ! -s "$state/keystone.sqlite" ]; then
        manage db_sync
        manage fernet_setup --keystone-user root --keystone-group root
        manage credential_setup --keystone-user root --keystone-group root
    fi
    # bootstrap is idempotent and points the identity endpoints at PORT.
    manage bootstrap --bootstrap-password "$admin_password" \
        --bootstrap-admin-url "$url/v3" --bootstrap-internal-url "$url/v3" \
        --bootstrap-public-url "$url/v3" --bootstrap-region-id RegionOne
    (cd "$state" && exec "$CRASHDUMP_KEYSTONE_VENV/bin/gunicorn" \
        >"$state/gunicorn.out" 2>&1) &
    echo $! > "$pid_file"
    if wait_until 60 keystone_answers "$url"; then
        "$CRASHDUMP_KEYSTONE_VENV/bin/python" "$KEYSTONE_SCRIPTS_DIR/users.py" \
            "$url/v3" "$admin_password" >>"$state/users.log" 2>&1 ||
            die "creating the test users failed: $(tail -5 "$state/users.log")"
        log "Keystone answers at $url/v3 (pid $(cat "$pid_file"))"
        exit 0
    fi
    stop_pid "$pid_file"
    die "Keystone did not answer within 60 s: $(tail -20 "$state/gunicorn.log" "$state/keystone.log" 2>/dev/null)"
    ;;
stop)
    stop_pid "$pid_file"
    ;;
status)
    pid_status "$pid_file"
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
