"""Run the benchmarks and print their Markdown tables (also written to bench/results/).

    .venv/bin/python bench/run_all.py --quick    # 10k + 100k videos, small ingest run: ~20 min on 2 cores
    .venv/bin/python bench/run_all.py --full     # + 1M videos and the 10k-video build: ~90 min

Each part can also run alone (bench/query_scale.py, bench/ingest.py; see their --help).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def run(script: str, args: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(HERE.parent / "src"), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(HERE / script), *args], env=env, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return f"({script} failed with exit code {proc.returncode}; its log is above)"
    return proc.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="10k and 100k videos; ingest on 2k (default)")
    mode.add_argument("--full", action="store_true", help="10k, 100k and 1M videos; ingest on 10k")
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = "10000,100000,1000000" if args.full else "10000,100000"
    parts = ["## Query at scale", run("query_scale.py", ["--sizes", sizes, "--out", str(RESULTS / "query_scale.md")])]
    if not args.skip_ingest:
        ingest = ["--out", str(RESULTS / "ingest.md")] + ([] if args.full else ["--build-videos", "2000", "--skip-original"])
        parts += ["## Ingest", run("ingest.py", ingest)]
    text = "\n\n".join(parts)
    (RESULTS / "summary.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
