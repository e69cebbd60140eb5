"""A trained thumbnail encoder: thumbnails in, L2-normalised float32 latents out.

This is what the index and the recommender use; it also measures how well new thumbnails are
reconstructed, which tells when the catalog has drifted away from what the model was trained on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ytrec.encoders.thumbnail import checkpoint
from ytrec.encoders.thumbnail.config import AutoencoderConfig
from ytrec.encoders.thumbnail.images import check_images, pil_to_array, to_float
from ytrec.encoders.thumbnail.model import ConvAutoencoder
from ytrec.encoders.thumbnail.runtime import autocast, prepare, resolve_device
from ytrec.errors import ArtifactError
from ytrec.progress import progress


class ThumbnailEncoder:
    """The best weights of a training run, in eval mode on one device."""

    def __init__(self, model: ConvAutoencoder, device: torch.device, info: dict[str, Any]) -> None:
        self.model = model.eval()
        self.device = device
        self.info = info  # the training description: train config, history, best epoch...
        self.centre = _latent_mean(info, model.config.latent_dim, device)

    @property
    def config(self) -> AutoencoderConfig:
        return self.model.config

    @classmethod
    def load(
        cls, directory: Path, device: str = "auto", expect: AutoencoderConfig | None = None
    ) -> ThumbnailEncoder:
        """Read ``thumbnail_encoder.safetensors`` + ``.json`` from ``directory``.

        ``expect``: the config a bundle's manifest recorded; a different one is refused.
        """
        directory = Path(directory)
        tensors, info = checkpoint.load_best(directory)
        source = directory / checkpoint.CONFIG_FILE
        try:
            config = AutoencoderConfig.from_dict(info["model"])
        except (KeyError, ValueError) as exc:
            raise ArtifactError(f"{source} has no valid model config ({exc})") from exc
        if expect is not None and (diff := config.diff(expect)):
            raise ArtifactError(
                f"{source} describes another model than expected (found != expected: {'; '.join(diff)})"
            )
        torch_device = resolve_device(device)
        prepare(torch_device)
        model = ConvAutoencoder(config)
        checkpoint.load_into(model, tensors, directory / checkpoint.WEIGHTS_FILE)
        return cls(model.to(torch_device, memory_format=torch.channels_last), torch_device, info)

    def _batches(self, images: np.ndarray, batch_size: int, desc: str) -> Iterator[torch.Tensor]:
        check_images(images, self.config)
        starts = range(0, len(images), batch_size)
        for start in progress(starts, desc=desc, total=len(starts)):
            batch = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size]))
            yield to_float(batch.to(self.device)).contiguous(memory_format=torch.channels_last)

    @torch.inference_mode()
    def encode(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """(N, latent_dim) float32 rows of unit length (an all-zero latent stays zero, never NaN).

        Latents are centred on the training catalog's mean first, when the encoder recorded one.
        """
        out = [np.empty((0, self.config.latent_dim), dtype=np.float32)]
        for batch in self._batches(images, batch_size, "encoding thumbnails"):
            with autocast(self.device):
                latent = self.model.encode(batch)
            latent = latent.float() if self.centre is None else latent.float() - self.centre
            out.append(F.normalize(latent, dim=1).cpu().numpy())
        return np.concatenate(out)

    def encode_pil(self, images: Sequence[Image.Image], batch_size: int = 256) -> np.ndarray:
        return self.encode(pil_to_array(images, self.config), batch_size)

    @torch.inference_mode()
    def reconstruction_error(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """(N,) float32 mean squared error of each clean thumbnail's reconstruction (pixels in [0, 1])."""
        out = [np.empty(0, dtype=np.float32)]
        for batch in self._batches(images, batch_size, "reconstructing thumbnails"):
            with autocast(self.device):
                reconstructed = self.model(batch)
            error = (reconstructed.float() - batch).square().flatten(1).mean(dim=1)
            out.append(error.cpu().numpy())
        return np.concatenate(out)


def _latent_mean(info: dict[str, Any], latent_dim: int, device: torch.device) -> torch.Tensor | None:
    """The recorded mean latent as a tensor (None for encoders trained without centring)."""
    mean = info.get(checkpoint.LATENT_MEAN_KEY)
    if mean is None:
        return None
    if not isinstance(mean, list) or len(mean) != latent_dim or not all(isinstance(v, (int, float)) for v in mean):
        raise ArtifactError(f"the encoder description's {checkpoint.LATENT_MEAN_KEY} is not {latent_dim} numbers")
    return torch.tensor(mean, dtype=torch.float32, device=device)
