#!/usr/bin/env bash
# Set up everything and run the whole test suite: style, unit and contract
# tests, functional tests with real parts, docs and release notes.
# Usage: bash tools/test.sh [tox environments, default: all of them]
set -euo pipefail
source "$(dirname "$0")/lib/bootstrap.sh"
bootstrap_python
cd "$CRASHDUMP_ROOT"
envs=${1:-pep8,py3,functional,docs,releasenotes}
log "running tox -e $envs"
exec "$VENV/bin/tox" -e "$envs"
