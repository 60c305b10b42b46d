#!/usr/bin/env bash
# Trains models/court.tar.gz. Rasa's own fingerprint skips training when config, domain and data are
# unchanged, but it does not see our components' code or the jieba dictionary: a hash of those forces
# a new training when they change.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
mkdir -p models
inputs=$(cat bot/dict/* kernel/nlu/*.py bot/components/*.py | sha256sum | cut -d' ' -f1)
force=()
if [ "$(cat models/.components.sha256 2>/dev/null)" != "$inputs" ] || [ ! -f models/court.tar.gz ]; then
  force=(--force)
fi
.venv/bin/rasa train --config config.yml --domain domain.yml --data data \
  --out models --fixed-model-name court "${force[@]}" "$@"
echo "$inputs" > models/.components.sha256
