"""Small synthetic thumbnails and one shared training run for the thumbnail-encoder tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from ytrec.encoders.thumbnail import (
    PRESETS,
    AutoencoderConfig,
    TrainConfig,
    TrainResult,
    train_autoencoder,
)

TINY = PRESETS["tiny"]
FAST = TrainConfig(epochs=6, batch_size=8, lr=3e-3, seed=0, device="cpu")


def synthetic(n: int, channels: int = 3, height: int = 32, width: int = 32, seed: int = 0) -> np.ndarray:
    """Uniform colours times a horizontal ramp: structure a tiny autoencoder learns in a few epochs."""
    rng = np.random.default_rng(seed)
    ramp = (np.arange(width) / (width - 1))[None, None, None, :]
    colour = rng.uniform(0.1, 0.9, (n, channels, 1, 1))
    pixels = 255 * colour * (0.5 + 0.5 * ramp) * np.ones((1, 1, height, 1))
    return pixels.astype(np.uint8)


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Two cores are shared with others; one thread also keeps CPU results bit-reproducible."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny() -> AutoencoderConfig:
    return TINY


@pytest.fixture(scope="session")
def fast() -> TrainConfig:
    """Six quick CPU epochs on the tiny preset."""
    return FAST


@pytest.fixture(scope="session")
def make_images() -> Callable[..., np.ndarray]:
    return synthetic


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    return synthetic(40)


@pytest.fixture(scope="module")
def trained(images: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TrainResult]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("thumbnail-run")
    result = train_autoencoder(images, TINY, FAST, out)
    torch.set_num_threads(before)
    return out, result
