#!/usr/bin/env bash
# Trains models/court.tar.gz. Rasa's own fingerprint skips training when config, domain and data are
# unchanged, but it does not see the jieba dictionary or the kernel rules our components run: a digest
# of those (bot/components/sources.py) forces a new training when they change, and only then.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
mkdir -p models
inputs=$(.venv/bin/python -m bot.components.sources)
force=()
if [ "$(cat models/.components.sha256 2>/dev/null)" != "$inputs" ] || [ ! -f models/court.tar.gz ]; then
  force=(--force)
fi
.venv/bin/rasa train --config config.yml --domain domain.yml --data data \
  --out models --fixed-model-name court "${force[@]}" "$@"
echo "$inputs" > models/.components.sha256
