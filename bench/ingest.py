"""Ingest benchmark: titles/s embedded, thumbnails/s decoded and encoded, autoencoder training
images/s (via bench/train_throughput.py), and peak memory of `ytrec build` on a generated catalog.

    .venv/bin/python bench/ingest.py                 # ~10-15 min on two cores (the 10k build dominates)
    .venv/bin/python bench/ingest.py --build-videos 2000 --skip-original   # quicker

Title models: the offline MiniLM (``offline:all-MiniLM-L6-v2``, always present); multilingual-e5-base
when it is on this machine (a local copy or the Hugging Face cache; nothing is downloaded).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
SL_TITLES = ROOT.parent / "shared" / "data" / "sl-titles" / "titles.csv"
THUMBS_REAL = ROOT.parent / "shared" / "data" / "thumbs-real"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def titles_per_second(model: str, titles: list[str]) -> dict:
    from ytrec.encoders.title import TextModelConfig, TitleEmbedder

    embedder = TitleEmbedder(TextModelConfig.for_model(model))
    started = time.perf_counter()
    embedder.encode_passages(titles[:8])  # loads the model
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    vectors = embedder.encode_passages(titles)
    seconds = time.perf_counter() - started
    return {"model": model, "titles": len(titles), "dimension": int(vectors.shape[1]),
            "load_s": round(load_s, 1), "titles_per_s": round(len(titles) / seconds, 1)}


def e5_available() -> str | None:
    from ytrec.encoders.title.locate import cached_snapshot, local_model_dir

    for name in ("intfloat/multilingual-e5-base",):
        try:
            if local_model_dir(name) is not None or cached_snapshot(name) is not None:
                return name
        except Exception:  # noqa: BLE001  (an odd cache layout just means "not available")
            pass
    return None


def thumbnails_per_second(n: int) -> list[dict]:
    """Decode + normalize real JPEGs (ingest), then resize + encode with a trained default encoder."""
    from PIL import Image

    from ytrec.catalog.images import normalize, open_thumbnail
    from ytrec.encoders.thumbnail import PRESETS, ThumbnailEncoder, TrainConfig, pil_to_array, train_autoencoder

    files = sorted((THUMBS_REAL / "images").glob("*.jpg"))
    if not files:
        log("(thumbnail rates: ../shared/data/thumbs-real not found; using generated images)")
    data = [p.read_bytes() for p in files] or [b""]
    rows = []
    started = time.perf_counter()
    images = []
    for i in range(n):
        images.append(open_thumbnail(data[i % len(data)]) if files else normalize(Image.new("RGB", (480, 360))))
    rows.append({"step": "decode + normalize to 320x180 (ingest)", "images_per_s": round(n / (time.perf_counter() - started), 1)})
    for preset in ("default", "original"):
        config = PRESETS[preset]
        started = time.perf_counter()
        arrays = pil_to_array(images, config)
        rows.append({"step": f"resize to the model input ({preset}: {config.width}x{config.height}x{config.channels})",
                     "images_per_s": round(n / (time.perf_counter() - started), 1)})
        with tempfile.TemporaryDirectory() as scratch:
            train_autoencoder(arrays[:16], config, TrainConfig(epochs=1, batch_size=8, device="cpu"), Path(scratch))
            encoder = ThumbnailEncoder.load(Path(scratch), device="cpu")
            encoder.encode(arrays[:8])  # warm-up
            count = n if preset == "default" else min(n, 64)
            started = time.perf_counter()
            encoder.encode(arrays[:count])
            rows.append({"step": f"encode ({preset} preset, CPU)", "images_per_s": round(count / (time.perf_counter() - started), 1)})
    return rows


def training_rates(skip_original: bool) -> str:
    """bench/train_throughput.py (another engineer's) on CPU: plain loop vs ytrec's, per preset."""
    runs = [("default", ["--n-images", "256", "--epochs", "2", "--seconds", "15"])]
    if not skip_original:
        runs.append(("original", ["--n-images", "32", "--epochs", "2", "--seconds", "30", "--batch-sizes", "16",
                                  "--plain-batch-size", "16", "--encode-batch-size", "16"]))
    out = []
    for preset, extra in runs:
        log(f"training throughput, {preset} preset ...")
        proc = subprocess.run([sys.executable, str(HERE / "train_throughput.py"), "--preset", preset, "--device", "cpu",
                               *extra], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        out.append(f"#### {preset} preset\n\n" + (proc.stdout.strip() if proc.returncode == 0
                                                  else f"(failed: {proc.stderr.strip().splitlines()[-1:]})"))
    return "\n\n".join(out)


def build_peak_memory(videos: int, epochs: int) -> dict:
    """`ytrec sample --videos N` then `ytrec build` in a child process: wall time and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="ytrec-bench-build-") as scratch:
        scratch = Path(scratch)
        ytrec = [sys.executable, "-m", "ytrec.cli"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        started = time.perf_counter()
        subprocess.run([*ytrec, "sample", str(scratch / "sample"), "--videos", str(videos)], check=True, env=env,
                       capture_output=True)
        sample_s = time.perf_counter() - started
        table = next((scratch / "sample").glob("*.csv"))
        # a fresh wrapper whose only child is the build, so RUSAGE_CHILDREN's peak is the build's alone
        wrapper = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
                   "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(p.returncode)")
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", wrapper, *ytrec, "-q", "build", str(table), "--out",
                               str(scratch / "bundle"), "--epochs", str(epochs), "--text-model",
                               "offline:all-MiniLM-L6-v2"], env=env, capture_output=True, text=True)
        build_s = time.perf_counter() - started
        if proc.returncode != 0:
            return {"videos": videos, "error": proc.stderr.strip().splitlines()[-1:]}
        peak_kb = int(proc.stdout.strip().splitlines()[-1])
        manifest = json.loads((scratch / "bundle" / "manifest.json").read_text())
        size = sum(p.stat().st_size for p in (scratch / "bundle").rglob("*") if p.is_file())
        return {"videos": videos, "epochs": epochs, "sample_s": round(sample_s, 1), "build_s": round(build_s, 1),
                "peak_rss_mb": round(peak_kb / 1024, 0),
                "bundle_mb": round(size / 1e6, 1), "timings": manifest.get("timings", {}),
                "indexes": {m: c["kind"] for m, c in manifest.get("index_selection", {}).get("modalities", {}).items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-videos", type=int, default=10_000)
    parser.add_argument("--build-epochs", type=int, default=1, help="epochs of the build's training (peak memory "
                        "does not grow with epochs; the default 20 would take ~1 h at 10k on two cores)")
    parser.add_argument("--thumbnails", type=int, default=512)
    parser.add_argument("--skip-original", action="store_true", help="skip training img/s at the original preset")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "ingest.md")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    from query_scale import machine

    header = machine()
    titles = [r["title"] for r in csv.DictReader(SL_TITLES.open(encoding="utf-8"))] if SL_TITLES.is_file() else []
    titles = (titles * 2)[:2000] if titles else [f"sample title number {i}" for i in range(2000)]
    log("titles ...")
    title_rows = [titles_per_second("offline:all-MiniLM-L6-v2", titles)]
    e5 = e5_available()
    if e5:
        title_rows.append(titles_per_second(e5, titles[:500]))
    log("thumbnails ...")
    thumb_rows = thumbnails_per_second(args.thumbnails)
    training = training_rates(args.skip_original)
    build = None if args.skip_build else (log(f"ytrec build on {args.build_videos} generated videos ...")
                                          or build_peak_memory(args.build_videos, args.build_epochs))
    lines = [f"Machine: {header}", "", "### Title embedding (sl-titles, repeated to 2000)", "",
             "| model | dim | model load s | titles/s |", "|---|---|---|---|"]
    lines += [f"| {r['model']} | {r['dimension']} | {r['load_s']} | {r['titles_per_s']} |" for r in title_rows]
    if not e5:
        lines.append("| intfloat/multilingual-e5-base | 768 | - | not on this machine (no network): not measured |")
    lines += ["", f"### Thumbnails ({args.thumbnails} real 320x180 JPEGs from thumbs-real, cycled)", "",
              "| step | images/s |", "|---|---|"]
    lines += [f"| {r['step']} | {r['images_per_s']} |" for r in thumb_rows]
    lines += ["", "### Autoencoder training on CPU (bench/train_throughput.py)", "", training]
    if build:
        lines += ["", f"### `ytrec build` on a generated catalog ({build['videos']} videos, "
                      f"{build.get('epochs')} training epoch, offline MiniLM)", ""]
        if "error" in build:
            lines.append(f"failed: {build['error']}")
        else:
            lines += ["| videos | sample s | build s | peak RSS MB | bundle MB | indexes | build timings |",
                      "|---|---|---|---|---|---|---|",
                      f"| {build['videos']} | {build['sample_s']} | {build['build_s']} | {build['peak_rss_mb']:.0f} | "
                      f"{build['bundle_mb']} | {build['indexes']} | {build['timings']} |"]
    lines += ["", f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]
    text = "\n".join(lines)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
