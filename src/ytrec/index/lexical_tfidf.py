"""The previous lexical kind (``tfidf_char``: an exact sparse TF-IDF product against every title), kept
only until the build switches to ``lexical.LexicalIndexStore``; then removed (old bundles: ``ytrec upgrade``).

Why: a multilingual text model is not always at hand, and the offline English MiniLM maps almost
every Sinhala/Tamil token to ``[UNK]``. Character n-grams need no model, no tokenizer and no
language knowledge, so they match Sinhala, Tamil, English and mixed titles alike, including
typos and transliteration variants.

Weighting (fixed, recorded in the manifest): text is NFKC-normalized and case-folded; n-grams
come from inside word boundaries (scikit-learn's ``char_wb``); term frequency is sublinear
(``1 + log tf``); idf is smoothed (``ln((1 + n) / (1 + df)) + 1``); rows are L2-normalized, so
the inner product of two rows is their cosine in [0, 1].

Storage: vocabulary as JSON, idf and config in the manifest-listed ``.npz``/``.json`` files, the
title matrix as a scipy sparse ``.npz``; nothing is pickled. Search is an exact sparse matrix
product against every title: linear in the catalog, comfortably fast up to ~1e5 titles (a few ms
per query); beyond that an inverted index would be needed.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, NewRows, SearchParams
from ytrec.index.registry import register


@dataclass(frozen=True)
class LexicalConfig:
    """n-gram range and vocabulary limits; ``max_features`` keeps the most frequent n-grams."""

    ngram_min: int = 2
    ngram_max: int = 4
    min_df: int = 1
    max_features: int | None = 500_000

    def to_dict(self) -> dict:
        return asdict(self)


def normalize_text(text: str) -> str:
    """NFKC + case-fold: full-width forms, ligatures and case variants become one n-gram."""
    return unicodedata.normalize("NFKC", text).casefold()


def _counter(config: LexicalConfig, vocabulary: dict[str, int] | None = None) -> CountVectorizer:
    return CountVectorizer(
        analyzer="char_wb",
        ngram_range=(config.ngram_min, config.ngram_max),
        preprocessor=normalize_text,
        lowercase=False,
        min_df=config.min_df if vocabulary is None else 1,
        max_features=config.max_features if vocabulary is None else None,
        vocabulary=vocabulary,
        dtype=np.float32,
    )


@register
class LexicalStore(ModalityStore):
    """TF-IDF rows of the catalog's titles; row ``i`` is catalog row ``i``."""

    kind = "tfidf_char"

    def __init__(
        self, name: str, config: LexicalConfig, vocabulary: dict[str, int], idf: np.ndarray, matrix: sp.csr_matrix
    ) -> None:
        super().__init__(name)
        if matrix.shape[1] != len(vocabulary) or len(idf) != len(vocabulary):
            raise ArtifactError(f"{name}: vocabulary, idf and matrix disagree in size")
        self.config = config
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self.matrix = matrix.tocsr()
        self._counter = _counter(config, vocabulary)

    @classmethod
    def build(cls, name: str, titles: list[str], config: LexicalConfig | None = None) -> "LexicalStore":
        config = config or LexicalConfig()
        counter = _counter(config)
        try:
            counts = counter.fit_transform(titles)
        except ValueError:  # every title empty of n-grams (e.g. one-character titles)
            raise ArtifactError("no title yields a character n-gram: cannot build a lexical index") from None
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        idf = np.log((1 + len(titles)) / (1 + df)).astype(np.float32) + 1
        vocabulary = {term: int(i) for term, i in counter.vocabulary_.items()}
        return cls(name, config, vocabulary, idf, _weigh(counts, idf))

    def encode(self, texts: list[str]) -> sp.csr_matrix:
        """Query rows for new text (cold start, free-text search); n-grams unseen at build are dropped."""
        return _weigh(self._counter.transform(texts), self.idf)

    @property
    def dimension(self) -> int:
        return len(self.vocabulary)

    def __len__(self) -> int:
        return int(self.matrix.shape[0])

    def search(
        self, queries: sp.spmatrix, k: int, params: SearchParams | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-k by sparse matrix product (``params`` do not apply); ties broken by row."""
        queries = sp.csr_matrix(queries)
        k = min(k, len(self))
        scores = np.asarray((queries @ self.matrix.T).todense(), dtype=np.float32)
        rows = np.empty((scores.shape[0], k), dtype=np.int64)
        top = np.empty((scores.shape[0], k), dtype=np.float32)
        for i, row_scores in enumerate(scores):
            best = np.argpartition(-row_scores, k - 1)[:k] if k < len(row_scores) else np.arange(len(row_scores))
            order = best[np.lexsort((best, -row_scores[best]))]
            rows[i], top[i] = order, row_scores[order]
        return top, rows

    def similarity(self, query: sp.spmatrix, rows: np.ndarray) -> np.ndarray:
        return np.asarray((self.matrix[rows] @ sp.csr_matrix(query).T).todense(), dtype=np.float32).ravel()

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        block = self.matrix[rows]
        return np.asarray((block @ block.T).todense(), dtype=np.float32)

    def row_query(self, row: int) -> sp.csr_matrix:
        return self.matrix[row]

    def with_rows_added(self, rows: NewRows) -> "LexicalStore":
        """New titles weighted with the build's vocabulary and idf (refreshed by the next build)."""
        added = self.encode([str(record.get("title") or "") for record in rows.records])
        return LexicalStore(self.name, self.config, self.vocabulary, self.idf, sp.vstack([self.matrix, added]))

    def with_rows_removed(self, rows: np.ndarray) -> "LexicalStore":
        keep = np.ones(len(self), dtype=bool)
        keep[rows] = False
        return LexicalStore(self.name, self.config, self.vocabulary, self.idf, self.matrix[keep])

    def describe(self) -> dict:
        return {**super().describe(), "config": self.config.to_dict()}

    def save(self, directory: Path) -> list[str]:
        names = [f"{self.name}_vocabulary.json", f"{self.name}_idf.npy", f"{self.name}_matrix.npz"]
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (directory / names[0]).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        np.save(directory / names[1], self.idf)
        sp.save_npz(directory / names[2], self.matrix)
        return names

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict) -> "LexicalStore":
        paths = [directory / f"{name}_vocabulary.json", directory / f"{name}_idf.npy", directory / f"{name}_matrix.npz"]
        for path in paths:
            if not path.is_file():
                raise ArtifactError(f"bundle is missing {path.name}")
        try:
            terms = json.loads(paths[0].read_text(encoding="utf-8"))
            idf = np.load(paths[1])
            matrix = sp.load_npz(paths[2])
            config = LexicalConfig(**meta.get("config", {}))
        except (OSError, ValueError, TypeError) as exc:
            raise ArtifactError(f"cannot read {name} lexical index: {exc}") from None
        return cls(name, config, {term: i for i, term in enumerate(terms)}, idf, matrix)


def _weigh(counts: sp.spmatrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf times idf, rows L2-normalized (an empty row stays empty)."""
    weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    weighted.data = 1 + np.log(weighted.data)
    weighted = weighted @ sp.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ weighted, dtype=np.float32)
