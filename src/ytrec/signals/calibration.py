"""Per-row corrections of each signal's scores before fusion, measured when a bundle is built.

**Hubs.** In every embedding some rows sit close to nearly everything: a generic title, a Sinhala
title that an English model reads as a run of unknown tokens, a plain thumbnail. Scored by raw
similarity they crowd every list. So each signal's score of a candidate is discounted by the
candidate's *density*: its mean similarity to its ``HUB_NEIGHBOURS`` nearest rows among a seeded
reference sample of the catalog (CSLS, Conneau et al. 2018, one-sided: the query's own density
is the same for every candidate, so it changes no ranking).

**Unread titles.** A title model whose tokenizer knows only part of a title compares unknown
tokens, not words. Its weight for a query counts in proportion to the share of the query's
tokens it reads (about 1 for a multilingual model on any script, ~0.1 for an English model on
a Sinhala title), so the signals that do read the title decide.

Both only re-weigh what the signals measured: the similarities a result shows, and the duplicate
thresholds, stay the raw ones. Measured with ``ytrec evaluate`` (README "Evaluation").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ytrec.errors import ArtifactError
from ytrec.fusion.expansion import Neighbours
from ytrec.index.base import ModalityStore

CALIBRATION_FILE = "calibration.npz"
HUB_NEIGHBOURS = 20
HUB_DISCOUNT = 0.25  # a candidate's score loses a quarter of its density (CSLS subtracts half; half that measured best)
REFERENCE_ROWS = 4096  # rows every density is measured against (all of a smaller catalog)
SEED = 0


@dataclass
class Calibration:
    """The densities and title coverages of a bundle's rows; empty for bundles built before them."""

    density: dict[str, np.ndarray] = field(default_factory=dict)  # signal -> (N,) float32
    coverage: dict[str, np.ndarray] = field(default_factory=dict)  # signal -> (N,) float32 in [0, 1]
    reference: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def empty(self) -> bool:
        return not (self.density or self.coverage)

    @property
    def rows(self) -> int:
        """The catalog rows it holds values for."""
        return len(next(iter({**self.density, **self.coverage}.values()), ()))

    # -- at query time ---------------------------------------------------------------------

    def discounted(self, scores: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
        """Each signal's scores of ``rows`` less the discount of each row's density."""
        if not self.density:
            return scores
        return {m: s - np.float32(HUB_DISCOUNT) * self.density[m][rows] if m in self.density else s
                for m, s in scores.items()}

    def discounted_neighbours(self, neighbours: Neighbours, rows: np.ndarray) -> Neighbours:
        """Pool-to-pool similarities (query expansion) discounted like the query's own."""
        if not self.density:
            return neighbours

        def discounted(idx: np.ndarray, names: list[str]) -> dict[str, np.ndarray]:
            found = neighbours(idx, names)
            return {m: s - np.float32(HUB_DISCOUNT) * self.density[m][rows][None, :] if m in self.density else s
                    for m, s in found.items()}

        return discounted

    def scale_of_rows(self, rows: Iterable[int]) -> dict[str, float]:
        """Per token-reading signal, the weight factor of a query made of catalog ``rows``: the
        mean share of their tokens its model reads."""
        rows = np.asarray(list(rows), dtype=np.int64)
        if not len(rows):
            return {}
        return {m: float(c[rows].mean()) for m, c in self.coverage.items()}

    # -- kept with the bundle --------------------------------------------------------------

    def save(self, directory: Path) -> list[str]:
        if self.empty:
            return []
        arrays = {f"density.{m}": d.astype(np.float32) for m, d in self.density.items()}
        arrays.update({f"coverage.{m}": c.astype(np.float32) for m, c in self.coverage.items()})
        with open(directory / CALIBRATION_FILE, "wb") as f:
            np.savez(f, reference=self.reference.astype(np.int64), **arrays)
        return [CALIBRATION_FILE]

    @classmethod
    def load(cls, directory: Path, files: Iterable[str], rows: int) -> "Calibration":
        """The bundle's calibration, or none (a bundle built before it ranks as it always did)."""
        if CALIBRATION_FILE not in set(files):
            return cls()
        with np.load(Path(directory) / CALIBRATION_FILE) as z:
            density = {k.split(".", 1)[1]: z[k] for k in z.files if k.startswith("density.")}
            coverage = {k.split(".", 1)[1]: z[k] for k in z.files if k.startswith("coverage.")}
            calibration = cls(density, coverage, z["reference"])
        if calibration.rows != rows:
            raise ArtifactError(f"bundle {directory}: {CALIBRATION_FILE} has {calibration.rows} rows for {rows} videos")
        return calibration

    def describe(self) -> dict:
        """The manifest's record of how the corrections were measured."""
        return {"hub_discount": HUB_DISCOUNT, "hub_neighbours": HUB_NEIGHBOURS, "reference_rows": len(self.reference),
                "density": sorted(self.density), "coverage": sorted(self.coverage)}

    # -- when the catalog changes ----------------------------------------------------------

    def with_rows_added(self, stores: dict[str, ModalityStore], coverage: dict[str, np.ndarray]) -> "Calibration":
        """The calibration of ``stores`` (old rows, then new ones): the new rows' densities
        against the same reference, their coverages as given."""
        if self.empty:
            return self
        new = np.arange(self.rows, len(next(iter(stores.values()))), dtype=np.int64)
        density = {m: np.concatenate([d, measure_density(stores[m], self.reference, new)]) for m, d in self.density.items()}
        covered = {m: np.concatenate([c, np.asarray(coverage[m], dtype=np.float32)]) for m, c in self.coverage.items()}
        return Calibration(density, covered, self.reference)

    def with_rows_removed(self, rows: np.ndarray) -> "Calibration":
        """Without the given (sorted, unique) rows, the others renumbered."""
        if self.empty:
            return self
        keep = np.ones(self.rows, dtype=bool)
        keep[rows] = False
        renumbered = np.cumsum(keep) - 1
        reference = renumbered[self.reference[keep[self.reference]]]
        return Calibration({m: d[keep] for m, d in self.density.items()},
                           {m: c[keep] for m, c in self.coverage.items()}, reference.astype(np.int64))

    def with_density_of(self, stores: dict[str, ModalityStore]) -> "Calibration":
        """The densities of ``stores`` measured again (their vectors changed: ``ytrec retrain``)."""
        changed = {m: measure_density(s, self.reference) for m, s in stores.items() if m in self.density}
        return Calibration({**self.density, **changed}, self.coverage, self.reference)


def scaled_weights(weights: dict[str, float], scale: dict[str, float]) -> dict[str, float]:
    """``weights`` times the query's factors; unchanged where fewer than two signals weigh (one
    signal alone ranks the same at any weight) or where none would be left weighing."""
    weighted = [m for m, w in weights.items() if w > 0]
    if not scale or len(weighted) < 2:
        return weights
    scaled = {m: w * scale.get(m, 1.0) for m, w in weights.items()}
    return scaled if any(scaled[m] > 0 for m in weighted) else weights


def calibration_off(stores: dict[str, ModalityStore]) -> str | None:
    """Why a build leaves the calibration out, or None. Out where a store recomputes each row's
    vector (the lexical store past the size where its term vectors fit the memory budget): the
    densities' products would then cost ~1.4 ms a row (24 min at 1M rows on 2 cores)."""
    recomputing = sorted(name for name, store in stores.items() if getattr(store, "recomputes_rows", False))
    if recomputing:
        return f"off: {', '.join(recomputing)} recomputes each row's vector at this catalog size"
    return None


def calibrate(stores: dict[str, ModalityStore], coverage: dict[str, np.ndarray]) -> Calibration:
    """Densities of the given stores' rows against a seeded reference sample; coverages as given."""
    n = len(next(iter(stores.values()))) if stores else len(next(iter(coverage.values()), []))
    rng = np.random.default_rng(SEED)
    reference = np.sort(rng.choice(n, size=min(REFERENCE_ROWS, n), replace=False)).astype(np.int64)
    density = {m: measure_density(s, reference) for m, s in stores.items()}
    return Calibration(density, {m: np.asarray(c, dtype=np.float32) for m, c in coverage.items()}, reference)


def measure_density(store: ModalityStore, reference: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """Per row (all by default), the mean similarity to its ``HUB_NEIGHBOURS`` nearest reference
    rows, itself excluded. A batch of rows with the reference is one ``pairwise`` product (a
    matrix product in every store kind; per-row similarity calls took 0.7 ms a row for an HNSW
    store at 1M rows, and 22 ms for the lexical one)."""
    rows = np.arange(len(store), dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    k = min(HUB_NEIGHBOURS, len(reference) - 1)
    out = np.zeros(len(rows), dtype=np.float32)
    if k < 1:
        return out
    batch_size = max(len(reference), 1)
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        product = np.asarray(store.pairwise(np.concatenate([batch, reference])), dtype=np.float32)
        similarity = product[: len(batch), len(batch) :].copy()  # (B, R)
        similarity[batch[:, None] == reference[None, :]] = -np.inf
        out[start : start + len(batch)] = -np.partition(-similarity, k - 1, axis=1)[:, :k].mean(axis=1)
    return out
