"""A few SIGKILLs in CI (the full campaign: ``scripts/crash_test.py``, 20 kills per command).

The real ``ytrec remove`` and ``ytrec tune`` (fresh interpreters) are killed at random moments
around their publish; after each kill the bundle verifies and is the old or the new one.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "crash_test.py"


@pytest.fixture(scope="module")
def crash_test():
    spec = importlib.util.spec_from_file_location("crash_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("command,runs", [("remove", 2), ("tune", 1)])
def test_killed_commands_leave_the_old_or_the_new_bundle(crash_test, sample_bundle, tmp_path: Path, command: str, runs: int):
    base = tmp_path / "base"
    shutil.copytree(sample_bundle.bundle, base)
    work = crash_test.prepare(tmp_path / "work", base=base, base_catalog=sample_bundle.catalog_csv)
    tally = crash_test.campaign(work, command, runs=runs, rng=random.Random(11), log=lambda line: None, spawn=True)
    assert tally.runs == runs and tally.outcomes["old"] + tally.outcomes["new"] == runs, tally.problems
    assert not tally.problems and tally.recovered in (True, None)
