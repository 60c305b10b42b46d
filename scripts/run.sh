#!/usr/bin/env bash
# The one run command (README): install what is missing, train when data or config changed,
# start the whole assistant with embedded defaults, print where to talk to it. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/train.sh
[ -f .env ] && set -a && . ./.env && set +a
export RASA_TOKEN="${RASA_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')}"
export RASA_ENDPOINTS="${RASA_ENDPOINTS:-endpoints.yml}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
exec .venv/bin/honcho -f Procfile start
