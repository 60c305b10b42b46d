#!/usr/bin/env bash
# Trains models/court.tar.gz; Rasa's own fingerprinting skips training when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/rasa train --config config.yml --domain domain.yml --data data \
  --out models --fixed-model-name court "$@"
