"""Copy codes at catalog scale: build time, memory, one-thread search latency and recall.

Synthetic codes (``index.copy_synthetic``: channel look-alikes and 2% re-uploads) at each size;
queries are noisy copies of catalog rows shaped as real queries (18 hypotheses, one fitting with
8% of its bits flipped and one strip overlaid) and catalog rows themselves (``row_query``, what
"more like this video" and duplicate collapse ask). Latency is the search's CPU time in this
thread (``time.thread_time``), so other processes on a shared machine inflate it less than wall
time; both are reported, with the load average. Also: encoding a real thumbnail as a query and as
a catalog code (``../shared/data/thumbs-real``), and the store's bytes per video.

    PYTHONPATH=src .venv/bin/python bench/copy_codes.py [--sizes 10000 100000 1000000] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from ytrec.catalog.images import open_thumbnail
from ytrec.index.copy_codes import CODE_BYTES, copy_codes, query_codes
from ytrec.index.copy_store import CopyCodeStore, estimate_bytes
from ytrec.index.copy_synthetic import synthetic_copy_codes, synthetic_copy_queries

THUMBS = Path(__file__).resolve().parents[2] / "shared" / "data" / "thumbs-real" / "images"
QUERIES = 500


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"p50_ms": round(float(np.median(ms)), 4), "p99_ms": round(float(np.percentile(ms, 99)), 4)}


def _timed_searches(store: CopyCodeStore, queries: list[np.ndarray], expected: np.ndarray) -> dict:
    cpu, wall, hits = [], [], 0
    for query, row in zip(queries, expected):
        started_cpu, started = time.thread_time(), time.perf_counter()
        _, rows = store.search(query, 10)
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
        hits += int(rows[0, 0] == row)
    return {"recall@1": hits / len(queries), "cpu": _percentiles(cpu), "wall": _percentiles(wall)}


def measure_size(n: int, seed: int = 0) -> dict:
    codes = synthetic_copy_codes(n, seed=seed)
    started = time.perf_counter()
    store = CopyCodeStore.from_codes("thumbnail_copy", codes)
    store.tables  # built on first use: timed here
    build_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        files = store.save(Path(folder))
        disk = sum((Path(folder) / f).stat().st_size for f in files)
    rows = np.random.default_rng(seed + 1).choice(n, size=min(QUERIES, n), replace=False)
    return {
        "n": n,
        "build_s": round(build_s, 2),
        "bytes_on_disk": disk,
        "bytes_estimate": estimate_bytes(n),
        "code_bytes_per_video": CODE_BYTES,
        "index_bytes_per_video": round((disk - n * CODE_BYTES) / n, 1),
        "noisy_copy_queries": _timed_searches(store, synthetic_copy_queries(codes, rows, seed=seed + 2), rows),
        "row_queries": _timed_searches(store, [store.row_query(int(r)) for r in rows], rows),
    }


def measure_encoding() -> dict:
    images = [open_thumbnail(p) for p in sorted(THUMBS.glob("*.jpg"))]
    started = time.thread_time()
    for img in images:
        query_codes(img)
    per_query = (time.thread_time() - started) / len(images)
    started = time.thread_time()
    copy_codes(images)
    per_code = (time.thread_time() - started) / len(images)
    return {"thumbnails": len(images), "query_encode_cpu_ms": round(per_query * 1000, 3),
            "catalog_code_cpu_ms": round(per_code * 1000, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report = {"load_average": os.getloadavg(), "encoding": measure_encoding(), "sizes": []}
    for n in args.sizes:
        report["sizes"].append(measure_size(n))
        print(json.dumps(report["sizes"][-1]), flush=True)
    report["load_average_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
