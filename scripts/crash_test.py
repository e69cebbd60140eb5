"""Crash consistency: SIGKILL bundle-writing commands at random moments; the bundle must survive.

    .venv/bin/python scripts/crash_test.py              # 20 kills each of build, add, remove, retrain, tune
    .venv/bin/python scripts/crash_test.py --runs 5 --commands add remove
    .venv/bin/python scripts/crash_test.py --commands publish --milvus-uri "$(bash scripts/milvus.sh uri DIR)"

Setup: a small generated catalog built into a bundle (tiny autoencoder preset, one epoch, the
offline title model). For each command, one reference run to completion gives the *new* state and
the moments at which the command starts staging and ends; then each run copies the old bundle,
starts the real ``ytrec`` command, and SIGKILLs its process group at a random moment: three runs
in four a random time after its staging folder appears (inside the write and publish), the others
anywhere from the start. After every kill the bundle must open and verify
every checksum (``Bundle.load(verify=True)``, what ``ytrec info --verify`` runs) and be exactly the
old bundle (same manifest bytes) or the complete new one (the reference run's videos, fusion
settings, new encoder), never a mix. Finally the command runs once more on a killed bundle and must
succeed (nothing left behind blocks the next write). Prints the counts; exit status 1 if any kill
left a broken or mixed bundle.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # forked children tokenize

OFFLINE_MODEL = "offline:all-MiniLM-L6-v2"
COMMANDS = ("build", "add", "remove", "retrain", "tune", "publish")  # publish: only with --milvus-uri
FAST_TRAINING = ["--preset", "tiny", "--epochs", "1", "--batch-size", "32"]


@dataclass
class Workspace:
    """Everything the commands read: the old bundle, a catalog to rebuild from, rows to add."""

    root: Path
    base: Path  # the old bundle (never modified; each run works on a copy)
    other_catalog: Path  # `build` rebuilds the bundle from this (other videos)
    new_rows: Path  # `add` adds these
    removed_ids: list[str]
    milvus_uri: str | None = None  # `publish` moves the vectors to this Milvus server


    def argv(self, command: str, bundle: Path) -> list[str]:
        ytrec = [sys.executable, "-m", "ytrec.cli", "--quiet"]
        return {
            "build": [*ytrec, "build", str(self.other_catalog), "--out", str(bundle), "--text-model", OFFLINE_MODEL,
                      *FAST_TRAINING],
            "add": [*ytrec, "add", str(bundle), str(self.new_rows)],
            "remove": [*ytrec, "remove", str(bundle), *self.removed_ids],
            "retrain": [*ytrec, "retrain", str(bundle), *FAST_TRAINING, "--seed", "7"],  # other weights than the old
            "tune": [*ytrec, "tune", str(bundle), "--label", "channel", "--step", "0.25"],
            "publish": [*ytrec, "publish", str(bundle), "--milvus-uri", str(self.milvus_uri), "--milvus-prefix", "ytrec_crash"],
        }[command]


def prepare(root: Path, videos: int = 32, base: Path | None = None, base_catalog: Path | None = None) -> Workspace:
    """Generate catalogs and build the old bundle (or reuse ``base``, built from ``base_catalog``)."""
    from ytrec.catalog.sample import generate_sample

    root.mkdir(parents=True, exist_ok=True)
    if base is None:  # built in a child process: torch's thread pools must not start in a process that forks
        base_catalog = generate_sample(root / "catalog", n_videos=videos, n_channels=4, seed=1)
        base = root / "base"
        subprocess.run([sys.executable, "-m", "ytrec.cli", "--quiet", "build", str(base_catalog), "--out", str(base),
                        "--text-model", OFFLINE_MODEL, *FAST_TRAINING], check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    other = generate_sample(root / "other", n_videos=max(24, videos // 2), n_channels=3, seed=2)
    existing = set(_video_ids(base_catalog))
    new_rows = root / "other" / "add.csv"
    with other.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["video_id"] not in existing][:8]
    with new_rows.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return Workspace(root, base, other, new_rows, _video_ids(base_catalog)[:5])


def _video_ids(catalog_csv: Path) -> list[str]:
    with catalog_csv.open(encoding="utf-8", newline="") as handle:
        return [row["video_id"] for row in csv.DictReader(handle)]


def state_of(bundle: Path) -> dict | None:
    """What a bundle holds, after opening it and verifying every checksum; None if that fails."""
    from ytrec.artifact.bundle import Bundle
    from ytrec.errors import YtrecError

    try:
        loaded = Bundle.load(bundle, verify=True)
    except YtrecError as exc:
        return {"error": str(exc)}
    manifest = loaded.manifest
    return {
        "manifest_sha256": hashlib.sha256((loaded.root / "manifest.json").read_bytes()).hexdigest(),
        "video_ids": loaded.catalog.video_ids,
        "fusion": manifest.get("fusion"),
        "encoder_sha256": manifest["files"].get("thumbnail_encoder.safetensors", {}).get("sha256"),
        "kinds": sorted(meta.get("index", "") for meta in manifest["modalities"].values()),
    }


def classify(after: dict, old: dict, new: dict, command: str) -> str:
    """old | new | broken (does not open or verify) | mixed (opens, but is neither state)."""
    if "error" in after:
        return "broken"
    if after["manifest_sha256"] == old["manifest_sha256"]:
        return "old"
    same_catalog = after["video_ids"] == new["video_ids"]
    if command == "retrain":
        return "new" if same_catalog and after["encoder_sha256"] != old["encoder_sha256"] else "mixed"
    if command == "build":
        return "new" if same_catalog else "mixed"
    if command == "publish":
        return "new" if same_catalog and after["kinds"] == new["kinds"] else "mixed"
    return "new" if same_catalog and after["fusion"] == new["fusion"] else "mixed"


@dataclass
class Timing:
    staging_at: float | None
    ended_at: float
    returncode: int


def _watch_staging(parent: Path, name: str, started: float, seen: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        if any(parent.glob(f".{name}.staging-*")):
            seen.append(time.perf_counter() - started)
            return
        time.sleep(0.005)


def run_command(argv: list[str], bundle: Path, kill_at: float | None = None, spawn: bool = False,
                kill_after_staging: float | None = None) -> Timing:
    """Run ``argv``; SIGKILL its process group ``kill_at`` seconds after the start, or
    ``kill_after_staging`` seconds after its staging folder appears (if still running then).

    By default the command runs in a fork of this (already warm) process, calling the real
    ``ytrec`` entry point: the same code path without paying the imports per run. ``spawn``
    starts a fresh interpreter instead.
    """
    started = time.perf_counter()
    seen: list[float] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_staging, args=(bundle.parent, bundle.name, started, seen, stop), daemon=True)
    watcher.start()
    pid = _start(argv, spawn)
    returncode = _wait(pid, started, kill_at, kill_after_staging, seen)
    stop.set()
    watcher.join()
    if kill_at is None and kill_after_staging is None and returncode != 0:
        raise RuntimeError(f"{' '.join(argv[4:6])} failed with exit status {returncode}")
    return Timing(seen[0] if seen else None, time.perf_counter() - started, returncode)


def _start(argv: list[str], spawn: bool) -> int:
    if spawn:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=True, env=env).pid
    pid = os.fork()
    if pid == 0:  # the child: its own process group, the real command, then exit without cleanup
        code = 1
        try:
            os.setsid()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            from ytrec.cli import main as ytrec_main

            code = ytrec_main(argv[3:])
        finally:
            os._exit(code)
    return pid


def _wait(pid: int, started: float, kill_at: float | None, kill_after_staging: float | None, seen: list[float]) -> int:
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        now = time.perf_counter() - started
        due = kill_at is not None and now >= kill_at
        due |= kill_after_staging is not None and bool(seen) and now >= seen[0] + kill_after_staging
        if due:
            os.killpg(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.002)


@dataclass
class Tally:
    runs: int = 0
    killed: int = 0
    killed_while_writing: int = 0  # after the staging folder appeared
    outcomes: Counter = field(default_factory=Counter)
    recovered: bool | None = None
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        verified = self.outcomes["old"] + self.outcomes["new"]
        return {"runs": self.runs, "killed": self.killed, "killed_while_writing": self.killed_while_writing,
                "finished_before_kill": self.runs - self.killed,
                "verified": verified, "old": self.outcomes["old"], "new": self.outcomes["new"],
                "broken": self.outcomes["broken"], "mixed": self.outcomes["mixed"],
                "next_run_after_a_kill_succeeded": self.recovered}


def campaign(work: Workspace, command: str, runs: int, rng: random.Random, log=print, spawn: bool = False) -> Tally:
    tally = Tally()
    old = state_of(work.base)
    reference = work.root / f"reference-{command}" / "bundle"
    shutil.copytree(work.base, reference)
    timing = run_command(work.argv(command, reference), reference, spawn=spawn)
    new = state_of(reference)
    if "error" in new:
        raise RuntimeError(f"reference {command} left a bundle that does not verify: {new['error']}")
    writing = timing.ended_at - timing.staging_at if timing.staging_at else None
    killed_old: Path | None = None
    for run in range(runs):
        bundle = work.root / f"{command}-{run}" / "bundle"
        shutil.copytree(work.base, bundle)
        # three kills in four inside the write (from the staging folder's appearance to the end),
        # the others anywhere in the run
        if writing is not None and rng.random() < 0.75:
            kill_at, after_staging = None, rng.uniform(0.0, 1.1 * writing)
            when = f"{after_staging:5.2f}s into the write"
        else:
            kill_at, after_staging = rng.uniform(0.0, 1.05 * timing.ended_at), None
            when = f"{kill_at:5.2f}s after the start"
        result = run_command(work.argv(command, bundle), bundle, kill_at=kill_at, spawn=spawn,
                             kill_after_staging=after_staging)
        tally.runs += 1
        killed = result.returncode == -signal.SIGKILL
        tally.killed += killed
        tally.killed_while_writing += killed and result.staging_at is not None
        after = state_of(bundle)
        outcome = classify(after, old, new, command)
        tally.outcomes[outcome] += 1
        if outcome in ("broken", "mixed"):
            tally.problems.append(f"{command} killed {when}: {outcome}: {after.get('error', after)}"[:500])
        log(f"  {command} run {run + 1}/{runs}: kill {when} (run ~{timing.ended_at:.2f}s) -> "
            f"{'killed' if killed else 'finished'}, {outcome}")
        if outcome == "old" and result.returncode == -signal.SIGKILL:
            if killed_old is not None:
                shutil.rmtree(killed_old.parent)
            killed_old = bundle  # kept for the rerun below
        else:
            shutil.rmtree(bundle.parent)
    if killed_old is not None:  # the next write over a bundle killed mid-write must work
        run_command(work.argv(command, killed_old), killed_old, spawn=spawn)
        tally.recovered = classify(state_of(killed_old), old, new, command) == "new"
        if not tally.recovered:
            tally.problems.append(f"{command}: rerun after a kill did not give the new state")
    return tally


def _warm_up() -> None:
    """Import what the commands import, once, before forking (no model is loaded here)."""
    import ytrec.cli  # noqa: F401
    import ytrec.eval.tune  # noqa: F401
    import ytrec.pipeline.build  # noqa: F401
    import ytrec.pipeline.retrain  # noqa: F401
    import ytrec.pipeline.update  # noqa: F401


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="kills per command")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, help="default: all (publish only with --milvus-uri)")
    parser.add_argument("--milvus-uri", help="a Milvus server for `publish` (e.g. from scripts/milvus.sh)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder, removed afterwards")
    parser.add_argument("--spawn", action="store_true",
                        help="start a fresh interpreter per run (default: fork this warm process, then run ytrec's main)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON only")
    args = parser.parse_args()
    args.commands = args.commands or [c for c in COMMANDS if c != "publish" or args.milvus_uri]
    if "publish" in args.commands and not args.milvus_uri:
        parser.error("publish needs --milvus-uri")
    rng = random.Random(args.seed)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="ytrec-crash-"))
    log = (lambda message: print(message, file=sys.stderr)) if args.json else print
    started = time.perf_counter()
    try:
        work = prepare(root)
        work.milvus_uri = args.milvus_uri
        _warm_up()
        results = {command: campaign(work, command, args.runs, rng, log, args.spawn) for command in args.commands}
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    counts = {command: tally.to_dict() for command, tally in results.items()}
    if args.json:
        print(json.dumps({"seconds": round(time.perf_counter() - started), "commands": counts}, indent=2))
    else:
        print(f"\n{'command':<8} {'runs':>4} {'killed':>6} {'writing':>7} {'verified':>8} {'old':>4} {'new':>4} {'broken':>6} {'mixed':>5}  rerun ok")
        for command, c in counts.items():
            print(f"{command:<8} {c['runs']:>4} {c['killed']:>6} {c['killed_while_writing']:>7} {c['verified']:>8} {c['old']:>4} {c['new']:>4} "
                  f"{c['broken']:>6} {c['mixed']:>5}  {c['next_run_after_a_kill_succeeded']}")
        print(f"({time.perf_counter() - started:.0f} s)")
    for tally in results.values():
        for problem in tally.problems:
            print(problem, file=sys.stderr)
    return 1 if any(t.problems for t in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
