#!/usr/bin/env bash
# Install and start the whole system on the embedded default: SQLite in ./instance, the Kampak SOP
# catalogue, tickets printed to files under ./instance/printed (set ANTREAN_PRINTER for a printer).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/antrean demo
exec .venv/bin/antrean serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
