"""Training and encoding throughput of the thumbnail autoencoder: notebook-style loop vs ytrec's.

Compares, on one device in one process:

(a) ``plain``: the original notebook's loop. Batch 64, every batch built on the host by converting
    each thumbnail numpy -> float tensor in a Python loop, copied to the device, float32, no
    autocast, default ``torch.optim.Adam``, ``loss.item()`` every step, cudnn.benchmark off;
(b) ``ytrec``: ``train_autoencoder`` itself (thumbnails resident on the device as uint8, bf16
    autocast, channels_last, cudnn.benchmark, fused Adam on CUDA), optionally with torch.compile;
(c) encoding with ``ThumbnailEncoder.encode`` (uint8 numpy in, unit vectors out, transfers included).

The thumbnails are uniform random uint8 noise: the work per image does not depend on content, and
a benchmark needs no catalog. Throughput of (b) is the steady state: training images per second of
training time over the epochs after the first (which includes cuDNN autotuning / compilation);
validation, checkpoint writing and plots are not counted.

    PYTHONPATH=src python bench/train_throughput.py --preset default --device cpu --n-images 512
    PYTHONPATH=src python bench/train_throughput.py --preset original --device cuda \\
        --n-images 4096 --batch-sizes 64,256 --compile --out bench/results
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ytrec.encoders.thumbnail import (
    PRESETS,
    AutoencoderConfig,
    ThumbnailEncoder,
    TrainConfig,
    train_autoencoder,
)
from ytrec.encoders.thumbnail.model import ConvAutoencoder
from ytrec.encoders.thumbnail.runtime import resolve_device


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def plain_loop(
    images: np.ndarray, config: AutoencoderConfig, device: torch.device, batch_size: int, seconds: float
) -> float:
    """Images/s of the notebook-style loop, after two warm-up batches, for about ``seconds``."""
    torch.backends.cudnn.benchmark = False
    torch.manual_seed(0)
    model = ConvAutoencoder(config).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)

    def step() -> None:
        idx = rng.integers(0, len(images), batch_size)
        batch = torch.stack([torch.from_numpy(images[i]).float() / 255.0 for i in idx]).to(device)
        noisy = (batch + 0.1 * torch.randn_like(batch)).clamp(0, 1)
        loss = F.mse_loss(model(noisy), batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        loss.item()

    for _ in range(2):
        step()
    _sync(device)
    started, steps = time.perf_counter(), 0
    while steps == 0 or time.perf_counter() - started < seconds:
        step()
        steps += 1
    _sync(device)
    return steps * batch_size / (time.perf_counter() - started)


def ytrec_training(
    images: np.ndarray, config: AutoencoderConfig, train: TrainConfig, out_dir: Path
) -> dict[str, float]:
    result = train_autoencoder(images, config, train, out_dir)
    steady = result.history[1:] or result.history
    n_train = len(images) - max(1, round(len(images) * train.val_fraction))
    seconds = sum(n_train / h["images_per_second"] for h in steady)
    return {
        "images_per_second": n_train * len(steady) / seconds,
        "first_epoch_images_per_second": result.history[0]["images_per_second"],
        "epoch_images_per_second": statistics.median(h["images_per_second"] for h in steady),
    }


def encode_throughput(images: np.ndarray, model_dir: Path, device: str, batch_size: int) -> float:
    encoder = ThumbnailEncoder.load(model_dir, device=device)
    encoder.encode(images[: 2 * batch_size], batch_size=batch_size)  # warm-up / autotune
    _sync(encoder.device)
    started = time.perf_counter()
    encoder.encode(images, batch_size=batch_size)
    return len(images) / (time.perf_counter() - started)


def _markdown(rows: list[dict[str, Any]], header: dict[str, Any]) -> str:
    lines = [
        f"**{header['preset']}** preset ({header['model']}), {header['n_images']} random uint8 "
        f"thumbnails, {header['device_name']}, torch {header['torch']}",
        "",
        "| path | batch | img/s (encode: thumbnails/s) | vs plain | first epoch img/s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    plain = rows[0]["images_per_second"]
    for row in rows:
        ips = row.get("images_per_second")
        value = f"{ips:,.1f}" if ips else f"failed: {row['error']}"
        ratio = f"{ips / plain:.2f}x" if ips and not row["path"].endswith("encode") else ""
        first = row.get("first_epoch_images_per_second")
        first_text = f"{first:,.1f}" if first else ""
        lines.append(f"| {row['path']} | {row['batch']} | {value} | {ratio} | {first_text} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="default")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--n-images", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per ytrec run (first is warm-up)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time budget of the plain loop")
    parser.add_argument("--plain-batch-size", type=int, default=64)
    parser.add_argument("--batch-sizes", default="64", help="comma-separated batch sizes for ytrec runs")
    parser.add_argument("--compile", action="store_true", help="also run ytrec with torch.compile")
    parser.add_argument("--encode-batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch default)")
    parser.add_argument("--out", type=Path, help="also write results.md and results.json here")
    args = parser.parse_args(argv)

    if args.threads:
        torch.set_num_threads(args.threads)
    config = PRESETS[args.preset]
    device = resolve_device(args.device)
    images = np.random.default_rng(0).integers(0, 256, (args.n_images, *config.image_shape), dtype=np.uint8)
    header = {
        "preset": args.preset,
        "model": ", ".join(f"{k}={v}" for k, v in config.to_dict().items()),
        "n_images": args.n_images,
        "device": str(device),
        "device_name": torch.cuda.get_device_name(device) if device.type == "cuda"
        else f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} threads",
        "torch": torch.__version__,
        "epochs": args.epochs,
    }
    rows: list[dict[str, Any]] = []

    def record(row: dict[str, Any]) -> None:
        rows.append(row)
        print(f"  -> {row}", file=sys.stderr, flush=True)

    print(f"plain loop, {args.seconds:.0f} s ...", file=sys.stderr, flush=True)
    ips = plain_loop(images, config, device, args.plain_batch_size, args.seconds)
    record({"path": "plain fp32 loop (notebook)", "batch": args.plain_batch_size, "images_per_second": ips})

    # Compiled last: it is the slowest to start and the likeliest to fail.
    variants = [(int(b), False) for b in args.batch_sizes.split(",")]
    if args.compile:
        variants.append((variants[-1][0], True))
    with tempfile.TemporaryDirectory() as tmp:
        for batch_size, compiled in variants:
            name = f"ytrec train_autoencoder{' + torch.compile' if compiled else ''}"
            print(f"{name}, batch {batch_size} ...", file=sys.stderr, flush=True)
            train = TrainConfig(
                epochs=args.epochs, batch_size=batch_size, device=str(device), compile=compiled
            )
            out_dir = Path(tmp) / f"run-{batch_size}-{int(compiled)}"
            try:
                record({"path": name, "batch": batch_size, **ytrec_training(images, config, train, out_dir)})
            except Exception as exc:  # report a failing variant (e.g. no compiler) and go on
                error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:120]}"
                record({"path": name, "batch": batch_size, "images_per_second": None, "error": error})
                continue
            if not any(row["path"] == "ytrec encode" for row in rows):
                print("encoding ...", file=sys.stderr, flush=True)
                ips = encode_throughput(images, out_dir, str(device), args.encode_batch_size)
                record({"path": "ytrec encode", "batch": args.encode_batch_size, "images_per_second": ips})

    table = _markdown(rows, header)
    print(table)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        stem = f"{args.preset}-{device.type}"
        (args.out / f"{stem}.md").write_text(table + "\n")
        (args.out / f"{stem}.json").write_text(json.dumps({**header, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
