"""Fuzzed ingest: generated tables and image bytes never crash ingest, and every promise holds.

CI runs a fixed-seed profile (derandomized, ``FUZZ_EXAMPLES`` examples per property, 500 by
default in all); ``scripts/fuzz_ingest.py --examples 10000`` runs the long campaign and prints the
counts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from tests.reliability.image_cases import check_image_case, image_cases
from tests.reliability.ingest_cases import check_table_case, table_cases, write_case

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "250"))  # per property: 500 in all
CI_PROFILE = settings(
    max_examples=EXAMPLES, derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@CI_PROFILE
@given(table_cases())
def test_generated_tables_ingest_as_promised(case):
    with tempfile.TemporaryDirectory(prefix="ytrec-fuzz-") as folder:
        check_table_case(case, Path(folder))


@CI_PROFILE
@given(image_cases())
def test_generated_image_bytes_are_accepted_or_refused_with_a_code(case):
    check_image_case(case)


@settings(CI_PROFILE, max_examples=4, phases=[Phase.generate], suppress_health_check=[*CI_PROFILE.suppress_health_check, HealthCheck.function_scoped_fixture])
@given(case=table_cases())
def test_generated_tables_through_the_real_build_command(case, capsys):
    """A bundle that verifies with exactly the promised videos, or one line on stderr and no bundle."""
    from ytrec.artifact.bundle import Bundle
    from ytrec.cli import main as ytrec
    from ytrec.encoders.title import OFFLINE_MODEL_ALIAS

    with tempfile.TemporaryDirectory(prefix="ytrec-fuzz-build-") as folder:
        table = write_case(case, Path(folder))
        out = Path(folder) / "bundle"
        capsys.readouterr()
        code = ytrec(["--quiet", "build", str(table), "--out", str(out), "--text-model", OFFLINE_MODEL_ALIAS,
                      "--preset", "tiny", "--epochs", "1"])
        stdout, stderr = capsys.readouterr()
        if code == 0:
            assert case.expected_error is None
            assert Bundle.load(out, verify=True).catalog.video_ids == [r["video_id"] for r in case.expected_accepted]
        else:
            assert code == 2 and stderr.startswith("ytrec: error: ") and stderr.count("\n") == 1, stderr
            assert "Traceback" not in stderr and not out.exists()
            assert case.expected_error or not case.expected_accepted, stderr
