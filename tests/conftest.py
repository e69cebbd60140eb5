"""Test-wide settings: never touch a model hub, keep torch to the machine's cores."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# Session-wide fixtures other suites reuse (a built sample bundle): see tests/fixtures/.
from tests.fixtures.bundles import client, recommender, sample_bundle  # noqa: E402,F401
