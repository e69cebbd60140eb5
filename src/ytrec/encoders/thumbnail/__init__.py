"""Thumbnail encoder: a denoising convolutional autoencoder whose latents describe a thumbnail.

Train with ``train_autoencoder(images, model_config, train_config, out_dir)`` on uint8 arrays
(N, C, H, W) (``pil_to_array`` makes them from PIL images), then
``ThumbnailEncoder.load(out_dir).encode(images)`` gives L2-normalised float32 vectors.
"""

from ytrec.encoders.thumbnail.config import PRESETS, AutoencoderConfig, TrainConfig
from ytrec.encoders.thumbnail.encoder import ThumbnailEncoder
from ytrec.encoders.thumbnail.images import pil_to_array
from ytrec.encoders.thumbnail.train import TrainResult, train_autoencoder

__all__ = [
    "PRESETS",
    "AutoencoderConfig",
    "ThumbnailEncoder",
    "TrainConfig",
    "TrainResult",
    "pil_to_array",
    "train_autoencoder",
]
