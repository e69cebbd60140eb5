"""Fuzzed ingest: generated tables and image bytes never crash ingest, and every promise holds.

CI runs a fixed-seed profile (derandomized, ``FUZZ_EXAMPLES`` examples per property, 500 by
default in all); ``scripts/fuzz_ingest.py --examples 10000`` runs the long campaign and prints the
counts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.reliability.image_cases import check_image_case, image_cases
from tests.reliability.ingest_cases import check_table_case, table_cases

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
