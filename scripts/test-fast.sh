#!/usr/bin/env bash
# The fast tier: unit, service and web tests, in a few minutes, with no apt-get, no browser and no
# server process (a test there that opens a socket, a printer or a speech engine fails; see
# tests/support/guard.py). Needs the .venv with the test libraries (bash scripts/test.sh made it,
# or bash scripts/install.sh --test). PostgreSQL service tests run when 127.0.0.1:5432 answers.
# Extra arguments go to pytest, e.g. bash scripts/test-fast.sh -x -q
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m pytest tests/unit tests/service tests/web "$@"
