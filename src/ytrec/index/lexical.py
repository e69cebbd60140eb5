"""The lexical title signal's store: an inverted index for candidates, exact rescoring from titles.

Why: a multilingual text model is not always at hand, and the offline English MiniLM maps almost
every Sinhala/Tamil token to ``[UNK]``. Character n-grams need no model and no language
knowledge, so they match Sinhala, Tamil, English and mixed titles alike, typos included.

How: a tantivy index of title words (``lexical_words``) proposes the best BM25 candidates in
about a millisecond, and each candidate is scored exactly by its character n-gram vector. Where
the memory budget allows (``--index auto``: small and mid catalogs, ~1 KB a title) every title's
weighted vector is stored (``lexical_vectors``): scoring a few hundred rows then takes tens of
microseconds, and a catalog of up to ``LexicalIndexConfig.exact_scan_up_to`` titles is searched by
its exact score against every title, which is both faster than the word index there and exact.
Without stored vectors (a million titles) each candidate's vector is recomputed from its stored
title (``lexical_terms``, hashed term ids, no vocabulary): the store then keeps only the normalized
titles, their norms, the build's document frequencies (memory-mapped) and the word index, about
150-200 bytes a title. ``similarity(query, rows)`` is exact for any row either way. Added titles
are weighted with the build's statistics, as a TF-IDF index does until it is rebuilt.

Scores: cosine of L2-normalized term vectors, in [0, 1]; identical titles (after NFKC, case-fold
and whitespace collapse) score 1, which duplicate collapse relies on.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, NewRows, SearchParams
from ytrec.index.lexical_terms import (
    TermConfig,
    TermRows,
    TermStats,
    document_frequencies,
    matched_dot,
    normalize_title,
    term_counts,
    weigh,
    weigh_with_norms,
)
from ytrec.index.lexical_vectors import INDEX, TermVectors, gram
from ytrec.index.lexical_words import KINDS, WordIndex
from ytrec.index.registry import register

ALL_TOKENS_UP_TO = 100_000  # see LexicalIndexConfig.for_catalog (bench/lexical_speed.py)
VECTORS_UP_TO = 300_000  # stored vectors are offered up to here (~1 KB a title: 300 MB)
_BUILD_CHUNK = 20_000  # titles hashed at once while counting document frequencies
_CACHED_QUERIES = 16  # dense query vectors kept (a query is searched, then its pool rescored)
_CACHED_SEARCHES = 64  # candidate scores kept per query text (the pool is rescored right after)
# measured at 1M synthetic titles of 59.6 characters (bench/lexical_speed.py): 186 bytes a title
_INDEX_BYTES_PER_CHAR = 0.95  # tantivy index (tokens, words, affixes)
_TITLE_BYTES_PER_CHAR = 1.6  # normalized UTF-8 titles (Sinhala/Tamil take 3 bytes a character)
_VECTOR_TERMS_PER_CHAR = 2.5  # distinct terms per title char: 2.47 sl-titles with 2-4-grams and words (2.51 synthetic), 2.09 with the default 1-3-grams


@dataclass(frozen=True)
class LexicalIndexConfig:
    """Term weighting of the exact score, and how many candidates the word index proposes."""

    # character n-grams, TF-IDF (lexical_terms.TermConfig); whole words added measured no better
    terms: TermConfig = field(default_factory=TermConfig)  # measured: bench/lexical_quality.py
    candidates: int = 200  # at least this many word-index candidates are rescored per search
    depth_factor: int = 2  # ... and at least depth_factor * k
    # which token kinds a query looks up (lexical_words.KINDS): all of them find the most char
    # n-gram neighbours; whole words alone are 4x cheaper at 1M titles (short postings)
    candidate_tokens: str = KINDS
    # with stored vectors, a catalog up to this size is searched against every title (exact, and
    # cheaper than the word index's candidates there: bench/lexical_speed.py)
    exact_scan_up_to: int = 2_000

    @classmethod
    def for_catalog(cls, n_titles: int) -> "LexicalIndexConfig":
        """The default for a catalog size: every token kind up to ``ALL_TOKENS_UP_TO`` titles
        (~1 ms a query at 100k), whole words beyond (to stay within ~2 ms at 1M)."""
        return cls() if n_titles <= ALL_TOKENS_UP_TO else cls(candidate_tokens="w")

    def depth(self, k: int) -> int:
        return max(self.candidates, self.depth_factor * k)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict) -> "LexicalIndexConfig":
        value = dict(value)
        return cls(terms=TermConfig(**value.pop("terms", {})), **value)


@dataclass(frozen=True)
class LexicalQuery:
    """Normalized query texts (one per query of a batch); vectors are computed by the store.
    ``row``: the catalog row a one-text query is the title of (its vector may be stored)."""

    texts: tuple[str, ...]
    row: int | None = None

    def __len__(self) -> int:
        return len(self.texts)


class _Titles:
    """Normalized titles as one UTF-8 buffer plus offsets (both memory-mappable)."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self.data, self.offsets = data, offsets
        # plain views of the (possibly memory-mapped) arrays: numpy.memmap's per-item __getitem__
        # costs more than the decoding itself on the query path (a few hundred titles per query)
        self._bytes = memoryview(np.asarray(data))
        self._starts = np.asarray(offsets)

    @classmethod
    def of(cls, titles: list[str]) -> "_Titles":
        encoded = [t.encode("utf-8") for t in titles]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> str:
        return str(self._bytes[int(self._starts[row]) : int(self._starts[row + 1])], "utf-8")

    def many(self, rows: np.ndarray) -> list[str]:
        rows = np.asarray(rows, dtype=np.int64)
        spans = zip(self._starts[rows].tolist(), self._starts[rows + 1].tolist())
        return [str(self._bytes[start:end], "utf-8") for start, end in spans]

    def plus(self, titles: list[str]) -> "_Titles":
        added = _Titles.of(titles)
        return _Titles(np.concatenate([self.data, added.data]), np.concatenate([self.offsets, added.offsets[1:] + self.offsets[-1]]))

    def without(self, keep: np.ndarray) -> "_Titles":
        return _Titles.of(self.many(np.flatnonzero(keep)))


@register
class LexicalIndexStore(ModalityStore):
    """Lexical title store; row ``i`` is catalog row ``i``."""

    kind = "lexical_inverted"

    def __init__(
        self,
        name: str,
        config: LexicalIndexConfig,
        titles: _Titles,
        stats: TermStats,
        norms: np.ndarray,
        words: WordIndex,
        doc_ids: np.ndarray,
        next_id: int,
        vectors: TermVectors | None = None,
    ) -> None:
        super().__init__(name)
        if not len(doc_ids) == len(norms) == len(titles):
            raise ArtifactError(f"{name}: {len(titles)} titles, {len(norms)} norms, {len(doc_ids)} word-index ids")
        if vectors is not None and len(vectors) != len(titles):
            raise ArtifactError(f"{name}: {len(titles)} titles, {len(vectors)} term vectors")
        if len(stats.df) != 1 << config.terms.hash_bits:
            raise ArtifactError(f"{name}: document frequencies do not match hash_bits={config.terms.hash_bits}")
        self.config, self.titles, self.stats, self.norms, self.words = config, titles, stats, norms, words
        self.doc_ids, self.next_id, self.vectors = doc_ids, next_id, vectors
        self._norms = np.asarray(norms)  # a plain view: numpy.memmap indexing costs a Python call
        self.row_of_id = np.full(next_id, -1, dtype=np.int64)
        self.row_of_id[doc_ids] = np.arange(len(doc_ids))
        self._query_vectors = functools.lru_cache(maxsize=256)(lambda text: self.vectors_of([text]))
        self._dense_queries = functools.lru_cache(maxsize=_CACHED_QUERIES)(self._dense_query)
        self._scanned = functools.lru_cache(maxsize=_CACHED_QUERIES)(self._scan)
        self._searched: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # text -> (sorted rows, scores)

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def build(
        cls, name: str, titles: list[str], config: LexicalIndexConfig | None = None, term_vectors: bool | None = None
    ) -> "LexicalIndexStore":
        """The store of ``titles``; ``term_vectors``: store every title's vector (default: up to
        ``VECTORS_UP_TO`` titles; ``--index auto`` decides by the memory budget)."""
        config = config or LexicalIndexConfig.for_catalog(len(titles))
        if term_vectors is None:
            term_vectors = len(titles) <= VECTORS_UP_TO
        normalized = [normalize_title(t or "") for t in titles]
        stats = _statistics(normalized, config.terms)
        if stats.total_terms == 0:
            raise ArtifactError("no title yields a character n-gram: cannot build a lexical index")
        row_norms, vectors = _norms_and_vectors(normalized, stats, config.terms, term_vectors)
        words = WordIndex.create(normalized, range(len(normalized)))
        ids = np.arange(len(normalized), dtype=np.int64)
        return cls(name, config, _Titles.of(normalized), stats, row_norms, words, ids, len(normalized), vectors)

    def encode(self, texts: list[str]) -> LexicalQuery:
        """Queries for new text (cold start, free-text search)."""
        return LexicalQuery(tuple(normalize_title(t or "") for t in texts))

    # -- scoring -----------------------------------------------------------------------------

    def vectors_of(self, texts: list[str]) -> TermRows:
        """Weighted unit term vectors of normalized texts."""
        return weigh(texts, self.stats, self.config.terms)

    def query_vector(self, text: str) -> TermRows:
        """One query text's vector; recent ones are kept (a query is searched, then its pool rescored)."""
        return self._query_vectors(text)

    def _dense_query(self, text: str, row: int | None) -> np.ndarray:
        """A query over the stored vectors' columns: a stored row's own, or its text's."""
        if row is not None:
            return self.vectors.row_query(row)
        return self.vectors.query(self.query_vector(text))

    def _scans(self) -> bool:
        """Whether queries are scored against every title (stored vectors, a small catalog)."""
        return self.vectors is not None and len(self) <= self.config.exact_scan_up_to

    def _scan(self, text: str, row: int | None) -> np.ndarray:
        """Every title's score for a query; recent ones are kept (the pool is rescored right after
        the search, and on a small catalog that is a lookup)."""
        return np.clip(self.vectors.scan(self._dense_queries(text, row)), 0, 1)

    def similarity(self, query: LexicalQuery, rows: np.ndarray) -> np.ndarray:
        if len(query) != 1:
            raise ValueError(f"similarity takes one query, got {len(query)}")
        rows = self._checked(np.asarray(rows, dtype=np.int64))
        if not rows.size:
            return np.zeros(0, dtype=np.float32)
        if self._scans():
            return self._scanned(query.texts[0], query.row)[rows]
        if self.vectors is not None:
            dots = self.vectors.dots(self._dense_queries(query.texts[0], query.row), rows)
            return np.clip(dots, 0, 1)
        return self._recomputed(query.texts[0], rows)

    def _recomputed(self, text: str, rows: np.ndarray) -> np.ndarray:
        """Scores from the titles' recomputed vectors, reusing those the last searches for
        ``text`` computed (the pool a search fed is rescored right after it)."""
        scores = np.zeros(len(rows), dtype=np.float32)
        todo = np.ones(len(rows), dtype=bool)
        searched = self._searched.get(text)
        if searched is not None and len(searched[0]):
            known_rows, known_scores = searched
            at = np.minimum(np.searchsorted(known_rows, rows), len(known_rows) - 1)
            todo = known_rows[at] != rows
            scores[~todo] = known_scores[at[~todo]]
        if todo.any():
            missing = rows[todo]
            dots = matched_dot(self.titles.many(missing), self.query_vector(text), self.stats, self.config.terms)
            row_norms = self._norms[missing]
            scores[todo] = np.clip(np.divide(dots, row_norms, out=np.zeros_like(dots), where=row_norms > 0), 0, 1)
        return scores

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        rows = self._checked(np.asarray(rows, dtype=np.int64))
        if self.vectors is not None:
            return np.clip(self.vectors.gram(rows), 0, 1)
        weighted = self.vectors_of(self.titles.many(rows))
        indptr = np.zeros(len(rows) + 1, dtype=INDEX)
        np.cumsum(np.bincount(weighted.rows, minlength=len(rows)), out=indptr[1:])
        return np.clip(gram(indptr, weighted.ids.astype(INDEX), weighted.values), 0, 1)

    def row_query(self, row: int) -> LexicalQuery:
        row = int(self._checked(np.array([row]))[0])
        return LexicalQuery((self.titles[row],), row)

    def search(self, queries: LexicalQuery, k: int, params: SearchParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k by exact score among the word index's candidates, or among all titles of a
        small catalog with stored vectors (``params`` do not apply); ties broken by row; rows -1
        (score 0) where fewer than k titles share a term with the query."""
        k = min(k, len(self))
        scores = np.zeros((len(queries), k), dtype=np.float32)
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        scan = self._scans()
        for i, text in enumerate(queries.texts):
            row = queries.row if len(queries) == 1 else None
            if scan:
                exact = self._scanned(text, row)
                found = np.flatnonzero(exact > 0)
                exact = exact[found]
            else:
                found = self.candidates(text, self.config.depth(k))
                if not found.size:
                    continue
                exact = self.similarity(LexicalQuery((text,), row), found)
                if self.vectors is None:
                    self._remember(text, found, exact)
            order = _top(found, exact, k)
            scores[i, : len(order)], rows[i, : len(order)] = exact[order], found[order]
        return scores, rows

    def _remember(self, text: str, found: np.ndarray, exact: np.ndarray) -> None:
        order = np.argsort(found)
        self._searched[text] = (found[order], exact[order])
        while len(self._searched) > _CACHED_SEARCHES:
            try:
                del self._searched[next(iter(self._searched))]
            except (KeyError, RuntimeError, StopIteration):  # another thread evicted it first
                break

    def candidates(self, text: str, depth: int) -> np.ndarray:
        """Catalog rows of the word index's best ``depth`` matches for a normalized text."""
        found = self.row_of_id[self.words.candidates(text, depth, self.config.candidate_tokens)]
        return found[found >= 0]

    # -- the ModalityStore plumbing ------------------------------------------------------

    @property
    def recomputes_rows(self) -> bool:
        return self.vectors is None

    @property
    def dimension(self) -> int:
        return 1 << self.config.terms.hash_bits

    def __len__(self) -> int:
        return len(self.titles)

    def _checked(self, rows: np.ndarray) -> np.ndarray:
        if rows.size and (rows.min() < 0 or rows.max() >= len(self)):
            raise IndexError(f"row out of range for the {self.name} store of {len(self)} titles")
        return rows

    def with_rows_added(self, rows: NewRows) -> "LexicalIndexStore":
        """New titles join the word index, weighted with the build's statistics (a rebuild refreshes them)."""
        normalized = [normalize_title(str(record.get("title") or "")) for record in rows.records]
        ids = np.arange(self.next_id, self.next_id + len(normalized), dtype=np.int64)
        words = self.words.with_changes(normalized, ids)
        added_norms, added = _norms_and_vectors(normalized, self.stats, self.config.terms, self.vectors is not None)
        vectors = None if self.vectors is None else self.vectors.plus(added)
        return LexicalIndexStore(self.name, self.config, self.titles.plus(normalized), self.stats,
                                 np.concatenate([self._norms, added_norms]), words,
                                 np.concatenate([self.doc_ids, ids]), self.next_id + len(normalized), vectors)

    def with_rows_removed(self, rows: np.ndarray) -> "LexicalIndexStore":
        rows = self._checked(np.unique(np.asarray(rows, dtype=np.int64)))
        keep = np.ones(len(self), dtype=bool)
        keep[rows] = False
        words = self.words.with_changes(delete=self.doc_ids[rows])
        vectors = None if self.vectors is None else self.vectors.only(np.flatnonzero(keep))
        return LexicalIndexStore(self.name, self.config, self.titles.without(keep), self.stats,
                                 self._norms[keep], words, self.doc_ids[keep], self.next_id, vectors)

    def describe(self) -> dict:
        return {
            **super().describe(),
            "config": self.config.to_dict(),
            "titles": len(self),
            "statistics_titles": self.stats.n_docs,
            "term_occurrences": self.stats.total_terms,
            "next_id": self.next_id,
            "term_vectors": self.vectors is not None,
            "index_files": self.words.files(),
        }

    def save(self, directory: Path) -> list[str]:
        directory = Path(directory)
        folder = f"{self.name}_index"
        names = {key: f"{self.name}_{key}" for key in _FILES}
        (directory / names["titles.bin"]).write_bytes(self.titles.data.tobytes())
        np.save(directory / names["offsets.npy"], np.asarray(self.titles.offsets))
        np.save(directory / names["df.npy"], np.asarray(self.stats.df, dtype=np.uint32))
        np.save(directory / names["norms.npy"], np.asarray(self.norms, dtype=np.float32))
        np.save(directory / names["ids.npy"], np.asarray(self.doc_ids))
        if self.vectors is not None:
            for key, array in zip(_VECTOR_FILES, self.vectors.arrays()):
                names[key] = f"{self.name}_{key}"
                np.save(directory / names[key], np.asarray(array))
        index_files = self.words.save(directory / folder)
        return list(names.values()) + [f"{folder}/{name}" for name in index_files]

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict, mmap: bool = True) -> "LexicalIndexStore":
        """Memory-mapped by default (pages shared between server processes). Bundles written
        before term vectors were stored have none and recompute them (``ytrec upgrade`` adds them)."""
        directory = Path(directory)
        keys = _FILES + (_VECTOR_FILES if meta.get("term_vectors") else ())
        paths = {key: directory / f"{name}_{key}" for key in keys}
        index_files = meta.get("index_files", [])
        for path in [*paths.values(), *(directory / f"{name}_index" / f for f in index_files)]:
            if not path.is_file():
                raise ArtifactError(f"bundle is missing {path.relative_to(directory)}")
        mode = "r" if mmap else None
        try:
            config = LexicalIndexConfig.from_dict(meta.get("config", {}))
            data = (np.memmap(paths["titles.bin"], dtype=np.uint8, mode="r") if mmap and paths["titles.bin"].stat().st_size
                    else np.fromfile(paths["titles.bin"], dtype=np.uint8))
            titles = _Titles(data, np.load(paths["offsets.npy"], mmap_mode=mode))
            stats = TermStats(np.load(paths["df.npy"], mmap_mode=mode), int(meta["statistics_titles"]),
                              int(meta["term_occurrences"]))
            vectors = None
            if meta.get("term_vectors"):
                vectors = TermVectors.from_arrays(*(np.load(paths[key], mmap_mode=mode) for key in _VECTOR_FILES))
            words = WordIndex.open(directory / f"{name}_index", index_files)
            return cls(name, config, titles, stats, np.load(paths["norms.npy"], mmap_mode=mode), words,
                       np.load(paths["ids.npy"]), int(meta["next_id"]), vectors)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ArtifactError(f"cannot read the {name} lexical index: {exc}") from None


_FILES = ("titles.bin", "offsets.npy", "df.npy", "norms.npy", "ids.npy")
_VECTOR_FILES = ("vocabulary.npy", "vector_rows.npy", "vector_columns.npy", "vector_values.npy")


def _top(rows: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best scores, best first, ties by row."""
    if len(scores) > 4 * k:
        best = np.argpartition(-scores, k - 1)[:k]
        threshold = scores[best].min()
        best = np.flatnonzero(scores >= threshold)  # every tie of the k-th score competes by row
    else:
        best = np.arange(len(scores))
    return best[np.lexsort((rows[best], -scores[best]))][:k]


def _statistics(titles: list[str], config: TermConfig) -> TermStats:
    """Document frequencies over the catalog, counted a chunk of titles at a time."""
    df = np.zeros(1 << config.hash_bits, dtype=np.int64)
    total = 0
    for start in range(0, len(titles), _BUILD_CHUNK):
        counts = term_counts(titles[start : start + _BUILD_CHUNK], config)
        df += document_frequencies(counts, len(df))
        total += counts.total()
    return TermStats(df.astype(np.uint32), len(titles), total)


def _norms_and_vectors(
    titles: list[str], stats: TermStats, config: TermConfig, with_vectors: bool
) -> tuple[np.ndarray, TermVectors | None]:
    """Every title's norm and, if asked, its stored vector, computed a chunk of titles at a time."""
    row_norms, chunks = [np.zeros(0, dtype=np.float32)], []
    for start in range(0, len(titles), _BUILD_CHUNK):
        unit, chunk_norms = weigh_with_norms(titles[start : start + _BUILD_CHUNK], stats, config)
        row_norms.append(chunk_norms)
        if with_vectors:
            chunks.append(unit)
    return np.concatenate(row_norms), (TermVectors.of(chunks) if with_vectors else None)


def estimate_bytes(n_titles: int, mean_title_chars: float, term_vectors: bool = False) -> int:
    """Bytes of a lexical store of ``n_titles`` titles (for ``--index auto``): UTF-8 titles,
    offsets, ids, norms, document frequencies and the word index (all memory-mapped), and the
    stored term vectors if asked (~2.5 term occurrences a character, 8 bytes each, measured on
    sl-titles and synthetic titles; a vocabulary of at most 25 new terms a title)."""
    per_title = (_TITLE_BYTES_PER_CHAR + _INDEX_BYTES_PER_CHAR) * mean_title_chars + 8 + 8 + 4
    total = n_titles * per_title + 4 * (1 << TermConfig().hash_bits)
    if term_vectors:
        total += n_titles * (_VECTOR_TERMS_PER_CHAR * mean_title_chars * 8 + 4)
        total += 8 * min(25 * n_titles, 1 << TermConfig().hash_bits)
    return int(total)
