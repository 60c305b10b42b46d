#!/usr/bin/env bash
# Installs what is missing: the Python 3.10 venv and the pinned packages (only when requirements.txt
# changed). Safe to run again; the run and test commands call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  echo "» creating .venv with Python 3.10"
  # grep without -q reads all of pyenv's output: with -q and pipefail, pyenv's SIGPIPE failed the test
  if command -v pyenv >/dev/null 2>&1 && pyenv versions --bare 2>/dev/null | grep -x '3.10.13' >/dev/null; then
    PYENV_VERSION=3.10.13 python3.10 -m venv .venv
  else
    python3.10 -m venv .venv
  fi
fi

stamp=.venv/.requirements.sha256
want=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "» installing Python packages (first run takes a few minutes)"
  # no `-U pip wheel`: a new wheel pulls a packaging release that rasa 3.6 refuses (packaging<21)
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$stamp"
fi
# schemathesis (the OpenAPI fuzz test, tests/courtdata/test_schemathesis.py) cannot share .venv with Rasa 3.6
# (jsonschema pins, requirements-schemathesis.txt): its own venv, also only when its requirements changed
st_stamp=.venv-schemathesis/.requirements.sha256
st_want=$(sha256sum requirements-schemathesis.txt | cut -d' ' -f1)
if [ "$(cat "$st_stamp" 2>/dev/null)" != "$st_want" ]; then
  echo "» installing schemathesis into .venv-schemathesis"
  [ -x .venv-schemathesis/bin/python ] || .venv/bin/python -m venv .venv-schemathesis
  .venv-schemathesis/bin/pip install -q --disable-pip-version-check -r requirements-schemathesis.txt
  echo "$st_want" > "$st_stamp"
fi
mkdir -p var models
