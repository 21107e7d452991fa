#!/usr/bin/env bash
# The browser tests need Chromium. Playwright's own download cannot work on a closed network, so on Debian (as root)
# this installs Debian's Chromium when it is missing; elsewhere it leaves the choice to playwright.config.ts
# (CHROMIUM_PATH, /usr/bin/chromium, or Playwright's own browser after `npx playwright install chromium`).
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's Chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "No /usr/bin/chromium: the browser tests will use Playwright's own Chromium (install it once with 'npx playwright install chromium'), or set CHROMIUM_PATH."
