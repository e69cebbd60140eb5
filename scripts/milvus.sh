#!/usr/bin/env bash
# A local Milvus 2.3.5 standalone server (pip package `milvus`) for development and benchmarks.
#   bash scripts/milvus.sh start DIR   start one with its data in DIR; prints its URI
#   bash scripts/milvus.sh stop DIR    stop it (SIGTERM, then SIGKILL after 30 s)
#   bash scripts/milvus.sh uri DIR     print the URI of the one running from DIR
# Only one can run per machine (its embedded etcd's port 2380 is fixed).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
if [[ $# -ne 2 ]]; then
  echo "usage: bash scripts/milvus.sh start|stop|uri DIR" >&2
  exit 2
fi
PYTHONPATH="$root/src${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m ytrec.milvus.server "$1" "$2"
