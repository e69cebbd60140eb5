"""A local Milvus 2.3.5 standalone server (PyPI ``milvus``) for development, tests and benchmarks.

Production talks to a Milvus cluster by URI; this module only runs the real single-node server
on this machine. Why not the package's own ``MilvusServer.start()/stop()``: its stop is a hard kill
after 1 s, its start waits out its whole timeout when the child dies at once (a second instance
cannot bind etcd's fixed port 2380), and its child dies with the Python process that started it,
so ``scripts/milvus.sh start`` could not return. We reuse its config resolution and binary
unpacking, and run the process ourselves:

- ``common.gracefulStopTimeout=5``: a SIGTERM with loaded collections otherwise hangs (default 1800 s);
- ``common.session.ttl=5``: a restart otherwise stalls ~25 s on the dead process's etcd sessions;
- the client port is read from the launcher (a busy default port silently moves to the next one).

State lives in ``DIR/ytrec-milvus.json`` (pid and URI), so ``stop DIR`` finds the process again.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STATE_FILE = "ytrec-milvus.json"
ETCD_PEER_PORT = 2380  # fixed in the 2.3.5 package: one server per machine
STOP_GRACE_S = 30.0


class ServerError(RuntimeError):
    """The local server cannot be started or stopped; the message says why in one line."""


def running_uri(base_dir: Path) -> str | None:
    """The URI of the server started from ``base_dir``, if one runs."""
    state = _read_state(Path(base_dir).resolve())
    return state["uri"] if state is not None and _alive(state["pid"]) else None


@dataclass
class LocalMilvus:
    base_dir: Path
    pid: int
    uri: str
    process: subprocess.Popen | None = None  # set when this process started it

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """SIGTERM, wait up to ``grace_s`` (graceful stop is capped at 5 s by the config), then SIGKILL."""
        _terminate(self.pid, self.process, grace_s)
        (self.base_dir / STATE_FILE).unlink(missing_ok=True)


def start(base_dir: Path, timeout_s: float = 180.0, detach: bool = False, port: int | None = None) -> LocalMilvus:
    """Start one standalone server with its data in ``base_dir``; return once it answers health checks.

    ``detach``: the server outlives this process (``scripts/milvus.sh start``); otherwise it is
    killed when the thread that started it exits (a test session that dies leaves no orphan).
    ``port``: the client port to use even if the launcher's probe finds it busy (a restart: the
    dead server's sockets linger in TIME_WAIT, and Milvus itself binds with SO_REUSEADDR).
    """
    from milvus import MilvusServer, MilvusServerConfig, _initialize_data_files

    base_dir = Path(base_dir).resolve()
    existing = _read_state(base_dir)
    if existing is not None and _alive(existing["pid"]):
        raise ServerError(f"a Milvus server already runs from {base_dir} (pid {existing['pid']}, {existing['uri']})")
    if _port_taken(ETCD_PEER_PORT):
        raise ServerError(
            f"port {ETCD_PEER_PORT} is taken: another Milvus (its embedded etcd) runs on this machine; "
            "only one can (stop it with scripts/milvus.sh stop DIR)"
        )
    server = MilvusServer(MilvusServerConfig(), wait_for_started=False)
    server.set_base_dir(str(base_dir))
    server.config.set("common.gracefulStopTimeout", 5)
    server.config.set("common.session.ttl", 5)
    server.config.resolve()
    if port is not None:
        server.config.configurable_items["proxy_port"][1] = int(port)
        server.config.write_config()
    _initialize_data_files(str(base_dir))
    metrics_port, sock = server.config.resolve_port(9091)
    sock.close()
    binary = base_dir / "bin" / "milvus"
    env = {
        **os.environ,
        "DEPLOY_MODE": "STANDALONE",
        "METRICS_PORT": str(metrics_port),
        "MILVUS_RUN_DIR": str(base_dir / "run"),
        "LD_LIBRARY_PATH": f"{binary.parent}:{os.environ.get('LD_LIBRARY_PATH', '')}",
    }
    logs = base_dir / "logs"
    with open(logs / "milvus-stdout.log", "ab") as out, open(logs / "milvus-stderr.log", "ab") as err:
        process = subprocess.Popen(
            [str(binary), "run", "standalone"],
            cwd=base_dir,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=detach,
            preexec_fn=None if detach else _die_with_parent,
        )
    uri = f"http://127.0.0.1:{server.listen_port}"
    server.server_proc = None  # the launcher must not kill what it did not start
    try:
        _wait_healthy(process, metrics_port, timeout_s, logs / "milvus-stderr.log")
    except ServerError:
        _terminate(process.pid, process, 5.0)
        raise
    (base_dir / STATE_FILE).write_text(json.dumps({"pid": process.pid, "uri": uri, "metrics_port": metrics_port}))
    return LocalMilvus(base_dir, process.pid, uri, process)


def stop(base_dir: Path, grace_s: float = STOP_GRACE_S) -> bool:
    """Stop the server started from ``base_dir``; False when none runs there."""
    base_dir = Path(base_dir).resolve()
    state = _read_state(base_dir)
    if state is None:
        return False
    alive = _alive(state["pid"])
    LocalMilvus(base_dir, state["pid"], state["uri"]).stop(grace_s)
    return alive


def _wait_healthy(process: subprocess.Popen, metrics_port: int, timeout_s: float, stderr_log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{metrics_port}/healthz"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = stderr_log.read_text(errors="replace").strip().splitlines()[-1:] if stderr_log.exists() else []
            raise ServerError(f"Milvus exited with code {process.returncode} while starting: {' '.join(tail)[:300]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if b"OK" in response.read():
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise ServerError(f"Milvus did not become healthy within {timeout_s:.0f} s (logs: {stderr_log.parent})")


def _terminate(pid: int, process: subprocess.Popen | None, grace_s: float) -> None:
    if not _alive(pid):
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return
        if process is None and not _alive(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    if process is not None:
        process.wait(timeout=10)
    else:
        while _alive(pid):
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    """True when ``pid`` is a live Milvus process (a recycled pid running something else is not)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return b"milvus" in cmdline and "State:\tZ" not in status


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _die_with_parent() -> None:
    """Child side: SIGKILL when the starting thread dies (Linux prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def _read_state(base_dir: Path) -> dict | None:
    try:
        return json.loads((base_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ytrec.milvus.server", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "uri"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--timeout", type=float, default=180.0)
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            args.dir.mkdir(parents=True, exist_ok=True)
            print(start(args.dir, args.timeout, detach=True).uri)
        elif args.action == "stop":
            if not stop(args.dir):
                print(f"no Milvus server was running from {args.dir}", file=sys.stderr)
        else:
            uri = running_uri(args.dir)
            if uri is None:
                raise ServerError(f"no Milvus server runs from {args.dir}")
            print(uri)
    except ServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
