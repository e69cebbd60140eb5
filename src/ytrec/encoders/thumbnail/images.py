"""The model's input format: uint8 arrays of shape (N, C, H, W) at the model's size.

uint8 keeps a catalog's thumbnails four times smaller than floats, which is what lets training
keep them all on the GPU and convert one batch at a time there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from ytrec.encoders.thumbnail.config import AutoencoderConfig


def pil_to_array(images: Sequence[Image.Image], config: AutoencoderConfig) -> np.ndarray:
    """Resize PIL images to the model's (width, height), convert to L or RGB, stack as (N, C, H, W).

    Lanczos keeps detail when shrinking (320x180 -> 112x64) and stays smooth when enlarging
    (-> 480x360). The aspect ratio is not kept: the images are stretched to the model's size,
    as the original notebook did.
    """
    mode = "L" if config.channels == 1 else "RGB"
    out = np.empty((len(images), *config.image_shape), dtype=np.uint8)
    for i, image in enumerate(images):
        if image.mode != mode:
            image = image.convert(mode)
        if image.size != (config.width, config.height):
            image = image.resize((config.width, config.height), Image.Resampling.LANCZOS)
        pixels = np.asarray(image, dtype=np.uint8)
        out[i] = pixels[None] if mode == "L" else pixels.transpose(2, 0, 1)
    return out


def check_images(images: np.ndarray, config: AutoencoderConfig) -> None:
    """Raise a ValueError that says what shape was expected and how to get it."""
    expected = config.image_shape
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.shape[1:] != expected:
        got = (
            f"{images.dtype} array of shape {images.shape}"
            if isinstance(images, np.ndarray)
            else type(images).__name__
        )
        raise ValueError(
            f"thumbnails must be a uint8 array of shape (N, {', '.join(map(str, expected))}) "
            f"for this model, got {got}; pil_to_array() converts PIL images"
        )


def to_float(batch: torch.Tensor) -> torch.Tensor:
    """uint8 pixels -> float32 in [0, 1] on the batch's device."""
    return batch.to(torch.float32).div_(255.0)
