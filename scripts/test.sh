#!/usr/bin/env bash
# Install what the tests need (chromium, espeak-ng, test libraries) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
exec .venv/bin/python -m pytest "$@"
