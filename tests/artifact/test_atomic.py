import os
from pathlib import Path

import pytest

from ytrec.artifact.atomic import recover, staged_bundle


def _write(dest: Path, text: str) -> None:
    with staged_bundle(dest) as stage:
        (stage / "content.txt").write_text(text)


def test_success_publishes_and_replaces(tmp_path: Path):
    dest = tmp_path / "b"
    _write(dest, "one")
    _write(dest, "two")
    assert (dest / "content.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_failure_leaves_previous_bundle_untouched(tmp_path: Path):
    dest = tmp_path / "b"
    _write(dest, "one")
    with pytest.raises(RuntimeError):
        with staged_bundle(dest) as stage:
            (stage / "content.txt").write_text("half")
            raise RuntimeError("training blew up")
    assert (dest / "content.txt").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


def test_crash_between_the_two_renames_is_recovered(tmp_path: Path):
    dest = tmp_path / "b"
    _write(dest, "one")
    os.rename(dest, tmp_path / ".b.previous")  # the process died right here
    recover(dest)
    assert (dest / "content.txt").read_text() == "one"


def test_staging_left_by_a_killed_process_is_cleaned(tmp_path: Path):
    dest = tmp_path / "b"
    dead = tmp_path / ".b.staging-999999999-abc"
    dead.mkdir()
    _write(dest, "one")
    assert not dead.exists()
