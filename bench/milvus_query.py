"""Milvus backend vs local Faiss at catalog scale: ingest rate, hybrid similar() latency, QPS, memory.

Same synthetic catalog as ``query_scale.py`` (64-d thumbnail + 768-d title vectors from the
clustered generator), in the same run:

- **Faiss, default**: the stores ``ytrec build`` picks for this size (``--index auto``);
- **Faiss, exact**: flat stores, the truth for recall@10;
- **Milvus**: one collection per signal (HNSW M=16 efConstruction=200, ef=128; what ``ytrec
  publish`` creates) on the server at ``--uri``, read through the same ``Recommender``.

Measured: Milvus ingest (rows/s inserted, then flush + index + load time), p50/p95 latency of
``Recommender.similar(video_id, k=10)`` (one request at a time), QPS with ``--threads`` concurrent
requests, recall@10 against exact, and memory: the Milvus server's resident memory growth per
collection (``/proc/PID/status`` VmRSS, so the server must run on this machine:
``bash scripts/milvus.sh start DIR``) vs the Faiss index bytes.

    bash scripts/milvus.sh start /tmp/milvus-bench
    .venv/bin/python bench/milvus_query.py --uri http://127.0.0.1:19530 --pid-file /tmp/milvus-bench/ytrec-milvus.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

import faiss
import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from catalog_vectors import THUMBNAIL_PROFILE, TITLE_PROFILE, clustered_vectors  # noqa: E402
from query_scale import THUMB_D, TITLE_D, latency, make_bundle, pct, recall  # noqa: E402

from ytrec.catalog.catalog import CORE_COLUMNS, Catalog  # noqa: E402
from ytrec.core.recommender import Recommender  # noqa: E402
from ytrec.index.auto import build_store, plan_indexes  # noqa: E402
from ytrec.milvus.connection import MilvusTarget, client_for  # noqa: E402
from ytrec.milvus.publish import _alias_target, fill_collection  # noqa: E402
from ytrec.milvus.store import VectorSpec, video_pks  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
K = 10
CHUNK = 20_000


def make_catalog(n: int, channels: int) -> Catalog:
    ids = [f"v{i:07d}" for i in range(n)]
    data = {c: pa.nulls(n, pa.string()) for c in CORE_COLUMNS}
    data["video_id"] = pa.array(ids)
    data["title"] = pa.array(ids)
    data["channel"] = pa.array([f"c{i % channels:05d}" for i in range(n)])
    return Catalog(pa.table(data))


def server_rss(pid_file: Path | None) -> int | None:
    if pid_file is None:
        return None
    pid = json.loads(pid_file.read_text())["pid"]
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def concurrent_qps(recommender: Recommender, ids: list[str], threads: int, seconds: float) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        i = slot
        while time.perf_counter() < stop:
            recommender.similar(ids[i % len(ids)], k=K)
            done[slot] += 1
            i += threads

    pool = [threading.Thread(target=worker, args=(s,)) for s in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", required=True)
    parser.add_argument("--pid-file", type=Path, help="the server's ytrec-milvus.json (memory measurement)")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--out", type=Path, default=RESULTS / "milvus_query.json")
    args = parser.parse_args(argv)
    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    load_before = os.getloadavg()

    n = args.n
    thumbs = clustered_vectors(n, THUMB_D, THUMBNAIL_PROFILE, seed=1)
    titles = clustered_vectors(n, TITLE_D, TITLE_PROFILE, seed=2)
    vectors = {"thumbnail": thumbs, "title": titles}
    catalog = make_catalog(n, channels=max(1, n // 100))
    rng = np.random.default_rng(0)
    q_ids = [catalog.video_ids[r] for r in rng.choice(n, size=min(args.queries, n), replace=False)]
    faiss.omp_set_num_threads(1)  # one query per request, as `ytrec serve` runs Faiss

    configs: dict[str, dict] = {}
    plan = plan_indexes("auto", n, {m: v.shape[1] for m, v in vectors.items()}, None)
    for label, exact in (("faiss exact", True), ("faiss default", False)):
        stores, memory, build_s = {}, 0, 0.0
        for m, v in vectors.items():
            t = time.perf_counter()
            faiss.omp_set_num_threads(os.cpu_count() or 1)
            store, made = build_store(m, v, "flat") if exact else build_store(m, v, choice=plan[m])
            faiss.omp_set_num_threads(1)
            build_s += time.perf_counter() - t
            memory += made.estimated_bytes  # within a few % of the saved index (query_scale.py)
            stores[m] = store
        configs[label] = {"stores": stores, "memory": memory, "build_s": build_s,
                          "kinds": " + ".join(f"{m}:{s.kind}" for m, s in stores.items())}
        log(f"{label}: {configs[label]['kinds']} built in {build_s:.1f}s")

    target = MilvusTarget(args.uri, prefix=args.prefix)
    client = client_for(target)
    keys = video_pks(catalog.video_ids)
    stores, ingest, memory = {}, {}, {}
    for m, v in vectors.items():
        collection = f"{target.alias(m)}__{time.strftime('%Y%m%d%H%M%S')}"  # a new name: the proxy caches names
        alias = target.alias(m)
        before = server_rss(args.pid_file)
        chunks = (v[i : i + CHUNK] for i in range(0, n, CHUNK))
        store, timings = fill_collection(target, collection, m, VectorSpec.dense(v.shape[1]), chunks, keys,
                                         catalog.column("channel"), catalog.column("category"), {"index": "bench"})
        time.sleep(2)
        after = server_rss(args.pid_file)  # before a previous run's collection is dropped (that frees memory)
        previous = _alias_target(target, alias)
        if previous is None:
            client.create_alias(collection, alias)
        else:
            client.alter_alias(collection, alias)
            client.drop_collection(previous)
        stores[m], ingest[m] = store, timings
        memory[m] = None if before is None or after is None else after - before
        log(f"milvus {m}: insert {timings['insert_per_s']:,.0f} rows/s, flush+index+load {timings['index_s']:.1f}s, "
            f"server RSS +{(memory[m] or 0) / 1e6:.0f} MB")
    configs["milvus"] = {"stores": stores, "memory": sum(x or 0 for x in memory.values()),
                         "build_s": sum(t["insert_s"] + t["index_s"] for t in ingest.values()),
                         "kinds": "thumbnail:HNSW + title:HNSW (Milvus)"}

    rows, truth = [], None
    for label, config in configs.items():
        recommender = Recommender(make_bundle(catalog, config["stores"]))
        times, results = latency(lambda v: recommender.similar(v, k=K), q_ids)
        lists = [[r.video_id for r in res] for res in results]
        truth = truth or lists
        qps = concurrent_qps(recommender, q_ids, args.threads, args.seconds)
        row = {"config": label, "indexes": config["kinds"], "p50_ms": pct(times, 50), "p95_ms": pct(times, 95),
               "qps": qps, "threads": args.threads, "recall_at_10": recall(lists, truth),
               "memory_mb": config["memory"] / 1e6, "build_s": config["build_s"]}
        rows.append(row)
        log(f"{label}: p50 {row['p50_ms']:.1f} ms p95 {row['p95_ms']:.1f} ms, {qps:.0f} q/s ({args.threads} threads), "
            f"recall@10 {row['recall_at_10']:.3f}, {row['memory_mb']:.0f} MB")

    per_million = {m: (memory[m] / n * 1e6 / 2**30 if memory[m] else None) for m in vectors}
    report = {
        "n": n, "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load_before": load_before, "load_after": os.getloadavg(), "queries": len(q_ids), "rows": rows,
        "milvus_ingest": ingest, "milvus_server_rss_bytes": memory, "milvus_gib_per_million": per_million,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print("| backend | indexes | p50 ms | p95 ms | QPS | recall@10 | memory MB | build s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['config']} | {r['indexes']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['qps']:.0f} | "
              f"{r['recall_at_10']:.3f} | {r['memory_mb']:.0f} | {r['build_s']:.0f} |")
    for m, t in ingest.items():
        print(f"ingest {m}: {t['insert_per_s']:,.0f} rows/s insert, {t['index_s']:.0f} s flush+index+load; "
              f"server memory {per_million[m] or float('nan'):.2f} GiB per million videos")
    print(f"load average before/after: {load_before} / {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
