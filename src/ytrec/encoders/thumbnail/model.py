"""The convolutional autoencoder of the original notebook, made configurable.

Encoder: six 3x3 convolutions (padding 1) of widths c, c, 2c (stride 2), 2c, 4c (stride 2), 4c,
each followed by ReLU, then Flatten and a Linear layer to the latent. The decoder mirrors it:
Linear + ReLU, unflatten, six 3x3 transposed convolutions whose stride-2 layers upsample back to
the exact input size (``output_padding`` chosen per side, so odd sizes work too), and a sigmoid
so reconstructions are pixel values in [0, 1].
"""

from __future__ import annotations

import torch
from torch import nn

from ytrec.encoders.thumbnail.config import AutoencoderConfig


def _downsampled(size: int) -> int:
    """Output size of a 3x3, stride-2, padding-1 convolution."""
    return (size - 1) // 2 + 1


class ConvAutoencoder(nn.Module):
    """Takes (B, C, H, W) floats in [0, 1]; ``encode`` gives the latent, ``forward`` the reconstruction."""

    def __init__(self, config: AutoencoderConfig) -> None:
        super().__init__()
        self.config = config
        c, h, w = config.base_width, config.height, config.width
        h2, w2 = _downsampled(h), _downsampled(w)
        h4, w4 = _downsampled(h2), _downsampled(w2)
        self.bottleneck_shape = (4 * c, h4, w4)
        flat = 4 * c * h4 * w4

        def conv(c_in: int, c_out: int, stride: int = 1) -> list[nn.Module]:
            return [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.ReLU(inplace=True)]

        def deconv(c_in: int, c_out: int) -> list[nn.Module]:
            return [nn.ConvTranspose2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True)]

        def up(c_in: int, c_out: int, out_h: int, out_w: int) -> list[nn.Module]:
            pad = (1 - out_h % 2, 1 - out_w % 2)
            layer = nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=pad)
            return [layer, nn.ReLU(inplace=True)]

        self.encoder = nn.Sequential(
            *conv(config.channels, c),
            *conv(c, c),
            *conv(c, 2 * c, stride=2),
            *conv(2 * c, 2 * c),
            *conv(2 * c, 4 * c, stride=2),
            *conv(4 * c, 4 * c),
            nn.Flatten(),
            nn.Linear(flat, config.latent_dim),
        )
        self.decoder = nn.Sequential(
            nn.Linear(config.latent_dim, flat),
            nn.ReLU(inplace=True),
            nn.Unflatten(1, self.bottleneck_shape),
            *deconv(4 * c, 4 * c),
            *up(4 * c, 2 * c, h2, w2),
            *deconv(2 * c, 2 * c),
            *up(2 * c, c, h, w),
            *deconv(c, c),
            nn.ConvTranspose2d(c, config.channels, 3, padding=1),
            nn.Sigmoid(),
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, H, W) floats in [0, 1] -> (B, latent_dim), not normalised."""
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))
