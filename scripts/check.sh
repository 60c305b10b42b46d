#!/usr/bin/env bash
# The static checks, in one command (make check, pre-commit, and the first step of make test):
# lint, formatting, types of the shared and Rasa-side packages, the import contracts, the training data.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "» ruff check"
.venv/bin/ruff check .
echo "» ruff format --check"
.venv/bin/ruff format --check .
echo "» mypy (kernel, bot, actions)"
.venv/bin/mypy
echo "» import contracts"
.venv/bin/lint-imports --no-cache
echo "» rasa data validate"
.venv/bin/python scripts/validate_data.py
