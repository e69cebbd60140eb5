"""Lexical store at catalog scale: build time, bytes per title, load time, query latency.

For each size (default 10k, 100k, 1M synthetic titles from ``title_text.py``) builds the
``lexical_inverted`` store, saves it (the files are its memory: memory-mapped when loaded), loads
it back memory-mapped as a server does, and times on one thread, one query at a time, with
catalog titles as queries ("more like this"):

- **candidates**: the word index's top ``candidates`` (100, the default) for a title;
- **search k=10**: candidates + exact rescoring + top 10 (what ``search`` serves);
- **similarity 41 rows**: exact scores of 41 arbitrary rows (the recommender's rescoring of a
  pool: k=10 x oversample 4 + 1);
- **pairwise 40 rows**: the 40x40 similarities duplicate collapse / MMR read.

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
    times = []
    for item in repeats:
        started = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - started)
    ms = np.array(times) * 1e3
    return {"p50_ms": round(float(np.median(ms)), 3), "p99_ms": round(float(np.percentile(ms, 99)), 3)}


def folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def measure(n: int, queries: int, baseline: bool, seed: int) -> dict:
    titles = synthetic_titles(n, seed)
    chars = float(np.mean([len(t) for t in titles]))
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, n, size=queries)
    pools = [rng.integers(0, n, size=41) for _ in range(queries)]
    result: dict = {"titles": n, "mean_title_chars": round(chars, 1)}
    started = time.perf_counter()
    built = LexicalIndexStore.build("title_lexical", titles)
    result["build_s"] = round(time.perf_counter() - started, 1)
    with tempfile.TemporaryDirectory() as tmp:
        built.save(Path(tmp))
        meta = built.describe()
        del built
        result["bytes"] = folder_bytes(Path(tmp))
        result["bytes_per_title"] = round(result["bytes"] / n, 1)
        result["index_bytes"] = folder_bytes(Path(tmp) / "title_lexical_index")
        started = time.perf_counter()
        store = load_store("title_lexical", Path(tmp), meta)
        result["load_ms"] = round((time.perf_counter() - started) * 1e3, 1)
        result["in_process_bytes"] = int(store.row_of_id.nbytes + store.doc_ids.nbytes)
        used = int(np.count_nonzero(np.asarray(store.stats.df)))
        result["term_ids_used"] = {"count": used, "share_of_hash_space": round(used / store.dimension, 4)}
        depth = store.config.depth(10)
        texts = [store.titles[int(r)] for r in rows]
        for text in texts[:5]:  # warm-up
            store.search(store.encode([text]), 10)
        result["candidates"] = {"depth": depth, **timed(lambda t: store.words.candidates(t, depth), texts)}
        result["search_k10"] = timed(lambda t: store.search(store.encode([t]), 10), texts)
        query_pools = list(zip(texts, pools))
        result["similarity_41"] = timed(lambda tp: store.similarity(store.encode([tp[0]]), tp[1]), query_pools)
        result["pairwise_40"] = timed(lambda tp: store.pairwise(tp[1][:40]), query_pools)
        result["estimate_bytes"] = estimate_bytes(n, chars)
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
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="bench/results/lexical_speed.json")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    baseline_sizes = {int(s) for s in args.baseline_sizes.split(",") if s}
    report = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "load_average_start": os.getloadavg(), "sizes": []}
    for n in (int(s) for s in args.sizes.split(",")):
        print(f"measuring {n} titles", file=sys.stderr)
        report["sizes"].append(measure(n, args.queries, n in baseline_sizes, args.seed))
        print(json.dumps(report["sizes"][-1]), file=sys.stderr)
    report["load_average_end"] = os.getloadavg()
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("| titles | build s | bytes/title | load ms | candidates p50/p99 ms | search k=10 p50/p99 ms "
          "| similarity 41 rows p50 ms | pairwise 40 p50 ms | previous store search p50 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in report["sizes"]:
        old = r.get("baseline_search_k10", {}).get("p50_ms", "-")
        print(f"| {r['titles']:,} | {r['build_s']} | {r['bytes_per_title']} | {r['load_ms']} "
              f"| {r['candidates']['p50_ms']} / {r['candidates']['p99_ms']} | {r['search_k10']['p50_ms']} / {r['search_k10']['p99_ms']} "
              f"| {r['similarity_41']['p50_ms']} | {r['pairwise_40']['p50_ms']} | {old} |")


if __name__ == "__main__":
    main()
