#!/usr/bin/env bash
# Installs what phasegate needs on a fresh Debian machine with only Python >= 3.11:
# Graphviz and CJK fonts (Debian packages), a virtual environment and the Python packages.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; return 1; fi
}

apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "setup: no apt-get here; install these yourself: $*" >&2; return 0; fi
  if [ ! -f /tmp/.phasegate-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.phasegate-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
command -v dot >/dev/null || need+=(graphviz)
# (not grep -q: under pipefail its early exit would fail fc-list and reinstall the fonts every time)
{ command -v fc-list >/dev/null && fc-list | grep "Noto Sans CJK" >/dev/null; } || need+=(fonts-noto-cjk fontconfig)
"$PY" -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
{ command -v node >/dev/null && command -v npm >/dev/null; } || need+=(nodejs npm)   # web/assets (phasegate serve)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  apt_install "${need[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PY" -m venv "$VENV"
fi
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]'
  touch "$stamp"
fi
# The message catalogs, compiled once here (engine/i18n.py would compile a missing or stale one itself).
"$VENV/bin/python" -c "from engine.i18n import LANGUAGES, translator; [translator(l) for l in LANGUAGES]"

# The browser libraries `phasegate serve` serves (form-js's viewer, bpmn-js), pinned in
# web/assets/package-lock.json; served from web/assets/node_modules, never from a CDN.
assets=web/assets
if command -v npm >/dev/null && { [ ! -f "$assets/node_modules/.phasegate-installed" ] || \
   [ "$assets/package-lock.json" -nt "$assets/node_modules/.phasegate-installed" ]; }; then
  echo "setup: npm ci in $assets"
  (cd "$assets" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules/.phasegate-installed)
fi
