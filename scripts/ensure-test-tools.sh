#!/usr/bin/env bash
# The browser tests need Chromium, and the journeys against other tus servers need nginx (as a proxy with its default
# body limit). Playwright's own download cannot work on a closed network, so on Debian (as root) this installs what
# is missing from Debian: `chromium` when /usr/bin/chromium is missing, `nginx-light` when /usr/sbin/nginx is, and
# Ceph (monitor, OSD, RADOS Gateway, tools) and redis-server for the receiver on object storage.
# Elsewhere it leaves the choice of browser to playwright.config.ts (CHROMIUM_PATH, /usr/bin/chromium, or
# Playwright's own browser after `npx playwright install chromium`), and nginx to NGINX_PATH.
set -euo pipefail
missing=()
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
if [ -z "${NGINX_PATH:-}" ] && [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx-light)
fi
# The receiver on object storage is tested against a one-node in-memory Ceph with its RADOS Gateway, and its
# instances share a lock through Redis.
for tool in ceph-mon ceph-osd radosgw ceph-common redis-server; do
  case "$tool" in
    ceph-common) binary=/usr/bin/ceph ;;
    *) binary=/usr/bin/$tool ;;
  esac
  if [ ! -x "$binary" ]; then
    missing+=("$tool")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
for tool in "${missing[@]}"; do
  case "$tool" in
    chromium)
      echo "No /usr/bin/chromium: the browser tests will use Playwright's own Chromium (install it once with 'npx playwright install chromium'), or set CHROMIUM_PATH."
      ;;
    nginx-light)
      echo "No /usr/sbin/nginx: the journeys through a proxy need nginx; install it (Debian: nginx-light) or set NGINX_PATH."
      ;;
    *)
      echo "No $tool: the receiver's object-storage tests need Debian's $tool (ceph-mon ceph-osd radosgw ceph-common redis-server)."
      ;;
  esac
done
