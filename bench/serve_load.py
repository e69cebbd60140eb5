"""Load benchmark of a real `ytrec serve` with a real load generator (wrk, the Debian package).

    bash scripts/load.sh                                   # the documented command (demo bundle)
    python bench/serve_load.py --bundle demo-output/bundle
    python bench/serve_load.py --bundle B --baseline-src /path/to/old/src   # before/after in one run
    python bench/serve_load.py --bundle B1M --scenarios recommendations     # the 1M-video bundle

Starts `ytrec serve BUNDLE` on a free loopback port (default: as many workers as cores), waits
for /healthz, warms it up, then drives it with wrk, each scenario a fixed number of responses
(default 20,000) bounded in time (--max-seconds):

- recommendations: GET /api/videos/{id}/recommendations?k=10 over --ids catalog videos, 32 connections;
- one-connection: the same from one connection (latency without queueing);
- mix: 60% recommendations, 25% browse (GET /api/videos, pages and title filters), 10% free-text
  search (GET /api/search), 5% cold-start uploads (POST /api/recommendations: a thumbnail + a title).

Prints req/s, p50/p95/p99, non-2xx, 5xx and socket errors per scenario, wrk's own CPU share and the
server's, and the server's memory per process (RSS, and of it shared vs private, from
/proc/PID/smaps_rollup). Client and server share the machine: read the numbers with the load
average printed beside them. With --baseline-src the same scenarios first run against `ytrec serve`
from another source tree (e.g. the previous main), so before and after come from one run.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
STARTUP_TIMEOUT_S = 900
WARMUP_S = 3


@dataclass
class Request:
    weight: float
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/serve_load.py needs wrk: apt-get install -y wrk (Debian/Ubuntu)")
    runs = []
    if args.baseline_src:
        runs.append(("before", args.baseline_src, None))
    runs.append(("after" if args.baseline_src else "this tree", SRC, args.workers))
    results = []
    for label, src, workers in runs:
        print(f"== {label}: ytrec serve from {src}" + (f" --workers {workers}" if workers else ""), file=sys.stderr)
        with serve(args.bundle, src, workers, label != "before") as server:
            results.append(measure(label, server, args))
    print(report(results, args))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    failed = any(s["result"]["s5xx"] or socket_errors(s["result"]) for r in results for s in r["scenarios"])
    return 1 if failed else 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=None, help="ytrec serve --workers (default: its default)")
    parser.add_argument("--baseline-src", type=Path, help="also measure `ytrec serve` run from this src/ folder, first")
    parser.add_argument("--scenarios", default="recommendations,one-connection,mix")
    parser.add_argument("--requests", type=int, default=20_000, help="responses per scenario")
    parser.add_argument("--one-connection-requests", type=int, default=3_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--max-seconds", type=int, default=180, help="time limit of one scenario")
    parser.add_argument("--ids", type=int, default=50, help="catalog videos the recommendations cycle through")
    parser.add_argument("--profile", type=Path,
                        help="py-spy a worker during 'recommendations' and write its collapsed stacks here")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    return parser.parse_args()


# -- the server ----------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path


@contextmanager
def serve(bundle: Path, src: Path, workers: int | None, new_cli: bool):
    port = free_port()
    command = [sys.executable, "-m", "ytrec.cli", "serve", str(bundle), "--port", str(port)]
    if workers and new_cli:
        command += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(src), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    log = Path(tempfile.mkstemp(prefix="ytrec-serve-", suffix=".log")[1])
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                sys.exit(f"ytrec serve exited with {process.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"ytrec serve did not answer in {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")
            time.sleep(0.5)
        if new_cli:  # /healthz answers from the first worker ready; wait for all of them
            wait_for_workers(log, workers or os.cpu_count() or 1, deadline)
        yield Server(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_workers(log: Path, workers: int, deadline: float) -> None:
    """Every worker prints 'ytrec: worker PID ready' once its models are loaded."""
    while log.read_text(errors="replace").count(" ready (") < workers:
        if time.monotonic() > deadline:
            sys.exit(f"not every worker started in {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")
        time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_pids(pid: int) -> list[int]:
    """The serving processes: the spawned workers, or the server itself when it has none."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"spawn_main" in cmdline:
            children.append(int(entry.name))
    return sorted(children) or [pid]


def memory(pid: int) -> dict[str, int]:
    """RSS and its split (bytes): shared = pages other processes map too (libraries, the mmapped bundle)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) * 1024
    return {
        "rss": fields.get("Rss", 0),
        "pss": fields.get("Pss", 0),
        "shared": fields.get("Shared_Clean", 0) + fields.get("Shared_Dirty", 0),
        "private": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
    }


def read_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- the requests ----------------------------------------------------------------------------


def catalog_sample(url: str, count: int) -> tuple[list[dict], int]:
    first = httpx.get(f"{url}/api/videos", params={"per_page": 100, "seed": 1}, timeout=30).json()
    return first["items"][:count], first["total"]


def scenarios(url: str, bundle: Path, args: argparse.Namespace) -> dict[str, tuple[list[Request], int, int, int]]:
    """name -> (requests, responses to collect, connections, wrk threads)."""
    videos, total = catalog_sample(url, max(args.ids, 100))
    ids = [v["video_id"] for v in videos[: args.ids]]
    recs = [Request(1.0, "GET", f"/api/videos/{quote(i, safe='')}/recommendations?k=10") for i in ids]
    rng = random.Random(0)
    titles = [v["title"] for v in videos]
    words = [w for t in titles for w in t.split() if len(w) > 3]
    pages = max(1, min(20, total // 24))
    browse = [Request(1.0, "GET", "/api/videos?" + urlencode({"page": p, "per_page": 24})) for p in range(1, pages + 1)]
    browse += [Request(1.0, "GET", "/api/videos?" + urlencode({"q": w, "per_page": 24})) for w in rng.sample(words, 20)]
    search = [Request(1.0, "GET", "/api/search?" + urlencode({"q": " ".join(rng.sample(words, 2)), "k": 10}))
              for _ in range(40)]
    thumbs = sorted(itertools.islice((bundle / "thumbs").rglob("*.jpg"), 10))  # a 1M bundle: don't list them all
    uploads = [cold_start(thumbs[i % len(thumbs)] if thumbs else None, titles[i]) for i in range(10)]
    mix = (weighted(recs, 60) + weighted(browse, 25) + weighted(search, 10) + weighted(uploads, 5))
    return {
        "recommendations": (recs, args.requests, args.connections, args.threads),
        "one-connection": (recs, args.one_connection_requests, 1, 1),
        "mix": (mix, args.requests, args.connections, args.threads),
    }


def weighted(requests: list[Request], share: float) -> list[Request]:
    return [Request(share / len(requests), r.method, r.path, r.headers, r.body) for r in requests]


def cold_start(thumbnail: Path | None, title: str) -> Request:
    """A new video: a catalog thumbnail uploaded as if new, with a title."""
    image = thumbnail.read_bytes() if thumbnail is not None else None
    boundary = "ytrecloadbench"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n{title}\r\n'.encode()]
    if image is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="t.jpg"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + image + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return Request(1.0, "POST", "/api/recommendations", {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                   b"".join(parts))


def lua_string(data: bytes) -> str:
    return '"' + "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else f"\\{c:03d}" for c in data) + '"'


def lua_script(requests: list[Request], limit: int, threads: int) -> str:
    entries = []
    for r in requests:
        headers = "{" + ", ".join(f"[{lua_string(k.encode())}] = {lua_string(v.encode())}" for k, v in r.headers.items()) + "}"
        body = lua_string(r.body) if r.body is not None else "nil"
        entries.append(f"  {{weight = {r.weight!r}, method = {lua_string(r.method.encode())}, "
                       f"path = {lua_string(r.path.encode())}, headers = {headers}, body = {body}}}")
    return (f"LIMIT = {limit}\nTHREADS = {threads}\nREQUESTS = {{\n" + ",\n".join(entries) + "\n}\n"
            + (HERE / "load.lua").read_text())


# -- running wrk -------------------------------------------------------------------------------


def run_wrk(url: str, requests: list[Request], limit: int, connections: int, threads: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(requests, limit, threads))
    try:
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s",
                   "-s", script.name, url]
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines, finished = [], 0
        for line in process.stdout:  # wrk waits out -d after its threads stop: interrupt it then
            lines.append(line)
            finished += line.startswith("THREAD_DONE")
            if finished == threads:  # os.kill: Popen.send_signal may reap wrk first, and wait4 below needs it
                os.kill(process.pid, signal.SIGINT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        out, err = "".join(lines), process.stderr.read()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        os.unlink(script.name)
    line = next((l for l in out.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        sys.exit(f"wrk failed ({process.returncode}):\n{out}\n{err}")
    result = json.loads(line[len("WRK_JSON "):])
    result["wall_s"] = wall
    result["wrk_cpu_s"] = usage.ru_utime + usage.ru_stime
    return result


def socket_errors(result: dict) -> int:
    return sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))


def measure(label: str, server: Server, args: argparse.Namespace) -> dict:
    plans = scenarios(server.url, args.bundle, args)
    workers = worker_pids(server.process.pid)
    print(f"   workers: {workers}; warming up {WARMUP_S} s", file=sys.stderr)
    run_wrk(server.url, plans["mix"][0], 10**9, args.connections, args.threads, WARMUP_S)
    measured = []
    for name in args.scenarios.split(","):
        requests, limit, connections, threads = plans[name]
        load_before = load_average()
        cpu_before = {p: read_cpu(p) or 0.0 for p in workers}
        profiler = start_profile(workers[0], args) if name == "recommendations" and args.profile else None
        result = run_wrk(server.url, requests, limit, connections, threads, args.max_seconds)
        if profiler is not None:
            profiler.wait()
        server_cpu = sum((read_cpu(p) or 0.0) - cpu_before[p] for p in workers)
        cores = os.cpu_count() or 1
        result.update(
            connections=connections,
            rps=result["requests"] / (result["duration_us"] / 1e6),
            wrk_cpu_share=result["wrk_cpu_s"] / (result["wall_s"] * cores),
            server_cpu_share=server_cpu / (result["wall_s"] * cores),
            # what a request costs the server, whatever else the machine runs: the figure to compare
            # across runs on a shared machine
            server_cpu_ms_per_request=1000 * server_cpu / max(1, result["requests"]),
            load_before=load_before,
            load_after=load_average(),
        )
        print(f"   {name}: {result['rps']:.0f} req/s, p99 {result['p99_us'] / 1000:.1f} ms "
              f"(load {load_before} -> {result['load_after']})", file=sys.stderr)
        measured.append({"name": name, "result": result})
    processes = {"server (parent)": server.process.pid} if workers != [server.process.pid] else {}
    processes.update({f"worker {p}": p for p in workers})
    return {"label": label, "scenarios": measured, "memory": {n: memory(p) for n, p in processes.items()}}


def start_profile(pid: int, args: argparse.Namespace) -> subprocess.Popen | None:
    beside = Path(sys.executable).parent / "py-spy"  # pip installs it into the venv's bin/
    py_spy = str(beside) if beside.is_file() else shutil.which("py-spy")
    if py_spy is None:
        print("   (no py-spy: pip install py-spy for --profile)", file=sys.stderr)
        return None
    args.profile.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([py_spy, "record", "--pid", str(pid), "--duration", "10", "--rate", "200",
                             "--format", "raw", "--output", str(args.profile), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- the report ----------------------------------------------------------------------------------


def report(results: list[dict], args: argparse.Namespace) -> str:
    lines = [f"bundle: {args.bundle}   machine: {os.cpu_count()} cores   load generator: wrk "
             f"({args.threads} threads)", "",
             "| server | scenario | conns | responses | req/s | p50 ms | p95 ms | p99 ms | non-2xx | 5xx "
             "| socket errors | wrk CPU | server CPU | server CPU ms/req | load avg (1/5/15 min) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in results:
        for s in run["scenarios"]:
            r = s["result"]
            lines.append(
                f"| {run['label']} | {s['name']} | {r['connections']} | {r['requests']:,} | {r['rps']:.0f} "
                f"| {r['p50_us'] / 1000:.1f} | {r['p95_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} "
                f"| {r['requests'] - r['s2xx']} | {r['s5xx']} | {socket_errors(r)} "
                f"| {r['wrk_cpu_share']:.0%} | {r['server_cpu_share']:.0%} | {r['server_cpu_ms_per_request']:.1f} "
                f"| {r['load_before']} |")
    lines += ["", "| server | process | RSS MiB | shared MiB | private MiB | PSS MiB |", "|---|---|---|---|---|---|"]
    for run in results:
        total = Counter()
        for name, m in run["memory"].items():
            total.update(m)
            lines.append(f"| {run['label']} | {name} | {mib(m['rss'])} | {mib(m['shared'])} | {mib(m['private'])} "
                         f"| {mib(m['pss'])} |")
        lines.append(f"| {run['label']} | **total** | {mib(total['rss'])} | | {mib(total['private'])} "
                     f"| {mib(total['pss'])} (the machine's real share) |")
    if args.profile and args.profile.is_file():
        lines += ["", f"py-spy profile of one worker during 'recommendations' ({args.profile}):", "",
                  profile_summary(args.profile)]
    return "\n".join(lines)


def mib(n: int) -> str:
    return f"{n / 2**20:.0f}"


def profile_summary(path: Path, top: int = 15) -> str:
    """Where a worker's samples were: by innermost ytrec/library function (self) and inclusive."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].split("/")[-1] + ")"
                  if " (" in f else f for f in stack.split(";")]
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "(no samples)"
    rows = ["| self % | function |", "|---|---|"] + [f"| {n / total:.0%} | {f} |" for f, n in own.most_common(top)]
    rows += ["", "| inclusive % | function |", "|---|---|"]
    rows += [f"| {n / total:.0%} | {f} |" for f, n in inclusive.most_common(top * 2)]
    return "\n".join(rows)


if __name__ == "__main__":
    raise SystemExit(main())
