#!/usr/bin/env bash
# One command from a fresh clone: system packages for the browser tests, the venv, the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! [[ -x /usr/bin/chromium ]] || ! fc-list 2>/dev/null | grep -qi "Noto Sans Sinhala" || ! fc-list 2>/dev/null | grep -qi "Noto Color Emoji"; then
  # Debian's Chromium drives the browser tests; fonts-noto-core gives it Sinhala and Tamil glyphs,
  # fonts-noto-color-emoji the emoji that real titles carry.
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-core fonts-noto-color-emoji
  else
    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-core fonts-noto-color-emoji
  fi
fi
bash scripts/setup.sh --test
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
exec .venv/bin/python -m pytest "$@"
