#!/usr/bin/env bash
# Runs the whole pytest suite from the repo's venv; a run that collects no test is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
