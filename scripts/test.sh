#!/usr/bin/env bash
# The project's whole check: set-up, lint (ruff), types (mypy), generated-code drift, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
echo "== ruff"; ruff check .
echo "== mypy"; mypy packages/*/src
echo "== proto drift"; scripts/proto.sh --check
echo "== pytest"
exec pytest -n auto -q "$@"
