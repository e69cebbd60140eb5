"""``ytrec upgrade``: bring a bundle made by an older ytrec up to this version's store kinds.

Only the model-free signals (the lexical title terms, the thumbnail copy codes) change kind
between versions; they are rebuilt from what every bundle keeps (``catalog.parquet`` and the
stored thumbnails), chosen by ``--index auto`` within the bundle's recorded memory budget, with
the other stores held at what they are. Everything else (the trained encoder, the dense stores,
the fusion settings, the update history) is carried over untouched, and the bundle is published
atomically like ``ytrec add`` (``artifact/update.py``). A bundle whose *model* stores are of an
unknown kind cannot be upgraded this way: it needs a new build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ytrec.artifact.bundle import CATALOG_FILE
from ytrec.artifact.manifest import read_manifest
from ytrec.artifact.update import bundle_lock, publish_update
from ytrec.catalog.catalog import Catalog
from ytrec.errors import ArtifactError
from ytrec.index.auto import DEFAULT_MEMORY_BUDGET, StoreCandidate, choose_jointly
from ytrec.index.registry import known_kinds
from ytrec.pipeline.update import UpdateResult, existing_bundle
from ytrec.signals import SIGNALS, BuildContext, LoadedModels
from ytrec.signals.plan import describe_choice

Log = Callable[[str], None]


def upgrade_bundle(root: Path, log: Log = print) -> UpdateResult:
    """Rebuild the bundle's model-free stores with this version's kinds; returns the new manifest."""
    root = existing_bundle(root)
    with bundle_lock(root):
        manifest = read_manifest(root)
        modalities = manifest.get("modalities", {})
        known = set(known_kinds())
        stuck = [n for n, meta in modalities.items()
                 if meta.get("index") not in known and (n not in SIGNALS or SIGNALS[n].model is not None)]
        if stuck:
            raise ArtifactError(f"bundle {root}: the {', '.join(stuck)} store(s) cannot be upgraded (they need "
                                "the models that built them); rebuild the bundle with `ytrec build`")
        specs = [SIGNALS[n] for n in modalities if n in SIGNALS and SIGNALS[n].model is None]
        if not specs:
            raise ArtifactError(f"bundle {root} has no model-free store to upgrade")
        catalog = Catalog.load(root / CATALOG_FILE)
        ctx = BuildContext(root, catalog, LoadedModels())
        selection = dict(manifest.get("index_selection") or {})
        budget = selection.get("memory_budget_bytes", DEFAULT_MEMORY_BUDGET)
        ctx.plan = _plan(specs, ctx, modalities, selection, budget)
        stores = {}
        for spec in specs:
            stores[spec.name] = spec.build(ctx)
            log(describe_choice(spec.name, ctx.choices[spec.name]))
        recorded = dict(selection.get("modalities", {}))
        recorded.update({name: choice.to_dict() for name, choice in ctx.choices.items()})
        record = {"op": "upgrade", "rebuilt": {s.name: {"from": modalities[s.name].get("index"),
                                                        "to": stores[s.name].kind} for s in specs}}
        changes = {"index_selection": {**selection, "memory_budget_bytes": budget, "modalities": recorded}}
        new_manifest = publish_update(root, manifest, record, stores, changes=changes)
    log(f"bundle upgraded: {root} (rebuilt: {', '.join(stores)})")
    return UpdateResult(new_manifest)


def _plan(specs, ctx: BuildContext, modalities: dict, selection: dict, budget: int | None):
    """The rebuilt signals' kinds, chosen together with the kept stores held at their recorded size."""
    kept = {}
    for name, meta in modalities.items():
        if name in {s.name for s in specs}:
            continue
        recorded = selection.get("modalities", {}).get(name, {})
        kept[name] = [StoreCandidate(meta.get("index"), meta.get("params", {}), "kept",
                                     int(recorded.get("estimated_bytes", 0)))]
    candidates = {**kept, **{s.name: s.store_candidates(len(ctx), **s.sizing(ctx)) for s in specs}}
    chosen = choose_jointly(candidates, budget)
    return {s.name: chosen[s.name] for s in specs}
