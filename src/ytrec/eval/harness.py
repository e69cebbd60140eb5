"""``ytrec evaluate``: every system on the same label-relevance queries, plus copy detection.

Which systems: the hybrid under each fusion method (the bundle's weights and diversity; the
bundle's own method is marked ``default``), the same with MMR, each single signal, the original
project's method, a random floor, and training-free thumbnail descriptors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from ytrec.catalog.images import load_stored
from ytrec.core.recommender import Recommender
from ytrec.eval.copies import CopyDetectionEvaluator, DescriptorCopySystem, StoreCopySystem
from ytrec.eval.cross_script import cross_script
from ytrec.eval.neighbours import neighbour_grid
from ytrec.eval.pixel_baselines import DESCRIPTORS
from ytrec.eval.relevance import LabelRelevance
from ytrec.eval.retrieval import RetrievalEvaluator
from ytrec.eval.systems import OriginalMethod, RandomSystem, RecommenderSystem, System, VectorSystem
from ytrec.fusion.registry import fusion_names
from ytrec.signals import mode_signals, query_modes, signals_for, signals_for_source

Log = Callable[[str], None]
MMR_LAMBDA = 0.7  # the diversity variant reported beside each default


@dataclass
class EvalConfig:
    label: str = "channel"
    ks: list[int] = field(default_factory=lambda: [10])
    sample: int | None = None  # None: every judgeable video is a query (leave-one-out)
    seed: int = 0
    copies: bool = False
    copy_sample: int = 200
    cross_script: str | None = None  # a script column (sl-titles: title_script): cross-script title matching


def evaluate(recommender: Recommender, config: EvalConfig, log: Log = print) -> dict:
    """Metrics of every system (and copy detection when asked), as one JSON-ready dict."""
    catalog, stores = recommender.catalog, recommender.bundle.stores
    relevance = LabelRelevance.from_catalog(catalog, config.label, recommender.bundle.manifest["source"].get("columns"))
    queries = relevance.queries(config.sample, config.seed)
    evaluator = RetrievalEvaluator(
        relevance, queries, config.ks, len(catalog), catalog.column("channel"),
        pairwise=lambda rows: {m: store.pairwise(rows) for m, store in stores.items()},
    )
    default = f"hybrid {recommender.fusion.name}"
    systems = retrieval_systems(recommender, config.seed)
    if recommender.bundle.has_thumbnails:
        images = [load_stored(recommender.bundle.thumbnail_path(r)) for r in range(len(catalog))]
        systems += [VectorSystem(f"pixels: {name}", describe(images)) for name, describe in DESCRIPTORS.items()]
    results = {}
    for system in systems:
        log(f"evaluating {system.name} on {len(queries)} queries")
        results[system.name] = {**evaluator(system), "default": system.name == default}
    report = {
        "bundle": str(recommender.bundle.root),
        "label": config.label,
        "ks": sorted(set(config.ks)),
        "queries": len(queries),
        "catalog_size": len(catalog),
        "fusion": recommender.bundle.manifest["fusion"],
        "default": default,
        "systems": results,
    }
    if config.copies:
        report["copies"] = copy_detection(recommender, config, log)
    if (grid := neighbour_grid(recommender, relevance, queries, seed=config.seed)) is not None:
        report["neighbours"] = grid
    if config.cross_script:
        report["cross_script"] = cross_script(recommender, relevance, config.cross_script, max(config.ks), config.seed, log)
    return report


def retrieval_systems(recommender: Recommender, seed: int) -> list[System]:
    modalities = recommender.bundle.modalities
    systems: list[System] = []
    methods = [recommender.fusion.name] + [m for m in fusion_names() if m != recommender.fusion.name]
    if len(modalities) > 1:
        systems += [RecommenderSystem(f"hybrid {m}", recommender, "hybrid", fusion=m) for m in methods]
        with_mmr = replace(recommender.diversity, mmr_lambda=MMR_LAMBDA)
        systems.append(RecommenderSystem(f"hybrid {methods[0]} + MMR {MMR_LAMBDA}", recommender, "hybrid", diversity=with_mmr))
    specs = signals_for(modalities)
    for spec in specs:  # each signal alone, through the mode that isolates it
        alone = next((m for m in spec.modes if mode_signals(m) == (spec.name,)), None)
        if alone is not None:
            systems.append(RecommenderSystem(f"{spec.source} only ({spec.method})", recommender, alone))
    for mode in query_modes():  # modes that combine some (not all) of the bundle's signals
        present = [s for s in specs if s.name in mode_signals(mode)]
        if len(present) > 1 and len(present) < len(modalities):
            systems.append(RecommenderSystem(f"{mode} ({' + '.join(s.method for s in present)})", recommender, mode))
    # the original project's two signals: the ones computed by trained models
    systems.append(OriginalMethod([recommender.bundle.stores[s.name] for s in specs if s.model is not None]))
    systems.append(RandomSystem(len(recommender.catalog), seed))
    return systems


def copy_detection(recommender: Recommender, config: EvalConfig, log: Log = print) -> dict[str, dict]:
    """Recall@1/@10 of transformed copies, for the autoencoder and the pixel descriptors."""
    bundle = recommender.bundle
    if not bundle.has_thumbnails:
        return {}
    n = len(bundle.catalog)
    digests: dict[str, set[int]] = {}
    for row in range(n):
        digests.setdefault(hashlib.sha256(bundle.thumbnail_path(row).read_bytes()).hexdigest(), set()).add(row)
    same_image = {row: rows - {row} for rows in digests.values() for row in rows}
    rows = range(n)
    if config.copy_sample < n:
        rows = sorted(np.random.default_rng(config.seed).choice(n, size=config.copy_sample, replace=False).tolist())
    images = {r: load_stored(bundle.thumbnail_path(r)) for r in rows}
    evaluator = CopyDetectionEvaluator(images, same_image)
    catalog_images = [load_stored(bundle.thumbnail_path(r)) for r in range(n)]
    systems: list = []
    for spec in signals_for_source("thumbnail"):
        if spec.name in bundle.stores:
            store = bundle.stores[spec.name]
            systems.append(StoreCopySystem(spec.method, store, partial(spec.encode_queries, store=store, models=recommender)))
    systems += [DescriptorCopySystem(f"pixels: {name}", d, catalog_images) for name, d in DESCRIPTORS.items()]
    results = {}
    for system in systems:
        log(f"copy detection: {system.name} on {len(images)} thumbnails x {len(evaluator.copies)} transforms")
        results[system.name] = evaluator(system)
    return results
