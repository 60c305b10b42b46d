#!/usr/bin/env bash
# The fast tier (make test-fast, and the first pytest step of make test): every test that needs no
# trained model and no browser — units, actions on fake clients, the services on SQLite and on the
# local PostgreSQL/Redis/RabbitMQ. Two workers (pytest-xdist): the tests keep no shared state between
# them (private PostgreSQL schemas, prefixed Redis keys, ephemeral ports). FAST_WORKERS=0 runs in one.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_DETERMINISTIC_OPS=1 PYTHONHASHSEED=0 TF_CPP_MIN_LOG_LEVEL=2
exec .venv/bin/pytest -p no:cacheprovider -m "not slow and not browser" -n "${FAST_WORKERS:-2}" "$@"
