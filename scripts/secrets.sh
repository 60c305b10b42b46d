#!/usr/bin/env bash
# Secrets nobody set are generated once into var/run.env (not committed), so that `make run`,
# `make cluster` and helper scripts such as the WeChat simulator read the same values. echo and cat
# are builtins or read a here-document: no secret is ever on a process's command line.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077  # the secrets file is the owner's only
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
# a var/run.env from before the action server required its token gets one
if ! grep -q '^ACTION_SERVER_TOKEN=' var/run.env; then
  echo "ACTION_SERVER_TOKEN=$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')" >> var/run.env
fi
chmod 600 var/run.env  # also one written before this rule
