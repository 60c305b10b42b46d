#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (no browser download at run time).
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "» installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
