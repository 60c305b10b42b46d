#!/usr/bin/env bash
# The one test command (README, .ci/run): lint, Rasa data validation, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/ensure_chromium.sh
echo "» ruff"
.venv/bin/ruff check .
echo "» rasa data validate"
.venv/bin/python scripts/validate_data.py
echo "» pytest"
# after the data validation: Rasa warns about TF_DETERMINISTIC_OPS (for GPUs), and that check fails on any warning
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/pytest -p no:cacheprovider "$@"
