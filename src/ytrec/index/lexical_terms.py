"""Title text to weighted term vectors, vectorized, with hashed term ids (no vocabulary).

Why hashing: a vocabulary of character n-grams over a million titles is millions of Python
strings; a hashed id needs none, so term statistics are one array of document frequencies, and
any catalog row's vector can be recomputed from its title in microseconds (numpy over the code
points of a batch of titles), which is what lets the store keep only titles, not vectors.

Terms: n-grams of ``ngram_min..ngram_max`` characters taken inside word boundaries (each word
padded with one space, as scikit-learn's ``char_wb``), and optionally whole words. Weighting:
sublinear TF-IDF (``(1 + ln tf) * (ln((1 + N) / (1 + df)) + 1)``) or BM25
(``idf * tf (k1 + 1) / (tf + k1 (1 - b + b len / avglen))``); terms with ``df = 0`` (never seen in
the catalog) weigh 0; rows are L2-normalized, so a dot product is a cosine in [0, 1].
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-64 prime: spreads code points over 64 bits
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h * golden
_WORD_SALT = np.uint64(0xD6E8FEB86659FD93)
_MAX_WORD = 256  # longer "words" (URLs, spam) are cut for hashing


@dataclass(frozen=True)
class TermConfig:
    """Which terms and which weighting; recorded in the manifest."""

    chars: bool = True  # character n-grams as terms
    ngram_min: int = 2
    ngram_max: int = 4
    words: bool = False  # whole words as terms
    weighting: str = "tfidf"  # "tfidf" | "bm25"
    hash_bits: int = 22  # 2**22 term ids: 16 MiB of uint32 document frequencies
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    def __post_init__(self) -> None:
        if self.weighting not in ("tfidf", "bm25"):
            raise ValueError(f"weighting must be 'tfidf' or 'bm25', got {self.weighting!r}")
        if not 1 <= self.ngram_min <= self.ngram_max <= 8:
            raise ValueError("n-gram sizes must satisfy 1 <= ngram_min <= ngram_max <= 8")
        if not (self.chars or self.words):
            raise ValueError("terms need characters n-grams, words or both")
        if not 10 <= self.hash_bits <= 30:
            raise ValueError("hash_bits must be between 10 and 30")

    def to_dict(self) -> dict:
        return asdict(self)


def normalize_title(text: str) -> str:
    """NFKC + case-fold + one space between words: the form terms are taken from and stored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def term_ids(texts: list[str], config: TermConfig) -> tuple[np.ndarray, np.ndarray]:
    """(text index, term id) of every term occurrence in already-normalized ``texts``."""
    joined = "\x00".join(f" {t} " if t else "" for t in texts)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    separator = codes == 0
    text_of = np.cumsum(separator)
    space = codes == 32
    docs, ids = [], []
    for n in range(config.ngram_min, config.ngram_max + 1) if config.chars else ():
        starts = len(codes) - n + 1
        if starts <= 0:
            continue
        blocked = np.zeros(starts, dtype=bool)
        for j in range(n):
            blocked |= separator[j : j + starts]
            if 0 < j < n - 1:
                blocked |= space[j : j + starts]  # a space inside: the n-gram spans two words
        h = np.full(starts, np.uint64(n))
        for j in range(n):
            h = h * _MULTIPLIER + codes[j : j + starts]
        keep = ~blocked
        docs.append(text_of[:starts][keep])
        ids.append(_bucket(h[keep], config.hash_bits))
    if config.words:
        word_docs, word_hashes = _word_hashes(codes, separator, space, text_of)
        docs.append(word_docs)
        ids.append(_bucket(word_hashes ^ _WORD_SALT, config.hash_bits))
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(docs).astype(np.int64), np.concatenate(ids)


def _bucket(hashes: np.ndarray, bits: int) -> np.ndarray:
    return ((hashes * _GOLDEN) >> np.uint64(64 - bits)).astype(np.int64)


def _word_hashes(
    codes: np.ndarray, separator: np.ndarray, space: np.ndarray, text_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One polynomial hash per word (a run of code points between spaces / separators)."""
    inside = ~(separator | space)
    if not inside.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    edge = np.diff(np.concatenate(([False], inside)).astype(np.int8))
    starts = np.flatnonzero(edge == 1)
    position = _positions(starts, len(codes))
    powers = _MULTIPLIER ** np.minimum(position, _MAX_WORD).astype(np.uint64)
    hashes = np.add.reduceat(np.where(inside, codes * powers, np.uint64(0)), starts)
    return text_of[starts], hashes


def _positions(starts: np.ndarray, length: int) -> np.ndarray:
    """Each code point's offset from the start of its word (garbage outside words)."""
    marks = np.zeros(length, dtype=np.int64)
    marks[starts] = starts
    return np.arange(length) - np.maximum.accumulate(marks)


@dataclass(frozen=True)
class TermRows:
    """Sparse rows as sorted (row, term id) entries with a value each: scipy's sparse products
    would allocate arrays as long as the 2**hash_bits term space on every call."""

    n_rows: int
    rows: np.ndarray  # int64, sorted
    ids: np.ndarray  # int64, sorted within a row
    values: np.ndarray  # float32

    def total(self) -> int:
        return int(self.values.sum())

    def lengths(self) -> np.ndarray:
        return np.bincount(self.rows, weights=self.values, minlength=self.n_rows)

    def dot(self, query: "TermRows") -> np.ndarray:
        """Each row's dot product with the single row of ``query``."""
        if not len(query.ids) or not len(self.ids):
            return np.zeros(self.n_rows, dtype=np.float32)
        at = np.minimum(np.searchsorted(query.ids, self.ids), len(query.ids) - 1)
        hit = query.ids[at] == self.ids
        products = self.values[hit] * query.values[at[hit]]
        return np.bincount(self.rows[hit], weights=products, minlength=self.n_rows).astype(np.float32)

    def gram(self) -> np.ndarray:
        """All rows' pairwise dot products (term ids renumbered compactly first)."""
        if not len(self.ids):
            return np.zeros((self.n_rows, self.n_rows), dtype=np.float32)
        columns, compact = np.unique(self.ids, return_inverse=True)
        block = sp.csr_matrix((self.values, (self.rows, compact)), shape=(self.n_rows, len(columns)))
        return (block @ block.T).toarray().astype(np.float32)


def term_counts(texts: list[str], config: TermConfig) -> TermRows:
    """Term counts of normalized ``texts``, one entry per (text, term id)."""
    docs, ids = term_ids(texts, config)
    keys, counts = np.unique((docs << config.hash_bits) | ids, return_counts=True)
    mask = (1 << config.hash_bits) - 1
    return TermRows(len(texts), keys >> config.hash_bits, keys & mask, counts.astype(np.float32))


def document_frequencies(counts: TermRows, size: int) -> np.ndarray:
    """How many rows hold each term id."""
    return np.bincount(counts.ids, minlength=size).astype(np.int64)


@dataclass(frozen=True)
class TermStats:
    """Catalog statistics the weights need: document frequencies, catalog size, total length."""

    df: np.ndarray  # uint32, 2**hash_bits
    n_docs: int
    total_terms: int  # sum of term counts over the catalog (BM25's mean length = total / n)

    def idf(self, ids: np.ndarray, config: TermConfig) -> np.ndarray:
        df = self.df[ids].astype(np.float32)
        n = float(self.n_docs)
        if config.weighting == "bm25":
            value = np.log1p((n - df + 0.5) / (df + 0.5))
        else:
            value = np.log((1 + n) / (1 + df)) + 1
        return np.where(df > 0, value, 0).astype(np.float32)


def weigh(counts: TermRows, stats: TermStats, config: TermConfig) -> TermRows:
    """Weighted, L2-normalized rows (an empty row stays empty)."""
    tf = counts.values
    if config.weighting == "bm25":
        mean = stats.total_terms / max(stats.n_docs, 1) or 1.0
        lengths = counts.lengths()[counts.rows]
        tf = tf * (config.bm25_k1 + 1) / (tf + config.bm25_k1 * (1 - config.bm25_b + config.bm25_b * lengths / mean))
    else:
        tf = 1 + np.log(tf)
    values = (tf * stats.idf(counts.ids, config)).astype(np.float32)
    norms = np.sqrt(np.bincount(counts.rows, weights=values.astype(np.float64) ** 2, minlength=counts.n_rows))
    scale = np.where(norms > 0, 1 / np.maximum(norms, 1e-30), 0)
    values = (values * scale[counts.rows]).astype(np.float32)
    keep = values != 0
    return TermRows(counts.n_rows, counts.rows[keep], counts.ids[keep], values[keep])
