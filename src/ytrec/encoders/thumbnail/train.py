"""Training the denoising autoencoder: corrupt, reconstruct the clean thumbnail, keep the best epoch.

The run is reproducible from ``TrainConfig.seed`` (the split, the initial weights, the shuffling
and the corruption each use their own seeded generator; on CPU two runs give identical weights) and
resumable: after every epoch the full state (weights, Adam moments, RNG states, history) is saved,
and ``resume=True`` continues from it exactly where it stopped.

Speed on CUDA comes from keeping every thumbnail on the GPU as uint8 and converting one batch at a
time there, bf16 autocast, channels_last, cudnn.benchmark, fused Adam, and never synchronising
with the host inside an epoch (losses are summed on the device).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from ytrec.encoders.thumbnail import checkpoint
from ytrec.encoders.thumbnail.config import AutoencoderConfig, TrainConfig
from ytrec.encoders.thumbnail.corruption import corrupt
from ytrec.encoders.thumbnail.images import check_images, to_float
from ytrec.encoders.thumbnail.model import ConvAutoencoder
from ytrec.encoders.thumbnail.plots import plot_loss_curve, plot_reconstructions
from ytrec.encoders.thumbnail.runtime import autocast, prepare, resolve_device
from ytrec.errors import ArtifactError
from ytrec.progress import progress_enabled

LOSS_CURVE_FILE = "loss_curve.png"
RECONSTRUCTIONS_FILE = "reconstructions.png"
_GRID_IMAGES = 8


@dataclass(frozen=True)
class TrainResult:
    """What a run did.

    ``history``: one dict per epoch since the run began (resumed epochs included) with epoch,
    train_loss, val_loss (MSE of clean thumbnails reconstructed from corrupted ones; the validation
    corruption is the same every epoch), seconds (wall time incl. validation) and images_per_second.
    ``images_per_second``: training images per second of training time in this call (validation
    and checkpoint writing excluded). ``checkpoint``: the best weights' safetensors file.
    """

    history: list[dict[str, float]]
    best_epoch: int
    best_val_loss: float
    images_per_second: float
    checkpoint: Path


@dataclass
class _Progress:
    """What survives between epochs and across a resume."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_val_loss: float = float("inf")
    images_per_second: float = 0.0

    @property
    def epoch(self) -> int:
        return len(self.history)


class _Thumbnails:
    """The training set as uint8 on the training device (on the host only if the GPU lacks room)."""

    def __init__(self, images: np.ndarray, device: torch.device) -> None:
        data = torch.from_numpy(np.ascontiguousarray(images))
        if device.type == "cuda" and data.nbytes < torch.cuda.mem_get_info(device)[0] // 2:
            data = data.to(device)
        self.data = data
        self.device = device

    def batch(self, index: torch.Tensor) -> torch.Tensor:
        """Float32 pixels in [0, 1] on the training device; ``index`` lives with the data."""
        return to_float(self.data[index].to(self.device, non_blocking=True))


def _fingerprint(images: np.ndarray) -> str:
    """Identifies the training images, so a resume on different data is refused."""
    return hashlib.blake2b(np.ascontiguousarray(images).data, digest_size=16).hexdigest()


def _build_model(config: AutoencoderConfig, seed: int, device: torch.device) -> ConvAutoencoder:
    with torch.random.fork_rng(devices=[]):  # seeded init without touching the caller's RNG
        torch.manual_seed(seed)
        model = ConvAutoencoder(config)
    return model.to(device=device, memory_format=torch.channels_last)


def _model_input(noisy: torch.Tensor) -> torch.Tensor:
    return noisy.contiguous(memory_format=torch.channels_last)


def _corrupt(clean: torch.Tensor, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    return corrupt(clean, config.noise_std, config.mask_ratio, config.mask_patch, generator)


def _batch_loss(
    net: torch.nn.Module,
    model: ConvAutoencoder,
    clean: torch.Tensor,
    config: TrainConfig,
    generator: torch.Generator,
    device: torch.device,
) -> torch.Tensor:
    """Reconstruction MSE, plus the contrastive term between two corruptions when it is on."""
    noisy = _corrupt(clean, config, generator)
    if config.contrastive_weight == 0:
        with autocast(device):
            reconstructed = net(_model_input(noisy))
        return F.mse_loss(reconstructed.float(), clean)
    other = _corrupt(clean, config, generator)
    with autocast(device):
        latent = model.encode(_model_input(noisy))
        reconstructed = model.decoder(latent)
        other_latent = model.encode(_model_input(other))
    contrastive = info_nce(latent.float(), other_latent.float(), config.contrastive_temperature)
    return F.mse_loss(reconstructed.float(), clean) + config.contrastive_weight * contrastive


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    """Symmetric InfoNCE: row i of ``a`` should be closer to row i of ``b`` than to any other row."""
    logits = F.normalize(a, dim=1) @ F.normalize(b, dim=1).T / temperature
    target = torch.arange(len(a), device=a.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


@torch.no_grad()
def _mean_latent(model: ConvAutoencoder, data: _Thumbnails, batch_size: int, device: torch.device) -> list[float]:
    """The catalog's mean raw latent, which the encoder subtracts before normalising.

    Raw latents share a large common component; cosines of uncentred latents then crowd
    together and say little about which thumbnails are alike.
    """
    model.eval()
    total = torch.zeros(model.config.latent_dim, dtype=torch.float64, device=device)
    index = torch.arange(len(data.data), device=data.data.device)
    for start in range(0, len(index), batch_size):
        with autocast(device):
            latent = model.encode(_model_input(data.batch(index[start : start + batch_size])))
        total += latent.double().sum(dim=0)
    return (total / len(index)).float().cpu().tolist()


def _val_generator(config: TrainConfig, device: torch.device) -> torch.Generator:
    """The same corruption every epoch, so validation losses compare across epochs."""
    return torch.Generator(device).manual_seed(config.seed + 3)


@torch.no_grad()
def _validate(
    net: torch.nn.Module,
    data: _Thumbnails,
    index: torch.Tensor,
    config: TrainConfig,
    device: torch.device,
) -> float:
    net.eval()
    generator = _val_generator(config, device)
    total = torch.zeros((), device=device)
    for start in range(0, len(index), config.batch_size):
        clean = data.batch(index[start : start + config.batch_size])
        noisy = _corrupt(clean, config, generator)
        with autocast(device):
            reconstructed = net(_model_input(noisy))
        total += F.mse_loss(reconstructed.float(), clean, reduction="sum") / clean[0].numel()
    return total.item() / len(index)


def _describe(
    model_config: AutoencoderConfig,
    train_config: TrainConfig,
    run: _Progress,
    n_train: int,
    n_val: int,
    device: torch.device,
) -> dict[str, Any]:
    """The JSON written beside the best weights."""
    return {
        "format": checkpoint.FORMAT,
        "version": checkpoint.FORMAT_VERSION,
        "model": model_config.to_dict(),
        "train": train_config.to_dict(),
        "history": run.history,
        "best_epoch": run.best_epoch,
        "best_val_loss": run.best_val_loss,
        "images_per_second": run.images_per_second,
        "n_train": n_train,
        "n_val": n_val,
        "device": str(device),
        "torch": torch.__version__,
    }


def _resume(
    out_dir: Path,
    model: ConvAutoencoder,
    optimizer: torch.optim.Optimizer,
    generators: dict[str, torch.Generator],
    model_config: AutoencoderConfig,
    train_config: TrainConfig,
    fingerprint: str,
    device: torch.device,
) -> _Progress:
    meta, tensors = checkpoint.read_state(out_dir)
    where = out_dir / checkpoint.STATE_FILE
    try:
        saved_model = AutoencoderConfig.from_dict(meta["model"])
        saved_train = TrainConfig.from_dict(meta["train"])
        run = _Progress(
            meta["history"], meta["best_epoch"], meta["best_val_loss"], meta["images_per_second"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{where} has incomplete training metadata ({exc})") from exc
    if diff := saved_model.diff(model_config):
        raise ArtifactError(
            f"cannot resume {where}: it trains another model (saved != requested: {'; '.join(diff)})"
        )
    if diff := saved_train.resume_diff(train_config):
        raise ArtifactError(
            f"cannot resume {where}: it used other training settings "
            f"(saved != requested: {'; '.join(diff)})"
        )
    if meta.get("fingerprint") != fingerprint:
        raise ArtifactError(f"cannot resume {where}: it was trained on a different set of thumbnails")
    if meta.get("device_type") != device.type:
        # RNG states are device-specific; a CPU run continued on a GPU gets fresh corruption noise.
        generators["corrupt"].manual_seed(train_config.seed + 2 + run.epoch)
        generators = {k: v for k, v in generators.items() if k != "corrupt"}
    checkpoint.restore_state(out_dir, tensors, model, optimizer, generators)
    return run


def train_autoencoder(
    images: np.ndarray,
    model_config: AutoencoderConfig,
    train_config: TrainConfig,
    out_dir: Path,
    resume: bool = False,
) -> TrainResult:
    """Train on uint8 thumbnails (N, C, H, W); write weights, description, plots and state to ``out_dir``."""
    check_images(images, model_config)
    n_val = max(1, round(len(images) * train_config.val_fraction))
    n_train = len(images) - n_val
    if n_train < 1:
        raise ValueError(f"need at least 2 thumbnails (one for validation), got {len(images)}")
    out_dir = Path(out_dir)
    device = resolve_device(train_config.device)
    prepare(device)
    fingerprint = _fingerprint(images)

    model = _build_model(model_config, train_config.seed, device)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=train_config.lr, fused=True if device.type == "cuda" else None
    )
    generators = {
        "shuffle": torch.Generator().manual_seed(train_config.seed + 1),
        "corrupt": torch.Generator(device).manual_seed(train_config.seed + 2),
    }
    run = _Progress()
    if resume:
        run = _resume(
            out_dir, model, optimizer, generators, model_config, train_config, fingerprint, device
        )

    data = _Thumbnails(images, device)
    split = torch.randperm(len(images), generator=torch.Generator().manual_seed(train_config.seed))
    split = split.to(data.data.device)
    val_index, train_index = split[:n_val], split[n_val:]
    net = torch.compile(model) if train_config.compile else model
    batches = -(-n_train // train_config.batch_size)
    cfg = replace(train_config, epochs=train_config.epochs_for(batches))  # recorded as run
    first_epoch = run.epoch + 1
    train_seconds = 0.0  # of this call's epochs, for its images/s

    bar = tqdm(
        total=batches * max(0, cfg.epochs - run.epoch),
        desc="training thumbnail autoencoder",
        unit="batch",
        disable=not progress_enabled(),
        leave=False,
    )
    with bar:
        for epoch in range(first_epoch, cfg.epochs + 1):
            started = time.perf_counter()
            net.train()
            order = torch.randperm(n_train, generator=generators["shuffle"]).to(train_index.device)
            order = train_index[order]
            total = torch.zeros((), device=device)
            for start in range(0, n_train, cfg.batch_size):
                clean = data.batch(order[start : start + cfg.batch_size])
                loss = _batch_loss(net, model, clean, cfg, generators["corrupt"], device)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(clean)
                bar.update()
            train_loss = total.item() / n_train  # the epoch's only host synchronisation
            epoch_train_seconds = time.perf_counter() - started
            val_loss = _validate(net, data, val_index, cfg, device)
            train_seconds += epoch_train_seconds
            run.history.append(
                {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "val_loss": val_loss,
                    "seconds": time.perf_counter() - started,
                    "images_per_second": n_train / epoch_train_seconds,
                }
            )
            run.images_per_second = n_train * (epoch - first_epoch + 1) / train_seconds
            bar.set_postfix(epoch=epoch, train=f"{train_loss:.4f}", val=f"{val_loss:.4f}")
            if val_loss < run.best_val_loss:
                run.best_epoch, run.best_val_loss = epoch, val_loss
                checkpoint.save_best(
                    out_dir, model, _describe(model_config, cfg, run, n_train, n_val, device)
                )
            state_meta = {
                **_describe(model_config, cfg, run, n_train, n_val, device),
                "fingerprint": fingerprint,
                "device_type": device.type,
            }
            checkpoint.save_state(out_dir, model, optimizer, generators, state_meta)

    if run.best_epoch == 0:
        raise RuntimeError("training produced no usable epoch (validation loss was NaN); lower lr")
    best, _ = checkpoint.load_best(out_dir)
    checkpoint.load_into(model, best, out_dir / checkpoint.WEIGHTS_FILE)
    description = _describe(model_config, cfg, run, n_train, n_val, device)
    if cfg.centre_latents:
        description[checkpoint.LATENT_MEAN_KEY] = _mean_latent(model, data, cfg.batch_size, device)
    checkpoint.write_json(out_dir / checkpoint.CONFIG_FILE, description)
    _write_plots(model, data, val_index, cfg, device, run, out_dir)
    return TrainResult(
        history=list(run.history),
        best_epoch=run.best_epoch,
        best_val_loss=run.best_val_loss,
        images_per_second=run.images_per_second,
        checkpoint=out_dir / checkpoint.WEIGHTS_FILE,
    )


@torch.no_grad()
def _write_plots(
    model: ConvAutoencoder,
    data: _Thumbnails,
    val_index: torch.Tensor,
    config: TrainConfig,
    device: torch.device,
    run: _Progress,
    out_dir: Path,
) -> None:
    """Loss curve, and input / corrupted / reconstructed validation thumbnails from the best weights."""
    plot_loss_curve(run.history, run.best_epoch, out_dir / LOSS_CURVE_FILE)
    model.eval()
    clean = data.batch(val_index[:_GRID_IMAGES])
    noisy = _corrupt(clean, config, _val_generator(config, device))
    with autocast(device):
        reconstructed = model(_model_input(noisy)).float()
    arrays = [t.cpu().numpy() for t in (clean, noisy, reconstructed)]
    plot_reconstructions(*arrays, out_dir / RECONSTRUCTIONS_FILE)
