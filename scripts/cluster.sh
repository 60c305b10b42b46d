#!/usr/bin/env bash
# `make cluster`: the production topology on this machine (docs/cluster.md). HAProxy on CLUSTER_PORT
# (5005) in front of two Rasa replicas and, on CLUSTER_ACTIONS_PORT (5055), two action servers; the stores
# on the local PostgreSQL, Redis and RabbitMQ. scripts/cluster.py starts and supervises the processes.
# CLUSTER_MODEL=path uses that trained model and skips installing and training.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v haproxy >/dev/null 2>&1; then
  echo "HAProxy is not installed: apt-get install -y haproxy (Debian's package, 2.6 or later)" >&2
  exit 1
fi
if [ -z "${CLUSTER_MODEL:-}" ]; then
  bash scripts/setup.sh
  bash scripts/train.sh
fi
bash scripts/secrets.sh
# Settings, later ones winning: .env.example, deploy/cluster.env, var/run.env, .env, then whatever the
# caller exported (so a test or an operator can set any of them for one run).
caller=$(export -p)
set -a
. ./.env.example
. ./deploy/cluster.env
. ./var/run.env
[ -f .env ] && . ./.env
set +a
eval "$caller"
export COURT_API_KEY="${COURT_API_KEY:-$COURTDATA_API_KEY}"
exec .venv/bin/python scripts/cluster.py
