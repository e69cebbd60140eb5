"""What the index searches alone cost in a kept default bundle, by HNSW ``ef_search``.

Why: `query_scale.py` measures whole `similar()` calls; this measures the floor under them, the
candidate searches a query cannot skip, at the settings higher recall needs, and what computing
every row's neighbours at build time (an item-to-item table) would cost on this machine. It reads a
bundle that `query_scale.py --bundle-out` kept, so nothing is rebuilt:

    .venv/bin/python bench/query_floor.py --bundle /path/to/kept-1M-bundle

Per-query figures: one thread (as a server worker runs a query), seeded catalog rows, every row
searched once at the largest ``ef_search`` first so the memory-mapped stores are paged in.
Table figures: one batch of rows searched on all cores, scaled to the whole catalog.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from query_scale import RESULTS, machine  # noqa: E402

from ytrec.artifact.bundle import Bundle  # noqa: E402
from ytrec.index.base import SearchParams  # noqa: E402

DEPTH = 41  # what similar(k=10) asks each weighted store for: k * oversample + the query itself
GRAPHS = ("title", "thumbnail")


def p50_ms(search, queries: list) -> float:
    times = []
    for query in queries:
        start = time.perf_counter()
        search(query)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def measure(bundle: Bundle, queries: int, efs: list[int], table_efs: list[int], batch: int, seed: int,
            log) -> dict:
    stores, n = bundle.stores, len(bundle.catalog)
    rows = np.random.default_rng(seed).choice(n, size=min(queries, n), replace=False)
    out: dict = {"catalog": n, "queries": len(rows), "per_query_p50_ms": {}, "table_s_per_catalog": {}}
    faiss.omp_set_num_threads(1)
    for name in GRAPHS:
        store = stores[name]
        probes = [store.row_query(int(r)) for r in rows]
        p50_ms(lambda q: store.search(q, DEPTH, SearchParams(ef_search=max(efs))), probes)  # page in
        for ef in efs:
            params = SearchParams(ef_search=ef)
            out["per_query_p50_ms"][f"{name} ef_search {ef}"] = round(p50_ms(lambda q: store.search(q, DEPTH, params), probes), 3)
            log(f"{name} ef_search {ef}: {out['per_query_p50_ms'][f'{name} ef_search {ef}']} ms")
    lexical = stores["title_lexical"]
    probes = [lexical.row_query(int(r)) for r in rows]
    p50_ms(lambda q: lexical.search(q, DEPTH), probes)
    out["per_query_p50_ms"]["title_lexical candidates"] = round(p50_ms(lambda q: lexical.search(q, DEPTH), probes), 3)
    log(f"title_lexical: {out['per_query_p50_ms']['title_lexical candidates']} ms")
    cores = os.cpu_count() or 1
    faiss.omp_set_num_threads(cores)
    chosen = np.random.default_rng(seed + 1).choice(n, size=min(batch, n), replace=False)
    for name in GRAPHS:
        store = stores[name]
        vectors = np.stack([np.asarray(store.row_query(int(r)), dtype=np.float32).reshape(-1) for r in chosen])
        for ef in table_efs:
            start = time.perf_counter()
            store.search(vectors, DEPTH, SearchParams(ef_search=ef))
            seconds = (time.perf_counter() - start) / len(chosen) * n
            out["table_s_per_catalog"][f"{name} ef_search {ef}, {cores} cores"] = round(seconds, 1)
            log(f"table {name} ef_search {ef}: {seconds:.0f} s for {n} rows")
    # the lexical candidates run one query per thread; the cores split the rows
    lexical_ms = out["per_query_p50_ms"]["title_lexical candidates"]
    out["table_s_per_catalog"][f"title_lexical, {cores} cores (from the per-query p50)"] = round(lexical_ms * n / 1000 / cores, 1)
    return out


def table(result: dict, header: str) -> str:
    lines = [f"# Query floor: {result['catalog']:,} videos", "", header, "",
             "| search (one thread, depth 41) | p50 ms |", "|---|---|"]
    lines += [f"| {name} | {ms} |" for name, ms in result["per_query_p50_ms"].items()]
    lines += ["", "| every row's neighbours at build time | seconds |", "|---|---|"]
    lines += [f"| {name} | {s:,.0f} |" for name, s in result["table_s_per_catalog"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, required=True, help="a bundle query_scale.py --bundle-out kept")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--ef", default="128,256,384,512", help="HNSW ef_search values")
    parser.add_argument("--table-ef", default="128,384", help="ef_search values for the build-time table estimate")
    parser.add_argument("--batch", type=int, default=4000, help="rows searched to estimate the build-time table")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "query_floor.md")
    args = parser.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    header = machine()
    result = measure(Bundle.load(args.bundle), args.queries, [int(e) for e in args.ef.split(",")],
                     [int(e) for e in args.table_ef.split(",")], args.batch, args.seed, log)
    text = table(result, header) + f"\n\nLoad average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"machine": header, **result}, indent=2))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
