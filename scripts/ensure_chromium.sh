#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through Playwright (no browser download at run time).
set -euo pipefail
# fonts-wqy-microhei: without a Chinese font, pages and screenshots show boxes instead of characters.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
  echo "» installing Debian's chromium and a Chinese font for the browser tests"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi
