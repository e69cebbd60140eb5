"""Latency of GET /api/videos/{id}/recommendations under a bounded local load.

    python bench/serve_latency.py                      # build the sample bundle, serve it, measure
    python bench/serve_latency.py --bundle demo-output/bundle
    python bench/serve_latency.py --url http://127.0.0.1:8000   # a server that is already running

Sends --requests GETs (default 2,000) over random catalog video ids from --concurrency threads
(default 16), each thread with its own keep-alive connection, and prints a Markdown table:
p50/p95/p99/max latency and throughput. Client and server share the machine, so the numbers
are for this machine as a whole, not for the server alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

OFFLINE_MODEL = "offline:all-MiniLM-L6-v2"


def main() -> int:
    args = parse_args()
    with server(args) as url:
        ids = video_ids(url)
        run = measure(url, ids, args)
    print(table(run, url))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(run, indent=2))
    return 0 if run["errors"] == 0 else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--bundle", type=Path, help="serve this bundle (default: build the sample bundle)")
    where.add_argument("--url", help="measure a server that is already running")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=50, help="requests sent first and not counted")
    parser.add_argument("-k", type=int, default=10)
    parser.add_argument("--mode", default="hybrid")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--videos", type=int, default=360, help="size of the sample catalog built without --bundle")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here (e.g. bench/results/serve.json)")
    return parser.parse_args()


def ytrec(*argv: str) -> None:
    subprocess.run([sys.executable, "-m", "ytrec.cli", "-q", *argv], check=True)


@contextmanager
def server(args: argparse.Namespace):
    """The base URL to measure: the given one, or a `ytrec serve` started (and stopped) here."""
    if args.url:
        yield args.url.rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="ytrec-bench-") as scratch:
        bundle = args.bundle
        if bundle is None:
            bundle = Path(scratch) / "bundle"
            print(f"building the sample bundle ({args.videos} videos, offline title model, tiny autoencoder)...",
                  file=sys.stderr)
            ytrec("sample", f"{scratch}/sample", "--videos", str(args.videos))
            ytrec("build", f"{scratch}/sample/catalog.csv", "--out", str(bundle), "--text-model", OFFLINE_MODEL,
                  "--preset", "tiny", "--epochs", "3")
        port = free_port()
        log = open(Path(scratch) / "serve.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "ytrec.cli", "-q", "serve", str(bundle), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process, Path(scratch) / "serve.log")
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"ytrec serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"ytrec serve did not answer /healthz within {timeout_s:.0f} s")


def video_ids(url: str) -> list[str]:
    ids: list[str] = []
    page = 1
    while True:
        body = httpx.get(f"{url}/api/videos", params={"page": page, "per_page": 100}, timeout=30).json()
        ids += [item["video_id"] for item in body["items"]]
        if page >= body["pages"]:
            return ids
        page += 1


def measure(url: str, ids: list[str], args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    local = threading.local()

    def one(video_id: str) -> tuple[float, int]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=60)
        started = time.perf_counter()
        response = client.get(f"/api/videos/{video_id}/recommendations", params={"k": args.k, "mode": args.mode})
        return time.perf_counter() - started, response.status_code

    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(one, [rng.choice(ids) for _ in range(args.warmup)]))
        chosen = [rng.choice(ids) for _ in range(args.requests)]
        started = time.perf_counter()
        results = list(pool.map(one, chosen))
        wall = time.perf_counter() - started
    latencies = sorted(seconds * 1000 for seconds, _ in results)
    return {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "k": args.k,
        "mode": args.mode,
        "catalog_videos": len(ids),
        "errors": sum(status != 200 for _, status in results),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1],
        "mean_ms": statistics.fmean(latencies),
        "throughput_rps": args.requests / wall,
        "wall_s": wall,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.python_implementation()} "
                   f"{platform.python_version()}",
    }


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, round(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def table(run: dict, url: str) -> str:
    lines = [
        f"`GET /api/videos/{{id}}/recommendations?k={run['k']}&mode={run['mode']}` on {url} "
        f"({run['catalog_videos']} videos; {run['machine']})",
        "",
        "| requests | concurrency | errors | p50 ms | p95 ms | p99 ms | max ms | throughput req/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {run['requests']:,} | {run['concurrency']} | {run['errors']} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} "
        f"| {run['p99_ms']:.1f} | {run['max_ms']:.1f} | {run['throughput_rps']:.0f} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
