#!/usr/bin/env bash
# The whole suite: unit and state tests, then browser tests against the app in production mode.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
echo "== unit and state tests (SQLite)"
$BIN/pytest tests/unit tests/state -q -p no:cacheprovider || status=1
echo "== browser tests (production build)"
$BIN/pytest tests/e2e -q -p no:cacheprovider || status=1
exit $status
