"""Lexical store at catalog scale: build time, bytes per title, load time, query latency.

For each size (default 10k, 100k, 1M synthetic titles from ``title_text.py``) and each way of
scoring (``--term-vectors``: stored vectors, recomputed from titles, or what the store picks by
size) builds the ``lexical_inverted`` store, saves it (the files are its memory: memory-mapped when
loaded), loads it back memory-mapped as a server does, and times on one thread, one query at a
time, with catalog row queries ("more like this", as ``Recommender.similar`` asks), thread CPU
time (``time.thread_time``: meaningful on a shared machine) beside wall time:

- **candidates**: the word index's top ``depth`` (200, the default) for a title;
- **search k=41**: candidates + exact rescoring + top 41 (what ``similar(k=10)`` asks for: k x
  oversample 4 + 1);
- **pool 120 rows**: exact scores of the search's 41 rows plus 79 arbitrary rows right after it
  (the recommender's rescoring of a pool that the other signals' hits join);
- **pairwise 20 rows**: the 20x20 similarities duplicate collapse reads (2k, k=10).

The previous store (``tfidf_char``: sparse product against every title) is measured in the same
run at the sizes given by ``--baseline-sizes`` (its build and per-query cost grow with the
catalog: ~3 s a query at 1M).

    PYTHONPATH=src .venv/bin/python bench/lexical_speed.py --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from title_text import synthetic_titles  # noqa: E402

from ytrec.index.lexical import LexicalIndexStore, estimate_bytes  # noqa: E402
from lexical_baseline import LexicalStore  # noqa: E402
from ytrec.index.registry import load_store  # noqa: E402


def timed(fn, repeats: list) -> dict[str, float]:
    wall, cpu = [], []
    for item in repeats:
        started, started_cpu = time.perf_counter(), time.thread_time()
        fn(item)
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    ms, cpu_ms = np.array(wall) * 1e3, np.array(cpu) * 1e3
    return {"p50_ms": round(float(np.median(ms)), 3), "p99_ms": round(float(np.percentile(ms, 99)), 3),
            "cpu_p50_ms": round(float(np.median(cpu_ms)), 3), "cpu_p99_ms": round(float(np.percentile(cpu_ms, 99)), 3)}


def folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def measure(n: int, queries: int, baseline: bool, seed: int, term_vectors: bool | None) -> dict:
    titles = synthetic_titles(n, seed)
    chars = float(np.mean([len(t) for t in titles]))
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, size=queries)
    others = [rng.integers(0, n, size=79) for _ in range(queries)]
    result: dict = {"titles": n, "mean_title_chars": round(chars, 1)}
    started, started_cpu = time.perf_counter(), time.process_time()
    built = LexicalIndexStore.build("title_lexical", titles, term_vectors=term_vectors)
    result["build_s"] = round(time.perf_counter() - started, 1)
    result["build_cpu_s"] = round(time.process_time() - started_cpu, 1)
    with tempfile.TemporaryDirectory() as tmp:
        built.save(Path(tmp))
        meta = built.describe()
        result["term_vectors"] = meta["term_vectors"]
        del built
        result["bytes"] = folder_bytes(Path(tmp))
        result["bytes_per_title"] = round(result["bytes"] / n, 1)
        result["index_bytes"] = folder_bytes(Path(tmp) / "title_lexical_index")
        started, started_cpu = time.perf_counter(), time.thread_time()
        store = load_store("title_lexical", Path(tmp), meta)
        result["load_ms"] = round((time.perf_counter() - started) * 1e3, 1)
        result["load_cpu_ms"] = round((time.thread_time() - started_cpu) * 1e3, 1)
        result["in_process_bytes"] = int(store.row_of_id.nbytes + store.doc_ids.nbytes)
        used = int(np.count_nonzero(np.asarray(store.stats.df)))
        result["term_ids_used"] = {"count": used, "share_of_hash_space": round(used / store.dimension, 4)}
        depth = store.config.depth(41)
        for row in rows[:5]:  # warm-up
            store.search(store.row_query(int(row)), 41)
        texts = [store.titles[int(r)] for r in rows]
        result["candidates"] = {"depth": depth, **timed(lambda t: store.words.candidates(t, depth, store.config.candidate_tokens), texts)}

        def search_then_pool(item):
            query = store.row_query(int(item[0]))
            _, found = store.search(query, 41)
            store.similarity(query, np.concatenate([found[0][found[0] >= 0], item[1]]))

        fresh = rows + 1  # rows not searched yet: no cached vectors or scores
        result["search_k41"] = timed(lambda r: store.search(store.row_query(int(r) % n), 41), fresh)
        result["search_and_pool_120"] = timed(search_then_pool, list(zip((fresh + 1) % n, others)))
        result["pairwise_20"] = timed(lambda item: store.pairwise(item[1][:20]), list(zip(rows, others)))
        result["estimate_bytes"] = estimate_bytes(n, chars, result["term_vectors"])
        del store
    if baseline:
        started = time.perf_counter()
        old = LexicalStore.build("title_lexical", titles)
        result["baseline_build_s"] = round(time.perf_counter() - started, 1)
        result["baseline_matrix_bytes"] = int(old.matrix.data.nbytes + old.matrix.indices.nbytes + old.matrix.indptr.nbytes)
        few = [old.encode([t]) for t in texts[: max(5, queries // 10)]]
        result["baseline_search_k10"] = timed(lambda q: old.search(q, 10), few)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--baseline-sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--term-vectors", choices=("auto", "stored", "recomputed", "both"), default="both",
                        help="how the store scores: stored vectors, recomputed from titles, as built by default, or both")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="bench/results/lexical_speed.json")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    baseline_sizes = {int(s) for s in args.baseline_sizes.split(",") if s}
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "load_average_start": os.getloadavg(), "sizes": []}
    modes = {"auto": [None], "stored": [True], "recomputed": [False], "both": [True, False]}[args.term_vectors]
    for n in (int(s) for s in args.sizes.split(",")):
        for i, mode in enumerate(modes):
            print(f"measuring {n} titles, term vectors {mode}", file=sys.stderr)
            report["sizes"].append(measure(n, args.queries, n in baseline_sizes and i == 0, args.seed, mode))
            print(json.dumps(report["sizes"][-1]), file=sys.stderr)
    report["load_average_end"] = os.getloadavg()
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("| titles | vectors | build s (CPU) | bytes/title | load ms (CPU) | candidates CPU p50/p99 ms "
          "| search k=41 CPU p50/p99 ms | search + pool 120 CPU p50 ms | pairwise 20 CPU p50 ms | previous store search p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in report["sizes"]:
        old = r.get("baseline_search_k10", {}).get("p50_ms", "-")
        print(f"| {r['titles']:,} | {'stored' if r['term_vectors'] else 'recomputed'} | {r['build_s']} ({r['build_cpu_s']}) "
              f"| {r['bytes_per_title']} | {r['load_ms']} ({r['load_cpu_ms']}) "
              f"| {r['candidates']['cpu_p50_ms']} / {r['candidates']['cpu_p99_ms']} "
              f"| {r['search_k41']['cpu_p50_ms']} / {r['search_k41']['cpu_p99_ms']} "
              f"| {r['search_and_pool_120']['cpu_p50_ms']} | {r['pairwise_20']['cpu_p50_ms']} | {old} |")


if __name__ == "__main__":
    main()
