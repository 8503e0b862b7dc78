#!/usr/bin/env bash
# Install what Antrean needs on a Debian/Ubuntu machine: system packages and the Python virtual
# environment (.venv) with the project. The front-end libraries are in the package
# (shared/web/static/vendor/, copied by scripts/vendor.py), so running needs no npm; the tests
# compare them with npm's (package-lock.json), so --test also runs `npm ci`.
#   bash scripts/install.sh          # to run the system
#   bash scripts/install.sh --test   # also what the tests need (chromium, npm, test libraries)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

need=()
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
if [ "$want_test" = 1 ]; then
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # the nginx configuration of docs/deployment.md is tested in front of two server processes
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
  # the PDFs (posters, reports) are rendered to images and their text read back in the tests
  command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
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
# tests/unit/test_vendor_files.py: the vendored front-end files equal npm's
if [ "$want_test" = 1 ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
# spoken announcements: pyttsx3 uses espeak-ng's Indonesian voice (poz/id) on Linux
if command -v espeak-ng >/dev/null 2>&1; then
  espeak-ng --voices=id 2>/dev/null | grep -q "poz/id" \
    || echo "warning: espeak-ng has no Indonesian voice (poz/id): announcements will be chime only" >&2
fi
if [ "$want_test" = 1 ]; then
  echo "installed: .venv (Python, with the test libraries), node_modules (to check the vendored front-end files)"
else
  echo "installed: .venv (Python)"
fi
