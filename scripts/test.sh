#!/usr/bin/env bash
# The one test command (README, .ci/run). Cheapest first, stopping at the first failing step:
# static checks, then the fast tier, then what trains a model, starts processes or drives a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/check.sh
echo "» pytest: fast tier (no training, no browser)"
bash scripts/test_fast.sh "$@"
bash scripts/ensure_system_packages.sh
echo "» pytest: trained model, several processes, browser"
# Rasa warns about TF_DETERMINISTIC_OPS (meant for GPUs); it is set only now, after the data validation,
# which fails on any warning
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
status=0
.venv/bin/pytest -p no:cacheprovider -m "slow or browser" "$@" || status=$?
# 5 = nothing collected: arguments that name only fast tests
[ "$status" -eq 5 ] && status=0
exit "$status"
