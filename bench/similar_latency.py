"""In-process ``Recommender.similar()`` latency of real bundles (the demo's), per mode.

Why: the issue's small-catalog target is a built bundle's own query path, which `query_scale.py`
(synthetic stores) does not measure. Several bundles are measured interleaved, round by round,
so a before/after pair shares the machine's state; each round times every mode over the same
query videos, and the figure is the median of the rounds' p50 (one busy round moves it little).

    .venv/bin/python bench/similar_latency.py BUNDLE [BUNDLE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import faiss

sys.path.insert(0, str(Path(__file__).resolve().parent))
from query_scale import RESULTS, machine  # noqa: E402

from ytrec.core.recommender import Recommender  # noqa: E402

MODES = ("hybrid", "thumbnail", "title")


def measure(paths: list[Path], rounds: int, videos: int, repeats: int) -> dict:
    faiss.omp_set_num_threads(1)  # one query per request, as a server worker runs it
    recommenders = {str(p): Recommender.open(p) for p in paths}
    p50s = {(p, m): [] for p in recommenders for m in MODES}
    p99s = {key: [] for key in p50s}
    for recommender in recommenders.values():  # warm-up: models, caches, pages
        for video in recommender.catalog.video_ids[:20]:
            for mode in MODES:
                recommender.similar(video, k=10, mode=mode)
    for _ in range(rounds):
        for path, recommender in recommenders.items():
            ids = recommender.catalog.video_ids[:videos]
            for mode in MODES:
                times = []
                for _ in range(repeats):
                    for video in ids:
                        start = time.perf_counter()
                        recommender.similar(video, k=10, mode=mode)
                        times.append(time.perf_counter() - start)
                times.sort()
                p50s[(path, mode)].append(statistics.median(times) * 1000)
                p99s[(path, mode)].append(times[int(len(times) * 0.99)] * 1000)
    return {path: {mode: {"p50_ms": round(statistics.median(p50s[(path, mode)]), 3),
                          "p99_ms": round(statistics.median(p99s[(path, mode)]), 3),
                          "round_p50s_ms": [round(x, 3) for x in p50s[(path, mode)]]} for mode in MODES}
            for path in recommenders}


def table(result: dict, header: str) -> str:
    lines = ["# similar() latency, in-process, one Faiss thread", "", header, "",
             "| bundle | mode | p50 ms | p99 ms | rounds' p50 |", "|---|---|---|---|---|"]
    for path, modes in result.items():
        for mode, row in modes.items():
            lines.append(f"| {path} | {mode} | {row['p50_ms']} | {row['p99_ms']} | "
                         f"{' '.join(str(x) for x in row['round_p50s_ms'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundles", type=Path, nargs="+")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--videos", type=int, default=100, help="query videos (the catalog's first)")
    parser.add_argument("--repeats", type=int, default=3, help="calls per video and mode in a round")
    parser.add_argument("--out", type=Path, default=RESULTS / "similar_latency.md")
    args = parser.parse_args(argv)
    header = machine()
    result = measure(args.bundles, args.rounds, args.videos, args.repeats)
    text = table(result, header) + f"\n\nLoad average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"machine": header, "bundles": result}, indent=2))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
