"""Running the app: ``ytrec serve`` (and the end of ``ytrec demo``) as N worker processes.

One Python process answers from one core (the GIL), so ``--workers N`` (default: the cores this
process may use) starts N processes on one listening socket (uvicorn's supervisor, which restarts a
worker that dies). Each worker opens the bundle itself; the index files are memory-mapped, so their
pages are shared by all workers through the page cache rather than copied N times; the models
(title embedder, thumbnail encoder) load once per worker, before it accepts its first request.
A write through any worker reaches the others through the bundle on disk (``api.live``).
"""

from __future__ import annotations

import gc
import ipaddress
import multiprocessing
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process, logger

from ytrec.api.settings import Settings
from ytrec.artifact.manifest import FileIdentity
from ytrec.errors import ConfigError, YtrecError

STARTUP_FAILURE = 3  # uvicorn's exit code for a worker that never started serving
HEALTHCHECK_TIMEOUT_S = 60  # a worker loading its models answers the supervisor's pings late


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class WorkerApp:
    """What each worker process calls to build its app (picklable: it travels to spawned workers)."""

    bundle: Path
    settings: Settings
    model_threads: int
    quiet: bool
    # what the supervisor's check verified (file identity -> SHA-256): a worker does not hash it again
    checked: dict[FileIdentity, str] = field(default_factory=dict)

    def __call__(self):
        import faiss
        import torch

        from ytrec.server.app import create_app

        # the workers already use every core; more threads per worker only oversubscribe them
        # (measured: single-query searches slow down several-fold under load)
        faiss.omp_set_num_threads(1)
        torch.set_num_threads(self.model_threads)
        end_with_supervisor()
        try:
            app = create_app(self.bundle, self.settings, checked=self.checked)
        except YtrecError as exc:
            if multiprocessing.parent_process() is None:  # one worker, in the CLI's process: its message
                raise
            print(f"ytrec: error: {str(exc).splitlines()[0]}", file=sys.stderr, flush=True)
            sys.exit(STARTUP_FAILURE)  # the supervisor stops instead of restarting it
        # the loaded bundle and models live as long as the worker: keep the cyclic GC from scanning
        # them again and again (long pauses with a large catalog)
        gc.freeze()
        if not self.quiet:
            print(f"ytrec: worker {os.getpid()} ready ({resident_mib():.0f} MiB resident)", file=sys.stderr, flush=True)
        return app


def end_with_supervisor() -> None:
    """A worker whose supervisor is killed outright (SIGKILL, the OOM killer) would go on serving
    its share of the port with nobody to stop it; on Linux the kernel sends it SIGTERM instead
    (a graceful stop). Nothing to do in a single-process server."""
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))
    if os.getppid() != parent.pid:  # the supervisor died before the request took effect
        os._exit(0)


def serve(
    bundle: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    settings: Settings | None = None,
    workers: int | None = None,
    quiet: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Check the bundle, listen, start the workers, serve until interrupted."""
    settings = settings or Settings()
    workers = workers or default_workers()
    if workers < 1:
        raise ConfigError(f"--workers must be 1 or more, got {workers}")
    checked = check_bundle(bundle, settings)
    for line in exposure_warnings(host, settings):
        print(f"ytrec: warning: {line}", file=sys.stderr, flush=True)
    listeners = listen(host, port, workers)
    app = WorkerApp(Path(bundle).resolve(), settings, max(1, default_workers() // workers), quiet, checked)
    config = uvicorn.Config(app, factory=True, workers=workers, log_level="warning" if quiet else "info",
                            access_log=False, timeout_worker_healthcheck=HEALTHCHECK_TIMEOUT_S)
    shown = f"[{host}]" if ":" in host else host
    announce(f"ytrec: serving {Path(bundle)} at http://{shown}:{listeners[0].getsockname()[1]} with {workers} "
             f"worker{'s' if workers > 1 else ''}  (API docs: /docs; Ctrl+C to stop)")
    if workers == 1:
        uvicorn.Server(config).run(sockets=listeners)
        return
    supervisor = Supervisor(config, listeners)
    supervisor.run()
    if supervisor.failed_to_start:
        raise ConfigError("a worker failed to start (its error is above)")


class Supervisor(Multiprocess):
    """uvicorn's worker supervisor (restarts a worker that dies, stops on Ctrl+C / SIGTERM, SIGHUP
    replaces the workers), with worker ``i`` always on listening socket ``i``."""

    def __init__(self, config: uvicorn.Config, listeners: list[socket.socket]) -> None:
        super().__init__(config, sockets=listeners)
        self.failed_to_start = False

    def start_on(self, sock: socket.socket) -> Process:
        process = Process(self.config, [sock])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self.start_on(sock) for sock in self.sockets]

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for i, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung: kill it
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # a broken app would fail the same way again
                self.failed_to_start = True
                self.should_exit.set()
                return
            if not self.should_exit.is_set():
                self.processes[i] = self.start_on(self.sockets[i])

    def restart_all(self) -> None:
        for i, old in enumerate(self.processes):
            old.terminate()
            old.join()
            self.processes[i] = self.start_on(self.sockets[i])

    def handle_ttin(self) -> None:  # one worker per socket: the count is fixed at start
        logger.info("ytrec serve: the number of workers is fixed (--workers)")

    handle_ttou = handle_ttin


def check_bundle(bundle: Path, settings: Settings) -> dict[FileIdentity, str]:
    """Refuse a missing, broken or mismatched bundle with one line before any worker starts;
    returns the files it verified."""
    from ytrec.core.recommender import Recommender

    return Recommender.open(Path(bundle), text_model=settings.text_model).bundle.verified


def listen(host: str, port: int, workers: int) -> list[socket.socket]:
    """One listening socket per worker, all on one port (SO_REUSEPORT): the kernel spreads new
    connections evenly over them. On one shared socket, whichever worker wakes first accepts a
    whole burst of connections and the other workers idle."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets: list[socket.socket] = []
    for _ in range(workers):
        sock = socket.socket(family=family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if workers > 1:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((host, sockets[0].getsockname()[1] if sockets else port))
        except OSError as exc:
            for s in [*sockets, sock]:
                s.close()
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        sock.set_inheritable(True)  # its worker accepts on it
        sockets.append(sock)
    return sockets


def exposure_warnings(host: str, settings: Settings) -> list[str]:
    """What to tell someone who binds beyond this machine."""
    if is_loopback(host):
        return []
    lines = [f"listening on {host}: the pages and the read API are open to every machine that can reach it"]
    if settings.api_key:
        lines.append("the write endpoints take the API key over plain HTTP: put a TLS proxy in front")
    else:
        lines.append("the write endpoints stay off (no --api-key / YTREC_API_KEY)")
    return lines


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resident_mib() -> float:
    """This process's resident memory (Linux /proc; elsewhere its peak)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
