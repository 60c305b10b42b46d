#!/usr/bin/env bash
# The one run command (README): install what is missing, train when data or config changed,
# start the whole assistant with embedded defaults, print where to talk to it. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/train.sh
# Settings: .env.example holds the embedded defaults, .env (optional, not committed) overrides them,
# and secrets nobody set are generated once into var/run.env (scripts/secrets.sh).
bash scripts/secrets.sh
set -a
. ./.env.example
. ./var/run.env
[ -f .env ] && . ./.env
set +a
export COURT_API_KEY="${COURT_API_KEY:-$COURTDATA_API_KEY}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
# var/ holds conversations (tracker.db), work orders (desk.db), the SMS outbox and audit logs: files the
# processes create there are readable by this user only
umask 077
exec .venv/bin/honcho -f Procfile start
