#!/usr/bin/env bash
# Installs what the bpmn-js browser test needs: Debian's Chromium and the npm packages pinned in
# tests/browser/package-lock.json (bpmn-js, puppeteer-core). No browser is downloaded by npm.
# Idempotent: each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install_browser_test: need root (or sudo) to run: $*" >&2; return 1; fi
}

need=()
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "install_browser_test: installing Debian packages: ${need[*]}"
  if [ ! -f /tmp/.phasegate-apt-updated ]; then as_root apt-get update -qq && touch /tmp/.phasegate-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cd tests/browser
stamp=node_modules/.phasegate-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "install_browser_test: npm ci in tests/browser"
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch "$stamp"
fi
