"""The lexical store ytrec had before the inverted index (kind ``tfidf_char``), kept here only as
the baseline the lexical benchmarks measure in the same run: character 2-4-gram TF-IDF
(scikit-learn ``char_wb``, sublinear tf, smoothed idf, L2 rows) and an exact sparse product
against every title per query.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, SearchParams


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

    def save(self, directory: Path) -> list[str]:
        raise NotImplementedError("the baseline is never saved")

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict) -> "LexicalStore":
        raise NotImplementedError("the baseline is never loaded")


def _weigh(counts: sp.spmatrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf times idf, rows L2-normalized (an empty row stays empty)."""
    weighted = sp.csr_matrix(counts, dtype=np.float32, copy=True)
    weighted.data = 1 + np.log(weighted.data)
    weighted = weighted @ sp.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1 / np.maximum(norms, 1e-12)) @ weighted, dtype=np.float32)
