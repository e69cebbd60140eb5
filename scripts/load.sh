#!/usr/bin/env bash
# The load benchmark in one command: a real `ytrec serve` on a free loopback port, wrk driving it
# (recommendations, one connection, the mix). The bundle is the demo bundle (built once by
# `ytrec demo --no-serve`) unless --bundle PATH names another (e.g. the 1M-video bundle of
# bench/query_scale.py; add --scenarios recommendations to skip the rest).
# Other arguments go to bench/serve_load.py (e.g. --workers 2, --baseline-src OLD/src, --profile FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "scripts/load.sh needs wrk, the load generator: apt-get install -y wrk (Debian/Ubuntu)" >&2
  exit 2
fi
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
PYTHON="${PYTHON:-.venv/bin/python}"
for arg in "$@"; do
  if [[ "$arg" == --bundle || "$arg" == --bundle=* ]]; then
    exec "$PYTHON" bench/serve_load.py "$@"
  fi
done
[[ -f demo-output/bundle/manifest.json ]] || "$PYTHON" -m ytrec.cli demo --workdir demo-output --no-serve >&2
exec "$PYTHON" bench/serve_load.py --bundle demo-output/bundle "$@"
