"""Configuration of the thumbnail autoencoder and of its training.

Both are plain dataclasses so that checkpoints, training states and bundle manifests can
record them as JSON and refuse to load something built with different settings.

Presets (``PRESETS``):

- ``original`` reproduces the original notebook's model exactly: grayscale 480x360 (YouTube's
  ``hqdefault`` size), base width 16, a 64-dimensional latent. Its two Linear layers hold 89M of
  its 89.3M parameters and it trains at ~2 images/s on two CPU cores: it wants a GPU (an H200
  trains it at ~2,300 img/s).
- ``default`` is RGB 112x64 (about 16:9 like the catalog's 320x180 thumbnails, both sides
  divisible by 4), base width 16, a 128-dimensional latent. It keeps colour, which grayscale
  throws away, and the original's channel widths, and trains in minutes on two CPU cores:
  ~120 img/s on two idle cores, ~50-60 img/s on one thread of a busy machine, so a
  1,000-thumbnail catalog takes 20 epochs in 3-6 minutes. Measured alongside it: 128x72 is ~0.6x
  as fast; 96x56 ~1.5x but loses detail; base width 8 ~2.5x but halves every layer. The latent
  size costs nothing measurable next to the convolutions, so 128 rather than 64 dimensions.
- ``tiny`` (RGB 32x32, base width 4, latent 16) exists for fast tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Self


def _from_dict(cls: type, data: dict[str, Any], *, required: bool) -> Any:
    """Build a dataclass from a JSON dict, naming unknown or missing keys instead of a TypeError."""
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown field(s) {', '.join(unknown)}")
    if required:
        missing = sorted(names - set(data))
        if missing:
            raise ValueError(f"{cls.__name__}: missing field(s) {', '.join(missing)}")
    return cls(**data)


def _diff(a: Any, b: Any, ignore: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{f.name}: {getattr(a, f.name)!r} != {getattr(b, f.name)!r}"
        for f in fields(a)
        if f.name not in ignore and getattr(a, f.name) != getattr(b, f.name)
    ]


@dataclass(frozen=True)
class AutoencoderConfig:
    """Shape of the convolutional autoencoder: input size, colour, base width ``c``, latent size."""

    width: int
    height: int
    channels: int
    base_width: int
    latent_dim: int

    def __post_init__(self) -> None:
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 (grayscale) or 3 (RGB), got {self.channels}")
        for name in ("width", "height"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 4:
                raise ValueError(f"{name} must be an integer >= 4, got {getattr(self, name)!r}")
        for name in ("base_width", "latent_dim"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer, got {getattr(self, name)!r}")

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W): the shape of one image as the model takes it."""
        return (self.channels, self.height, self.width)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return _from_dict(cls, data, required=True)

    def diff(self, other: AutoencoderConfig) -> list[str]:
        """Differences as 'field: mine != other's', for 'built with another model' messages."""
        return _diff(self, other)


DEFAULT_EPOCHS = 20
# Steps, not epochs, are what a small catalog lacks: 360 thumbnails are 6 batches an epoch, so 20
# epochs made 120 optimiser steps and the validation loss was still falling. Measured on the
# sample catalog (README "Evaluation"): 20 epochs -> autoencoder nDCG@10 0.860, hybrid 0.949;
# 40 epochs (240 steps) -> 0.899 and 0.965. Catalogs of ~800 thumbnails and more keep 20 epochs.
MIN_STEPS = 240


@dataclass(frozen=True)
class TrainConfig:
    """How to train: optimisation, corruption strengths, validation split, seed and device.

    Corruption (what makes the autoencoder *denoising*): Gaussian noise of standard deviation
    ``noise_std`` (pixel values in [0, 1]) plus zeroing ``mask_ratio`` of the image in square
    patches of ``mask_patch`` pixels (1 = single pixels). Either strength may be 0.
    ``compile`` wraps the model in ``torch.compile``; it is optional because it costs start-up
    time (~20 s on a GPU for ``original``) and needs a C compiler on CPU.

    ``contrastive_weight`` > 0 adds, beside the reconstruction loss, an InfoNCE term between the
    latents of two independent corruptions of each thumbnail (the other thumbnails of the batch
    are the negatives, ``contrastive_temperature`` scales the cosines): reconstruction alone
    lets the latents of different thumbnails crowd together, this term pushes them apart.
    ``centre_latents`` stores the catalog's mean latent with the weights and subtracts it before
    normalising (README: Evaluation has the measurements of both).

    On a GPU a larger batch pays: ``original`` on an H200 trains at ~2,140 img/s with batch 64,
    ~2,320 with 256 and ~2,530 with 256 + ``compile`` (bench/train_throughput.py).
    """

    epochs: int | None = None  # None: DEFAULT_EPOCHS, or more on a small catalog (``epochs_for``)
    batch_size: int = 64
    lr: float = 1e-3
    noise_std: float = 0.1
    mask_ratio: float = 0.1
    mask_patch: int = 8
    val_fraction: float = 0.1
    seed: int = 0
    device: str = "auto"
    compile: bool = False
    contrastive_weight: float = 0.0
    contrastive_temperature: float = 0.1
    centre_latents: bool = True

    def __post_init__(self) -> None:
        if self.contrastive_weight < 0:
            raise ValueError(f"contrastive_weight must be >= 0, got {self.contrastive_weight}")
        if not self.contrastive_temperature > 0:
            raise ValueError(f"contrastive_temperature must be > 0, got {self.contrastive_temperature}")
        if (self.epochs is not None and self.epochs < 1) or self.batch_size < 1 or self.mask_patch < 1:
            raise ValueError("epochs, batch_size and mask_patch must be >= 1")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.noise_std < 0:
            raise ValueError(f"noise_std must be >= 0, got {self.noise_std}")
        if not 0 <= self.mask_ratio < 1:
            raise ValueError(f"mask_ratio must be in [0, 1), got {self.mask_ratio}")
        if not 0 < self.val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {self.val_fraction}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Missing keys take their defaults, so older JSON files still load."""
        return _from_dict(cls, data, required=False)

    def epochs_for(self, batches: int) -> int:
        """The epochs to run when an epoch is ``batches`` optimiser steps: those given, else
        ``DEFAULT_EPOCHS`` or, on a catalog too small for that, enough for ``MIN_STEPS`` steps."""
        if self.epochs is not None:
            return self.epochs
        return max(DEFAULT_EPOCHS, -(-MIN_STEPS // max(1, batches)))

    def resume_diff(self, other: TrainConfig) -> list[str]:
        """Differences ('field: mine != other's') that forbid resuming one run with the other's
        settings; epochs, device and compile may change between the two."""
        return _diff(self, other, ignore=("epochs", "device", "compile", "centre_latents"))


PRESETS: dict[str, AutoencoderConfig] = {
    "original": AutoencoderConfig(width=480, height=360, channels=1, base_width=16, latent_dim=64),
    "default": AutoencoderConfig(width=112, height=64, channels=3, base_width=16, latent_dim=128),
    "tiny": AutoencoderConfig(width=32, height=32, channels=3, base_width=4, latent_dim=16),
}
