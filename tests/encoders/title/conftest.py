"""Tiny e5-shaped models, built once per test session (see tests/helpers/tiny_e5.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.tiny_e5 import build_tiny_e5


@pytest.fixture(scope="session")
def tiny_e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_e5(tmp_path_factory.mktemp("tiny-e5"), seed=0)


@pytest.fixture(scope="session")
def other_tiny_e5_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Same architecture and tokenizer, other random weights: a different model."""
    return build_tiny_e5(tmp_path_factory.mktemp("tiny-e5-other"), seed=1)
