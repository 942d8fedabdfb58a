#!/usr/bin/env bash
# Makes sure Debian's headless-capable Chromium is installed at /usr/bin/chromium, for the consumer
# gateway's live-page test (driven by playwright-core, which ships no browser). Installs the Debian
# package `chromium` with apt-get when it is missing (needs root). Idempotent; prints the version.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is missing and installing it needs root: sudo apt-get install -y chromium" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core
fi
# The Debian wrapper script prints shell noise on some systems; the version line is the last one.
chromium --version 2>/dev/null | tail -n 1
