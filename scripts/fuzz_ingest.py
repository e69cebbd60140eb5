"""The long ingest fuzzing campaign: generated tables and image bytes through ingest, with counts.

    .venv/bin/python scripts/fuzz_ingest.py --examples 10000

Half the examples are tables (CSV, JSONL, Parquet), half image bytes; the same generators and
checks as ``tests/reliability/test_fuzz_ingest.py`` (which CI runs at 500 fixed-seed examples).
Unlike the test, a failing example does not stop the run: it is counted as a *crash* (any
exception other than the promised one-line refusal) or a *broken promise* (a row accepted that
should be skipped, a wrong reason code...), and the first few are printed. Exit status 1 if any.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.reliability.image_cases import check_image_case, image_cases  # noqa: E402
from tests.reliability.ingest_cases import check_table_case, table_cases  # noqa: E402

SHOWN = 5


class Tally:
    def __init__(self) -> None:
        self.tried = 0
        self.crashes = 0
        self.broken = 0
        self.outcomes: Counter[str] = Counter()
        self.examples: list[str] = []

    def run(self, kind: str, check, case) -> None:
        self.tried += 1
        try:
            self.outcomes[f"{kind}: {check(case)}"] += 1
        except AssertionError as exc:
            self.broken += 1
            self._keep(f"broken promise ({kind}): {exc}\n  case: {case!r}"[:2000])
        except Exception:  # noqa: BLE001 - counting crashes is the point
            self.crashes += 1
            self._keep(f"crash ({kind}):\n{traceback.format_exc()}\n  case: {case!r}"[:4000])

    def _keep(self, text: str) -> None:
        if len(self.examples) < SHOWN:
            self.examples.append(text)


def _campaign(examples: int, run_seed: int, tally: Tally) -> None:
    profile = settings(max_examples=examples, deadline=None, database=None,
                       suppress_health_check=list(HealthCheck))

    @seed(run_seed)
    @profile
    @given(table_cases())
    def tables(case) -> None:
        with tempfile.TemporaryDirectory(prefix="ytrec-fuzz-") as folder:
            tally.run("table", lambda c: check_table_case(c, Path(folder)), case)

    @seed(run_seed)
    @profile
    @given(image_cases())
    def pictures(case) -> None:
        tally.run("image", check_image_case, case)

    tables()
    pictures()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000, help="examples in all (half tables, half images)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the counts as JSON only")
    args = parser.parse_args()
    tally = Tally()
    started = time.perf_counter()
    _campaign(args.examples // 2, args.seed, tally)
    seconds = time.perf_counter() - started
    counts = {"examples_tried": tally.tried, "crashes": tally.crashes, "broken_promises": tally.broken,
              "seconds": round(seconds, 1), "seed": args.seed, "outcomes": dict(sorted(tally.outcomes.items()))}
    if args.json:
        print(json.dumps(counts, indent=2))
    else:
        print(f"examples tried: {tally.tried}  crashes: {tally.crashes}  broken promises: {tally.broken}  "
              f"({seconds:.0f} s, seed {args.seed})")
        for outcome, n in counts["outcomes"].items():
            print(f"  {outcome}: {n}")
    for text in tally.examples:
        print(text, file=sys.stderr)
    return 1 if tally.crashes or tally.broken else 0


if __name__ == "__main__":
    sys.exit(main())
