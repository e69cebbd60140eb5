"""What the HTTP layer itself costs per request, apart from the recommendation work: CPU time of the
app called in-process (ASGI, no sockets) against the bare core calls it wraps.

    python bench/serve_overhead.py --bundle demo-output/bundle [--requests 2000]

For each read route it prints CPU ms per request (median of interleaved rounds) (``time.thread_time``, so other processes on the
machine do not count) of the whole app and of the core call alone; the difference is routing,
parameter parsing, the response body and the ASGI messages. Sockets and the HTTP parser (uvicorn)
are not included: ``bench/serve_load.py`` measures a real server end to end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def scope(path: str, query: bytes = b"") -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"accept", b"*/*")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000),
    }


async def call(app, request: dict) -> int:
    messages: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        messages.append(message)

    await app(request, receive, send)
    return messages[0]["status"]


def cpu_ms(function, repeat: int) -> float:
    started = time.thread_time()
    for _ in range(repeat):
        function()
    return 1000 * (time.thread_time() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--ids", type=int, default=50)
    args = parser.parse_args()

    import faiss
    import torch

    from ytrec.server.app import create_app

    faiss.omp_set_num_threads(1)
    torch.set_num_threads(1)
    app = create_app(args.bundle)
    service = app.state.live.current()
    ids = service.recommender.catalog.video_ids[: args.ids]
    loop = asyncio.new_event_loop()
    n = args.requests

    def run(requests: list[dict]):
        state = {"i": 0}

        def one() -> None:
            status = loop.run_until_complete(call(app, requests[state["i"] % len(requests)]))
            assert status == 200, status
            state["i"] += 1

        return one

    def core_similar():
        rows = [service.recommender.catalog.row_of(i) for i in ids]
        state = {"i": 0}

        def one() -> None:
            service.recommender.similar_row(rows[state["i"] % len(rows)], k=10)
            state["i"] += 1

        return one

    recs = [scope(f"/api/videos/{i}/recommendations", b"k=10") for i in ids]
    cases = {
        "recommendations (app)": run(recs),
        # a parameter no route declares: api.fast passes the request on to FastAPI's router
        "recommendations (FastAPI route)": run([scope(r["path"], b"k=10&via=router") for r in recs]),
        "recommendations (similar_row() alone)": core_similar(),
        "one video (app)": run([scope(f"/api/videos/{i}") for i in ids]),
        "browse page (app)": run([scope("/api/videos", f"page={p}&per_page=24".encode()) for p in range(1, 11)]),
        "browse page (FastAPI route)": run([scope("/api/videos", f"page={p}&per_page=24&via=router".encode())
                                            for p in range(1, 11)]),
        "healthz (app)": run([scope("/healthz")]),
    }
    for one in cases.values():  # warm every path once
        for _ in range(20):
            one()
    print(f"bundle: {args.bundle} ({len(service.recommender.catalog)} videos); {n} requests each; "
          f"load {os.getloadavg()[0]:.2f}")
    # rounds interleave the cases, and the median round is reported: CPU speed drifts on a shared machine
    rounds = 10
    per_round: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, one in cases.items():
            per_round[name].append(cpu_ms(one, max(1, n // rounds)))
    results = {name: statistics.median(values) for name, values in per_round.items()}
    for name, ms in results.items():
        print(f"  {name:38s} {ms:7.3f} CPU ms/request")
    print(f"  {'HTTP layer of a recommendation':38s} "
          f"{results['recommendations (app)'] - results['recommendations (similar_row() alone)']:7.3f} CPU ms/request "
          f"(through the FastAPI route: "
          f"{results['recommendations (FastAPI route)'] - results['recommendations (similar_row() alone)']:.3f})")


if __name__ == "__main__":
    main()
