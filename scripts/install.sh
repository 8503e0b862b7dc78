#!/usr/bin/env bash
# Install what Antrean needs on a Debian/Ubuntu machine: system packages, the Python virtual
# environment (.venv) with the project, and the front-end libraries from npm (package-lock.json).
#   bash scripts/install.sh          # to run the system
#   bash scripts/install.sh --test   # also what the tests need (chromium, test libraries)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # the nginx configuration of docs/deployment.md is tested in front of two server processes
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
fi
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "please install these system packages first: ${need[*]}" >&2
    [ "$want_test" = 1 ] && exit 1
  fi
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
else
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[postgres,redis]"
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
# spoken announcements: pyttsx3 uses espeak-ng's Indonesian voice (poz/id) on Linux
if command -v espeak-ng >/dev/null 2>&1; then
  espeak-ng --voices=id 2>/dev/null | grep -q "poz/id" \
    || echo "warning: espeak-ng has no Indonesian voice (poz/id): announcements will be chime only" >&2
fi
echo "installed: .venv (Python), node_modules (front-end libraries)"
