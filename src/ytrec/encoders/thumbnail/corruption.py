"""Input corruption that turns the autoencoder into a *denoising* one.

The model sees a corrupted thumbnail and must reconstruct the clean one, so its latent has to
capture the image's content rather than copy pixels. Everything is drawn from an explicit
``torch.Generator`` on the batch's device: runs are reproducible, and nothing leaves the GPU.
"""

from __future__ import annotations

import torch


def patch_mask(
    batch: int, height: int, width: int, ratio: float, patch: int, generator: torch.Generator
) -> torch.Tensor:
    """(B, 1, H, W) float mask, 0 on exactly round(ratio * patches) random patches per image, else 1.

    Patches are ``patch`` x ``patch`` squares on a grid (1 = single pixels); edge patches are cut
    to the image, so on sizes not divisible by ``patch`` the masked area is approximately ``ratio``.
    """
    device = generator.device
    grid_h, grid_w = -(-height // patch), -(-width // patch)
    n_patches = grid_h * grid_w
    n_masked = round(ratio * n_patches)
    keep = torch.ones(batch, n_patches, device=device)
    if n_masked:
        scores = torch.rand(batch, n_patches, generator=generator, device=device)
        keep.scatter_(1, scores.argsort(dim=1)[:, :n_masked], 0.0)
    keep = keep.view(batch, 1, grid_h, grid_w)
    keep = keep.repeat_interleave(patch, dim=2).repeat_interleave(patch, dim=3)
    return keep[:, :, :height, :width]


def corrupt(
    clean: torch.Tensor,
    noise_std: float,
    mask_ratio: float,
    mask_patch: int,
    generator: torch.Generator,
) -> torch.Tensor:
    """Add Gaussian noise, zero a fraction of patches, clip to [0, 1]. ``clean`` is left unchanged."""
    noisy = clean
    if noise_std > 0:
        noise = torch.randn(clean.shape, generator=generator, device=clean.device, dtype=clean.dtype)
        noisy = clean + noise_std * noise
    if mask_ratio > 0:
        b, _, h, w = clean.shape
        noisy = noisy * patch_mask(b, h, w, mask_ratio, mask_patch, generator).to(clean.dtype)
    return noisy.clamp(0.0, 1.0)
