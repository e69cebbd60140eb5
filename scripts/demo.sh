#!/usr/bin/env bash
# One command from a fresh clone: install, build the sample catalog's model + indexes,
# print recommendations, then serve the web page (Ctrl-C to stop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
exec .venv/bin/ytrec demo "$@"
