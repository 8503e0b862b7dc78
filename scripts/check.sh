#!/usr/bin/env bash
# The structure checks CI runs before the tests (CONTRIBUTING.md): the import contracts of
# docs/architecture.md (import-linter), lint (ruff) and types (mypy), all configured in pyproject.toml
# with nothing ignored. Needs the test install: bash scripts/install.sh --test
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

echo "== import contracts (import-linter)"
"$bin/lint-imports" --no-cache

echo "== lint (ruff)"
"$bin/ruff" check .

echo "== types (mypy)"
# The folders are mapped to antrean.* by setuptools' package-dir; mypy cannot follow the editable
# install's import hook, so it reads the package through a tree of links made here.
tree=.cache/typecheck/antrean
mkdir -p "$tree"
for d in shared kiosk display counter hardware; do ln -sfn "../../../$d" "$tree/$d"; done
MYPYPATH=.cache/typecheck "$bin/mypy" -p antrean.shared -p antrean.hardware -p antrean.kiosk -p antrean.display -p antrean.counter
echo "structure checks passed"
