#!/usr/bin/env bash
# The one run command (README): install what is missing, train when data or config changed,
# start the whole assistant with embedded defaults, print where to talk to it. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/train.sh
# Settings: .env.example holds the embedded defaults, .env (optional, not committed) overrides them,
# and secrets nobody set are generated once into var/run.env (not committed) so that helper scripts
# such as the WeChat simulator can read the same values.
mkdir -p var
if [ ! -f var/run.env ]; then
  gen() { .venv/bin/python -c 'import secrets; print(secrets.token_hex(16))'; }
  aes=$(.venv/bin/python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode()[:43])')
  cat > var/run.env <<ENV
RASA_TOKEN=$(gen)
DESK_API_TOKEN=$(gen)
DESK_SECRET_KEY=$(gen)
CHANNEL_PUSH_TOKEN=$(gen)
WEBCHAT_SECRET=$(gen)
COURTDATA_API_KEY=$(gen)
WECHAT_TOKEN=demo$(gen | cut -c1-12)
WECHAT_APP_ID=wxdemo$(gen | cut -c1-12)
WECHAT_APP_SECRET=$(gen)
WECHAT_ENCODING_AES_KEY=$aes
ACTION_SERVER_TOKEN=$(gen)
ENV
fi
# a var/run.env from before the action server required its token gets one (echo is a builtin: the
# secret is on no process's command line)
if ! grep -q '^ACTION_SERVER_TOKEN=' var/run.env; then
  echo "ACTION_SERVER_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')" >> var/run.env
fi
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
