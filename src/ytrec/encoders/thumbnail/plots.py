"""The two pictures written next to a checkpoint, so a person can judge a training run at a glance.

Figures are built with ``matplotlib.figure.Figure`` (Agg), never pyplot: no global backend is
switched and nothing needs a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure


def plot_loss_curve(history: Sequence[dict[str, float]], best_epoch: int, path: Path) -> None:
    """Train and validation MSE per epoch (log scale), the kept epoch marked."""
    epochs = [h["epoch"] for h in history]
    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.subplots()
    ax.plot(epochs, [h["train_loss"] for h in history], marker="o", label="train (corrupted input)")
    ax.plot(epochs, [h["val_loss"] for h in history], marker="o", label="validation")
    ax.axvline(best_epoch, color="grey", linestyle="--", label=f"best epoch ({best_epoch})")
    ax.set_xlabel("epoch")
    ax.set_ylabel("reconstruction MSE")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def plot_reconstructions(
    clean: np.ndarray, corrupted: np.ndarray, reconstructed: np.ndarray, path: Path
) -> None:
    """Rows: input, corrupted input, reconstruction; one column per image. Arrays: (N, C, H, W) in [0, 1]."""
    rows = {"input": clean, "corrupted": corrupted, "reconstructed": reconstructed}
    n, channels, height, width = clean.shape
    column_inches = 1.6
    row_inches = column_inches * height / width
    fig = Figure(figsize=(n * column_inches + 0.6, 3 * row_inches + 0.3), dpi=100)
    axes = fig.subplots(3, n, squeeze=False)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(n):
            ax = axes[r][c]
            pixels = np.clip(images[c], 0.0, 1.0)
            if channels == 1:
                ax.imshow(pixels[0], cmap="gray", vmin=0.0, vmax=1.0)
            else:
                ax.imshow(pixels.transpose(1, 2, 0))
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
