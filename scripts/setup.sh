#!/usr/bin/env bash
# Create .venv in the repo root and install ytrec into it (idempotent).
#   scripts/setup.sh          runtime + offline title model + Milvus client
#   scripts/setup.sh --test   also the test tools (pytest, playwright, datasets, a Milvus server)
# torch is pinned in the same pip command: otherwise sentence-transformers pulls a multi-GB
# CUDA build of a newer torch. Override with TORCH_SPEC="torch==X" for another build.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="offline,hf,milvus"
[[ "${1:-}" == "--test" ]] && extras="offline,hf,milvus,test"
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "${TORCH_SPEC:-torch==2.13.0}" -e ".[${extras}]"
