# Shared set-up for tools/demo.sh and tools/test.sh (sourced, not run).
# Installs what a fresh Debian/Ubuntu machine lacks (as root), then a
# virtualenv in .venv with both halves of crashdump and tox. Idempotent.

CRASHDUMP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV="$CRASHDUMP_ROOT/.venv"

source "$CRASHDUMP_ROOT/tools/lib/common.sh"

pick_python() {
    # The first python3 that can make a virtualenv.
    for candidate in python3 /usr/bin/python3; do
        if command -v "$candidate" >/dev/null &&
            "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

bootstrap_python() {
    # bootstrap_python [EXTRAS]: EXTRAS of crashdump-server, e.g. "libvirt".
    local extras=${1:-}
    if command -v dpkg-query >/dev/null; then
        apt_install git ca-certificates
        pick_python >/dev/null || apt_install python3 python3-venv python3-pip
    fi
    PYTHON=$(pick_python) || { log "no python3 with venv found"; exit 1; }
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.crashdump-installed"
    local newest
    newest=$(ls -t "$CRASHDUMP_ROOT"/server/pyproject.toml \
        "$CRASHDUMP_ROOT"/client/pyproject.toml \
        "$CRASHDUMP_ROOT"/test-requirements.txt | head -1)
    local server="$CRASHDUMP_ROOT/server"
    [ -n "$extras" ] && server="$server[$extras]"
    if [ ! -f "$stamp" ] || [ "$newest" -nt "$stamp" ] ||
        [ "$(cat "$stamp")" != "$extras" ]; then
        log "installing crashdump-server${extras:+[$extras]}, crashdump-client and tox into $VENV"
        "$VENV/bin/pip" install -q --upgrade pip >/dev/null
        "$VENV/bin/pip" install -q tox -e "$server" -e "$CRASHDUMP_ROOT/client"
        printf '%s' "$extras" > "$stamp"
    fi
}
