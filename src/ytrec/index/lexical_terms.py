"""Title text to weighted term vectors, vectorized, with hashed term ids (no vocabulary).

Why hashing: a vocabulary of character n-grams over a million titles is millions of Python
strings; a hashed id needs none, so term statistics are one array of document frequencies, and
any catalog row's vector can be recomputed from its title in microseconds (numpy over the code
points of a batch of titles), which is what lets the store keep only titles, not vectors.

Terms: n-grams of ``ngram_min..ngram_max`` characters taken inside word boundaries (each word
padded with one space, as scikit-learn's ``char_wb``; single characters without the padding), and
optionally whole words. Weighting:
sublinear TF-IDF (``(1 + ln tf) * (ln((1 + N) / (1 + df)) + 1)``) or BM25
(``idf * tf (k1 + 1) / (tf + k1 (1 - b + b len / avglen))``); a term the build never saw counts as
seen once; rows are L2-normalized, so a dot product is a cosine in [0, 1]. The statistics are the
build's (as any TF-IDF index keeps them; a rebuild refreshes them) and each row's norm is stored,
so scoring a row weighs only its occurrences of the query's terms.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-64 prime: spreads code points over 64 bits
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of h * golden
_WORD_SALT = np.uint64(0xD6E8FEB86659FD93)
_MAX_WORD = 256  # longer "words" (URLs, spam) are cut for hashing
_INVERSE = np.uint64(pow(int(_MULTIPLIER), -1, 1 << 64))


@dataclass(frozen=True)
class TermConfig:
    """Which terms and which weighting; recorded in the manifest."""

    chars: bool = True  # character n-grams as terms
    # 1-3: single characters (an emoji, a symbol, one Sinhala letter) are terms too; measured on the
    # calibrated default against 2-4 (README "Evaluation"): sl-titles 0.770 -> 0.781, the sample
    # 0.973 -> 0.969, thumbs-real 0.760 -> 0.762
    ngram_min: int = 1
    ngram_max: int = 3
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
    # one string for the batch: each text padded by a space (char_wb), texts apart by a NUL
    joined = " " + " \x00 ".join(texts) + " " if texts else ""
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    separator = codes == 0
    space = codes == 32
    text_of = np.cumsum(separator)
    docs, ids = [], []
    if config.chars and len(codes):
        # an n-gram starting at i stays inside its padded word: no separator among its n code
        # points and no space among the inner ones (sklearn's char_wb), i.e. equal running counts
        # of separators at its ends, and of breaks (either) at its second and last-but-one;
        # an empty text is "  " between separators
        breaks = np.cumsum(separator | space)
        empty = space[:-1] & space[1:]
        starts_word = ~separator
        starts_word[:-1] &= ~empty
        starts_word[1:] &= ~empty
        running = codes  # polynomial hash of the n code points starting at each position
        for n in range(1, config.ngram_max + 1):
            if n > 1:
                running = running[:-1] * _MULTIPLIER + codes[n - 1 :]
            count = len(running)
            if n < config.ngram_min or count <= 0:
                continue
            keep = starts_word[:count] & (text_of[n - 1 :] == text_of[:count])
            if n == 1:
                keep &= ~space  # a single character is a term, the space between words is not
            if n > 2:
                keep &= breaks[n - 2 : n - 2 + count] == breaks[:count]
            docs.append(text_of[:count][keep])
            ids.append(_bucket(running[keep] + _SEEDS[n], config.hash_bits))
    if config.words:
        word_docs, word_hashes = _word_hashes(codes, separator, space, text_of)
        docs.append(word_docs)
        ids.append(_bucket(word_hashes ^ _WORD_SALT, config.hash_bits))
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(docs), np.concatenate(ids)


def _seeds(largest: int) -> list[np.uint64]:
    """``n * M**n`` (mod 2**64): the hash of an n-gram is seeded with n, so n-grams of different
    sizes differ; with the seed split off, every size extends the hash of the size before."""
    seeds, power = [np.uint64(0)], np.uint64(1)
    with np.errstate(over="ignore"):
        for n in range(1, largest + 1):
            power = power * _MULTIPLIER
            seeds.append(np.uint64(n) * power)
    return seeds


_SEEDS = _seeds(8)


def _powers(largest: int) -> np.ndarray:
    powers = np.ones(largest + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(1, largest + 1):
            powers[i] = powers[i - 1] * _MULTIPLIER
    return powers


_WORD_POWERS = _powers(_MAX_WORD)


def _bucket(hashes: np.ndarray, bits: int) -> np.ndarray:
    return ((hashes * _GOLDEN) >> np.uint64(64 - bits)).view(np.int64)  # below 2**bits: same bits


def _word_hashes(
    codes: np.ndarray, separator: np.ndarray, space: np.ndarray, text_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One polynomial hash per word (a run of code points between spaces / separators):
    ``sum(code[j] * M**min(j, _MAX_WORD))`` over the word's code points, from one running sum
    over the batch, ``(S[end] - S[start]) * M**-start`` (M is odd, so invertible mod 2**64)."""
    inside = ~(separator | space)
    edges = np.flatnonzero(np.diff(np.concatenate(([False], inside, [False]))))
    if not len(edges):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    starts, ends = edges[0::2], edges[1::2]
    powers = np.full(len(codes), _MULTIPLIER)
    powers[0] = 1
    running = np.zeros(len(codes) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(codes * np.cumprod(powers), out=running[1:])
        hashes = (running[ends] - running[starts]) * _INVERSE ** starts.astype(np.uint64)
        for word in np.flatnonzero(ends - starts > _MAX_WORD + 1):
            # beyond _MAX_WORD code points every one is weighed by M**_MAX_WORD
            start, end = starts[word], ends[word]
            head = (running[start + _MAX_WORD + 1] - running[start]) * _INVERSE ** np.uint64(start)
            hashes[word] = head + _WORD_POWERS[_MAX_WORD] * codes[start + _MAX_WORD + 1 : end].sum(dtype=np.uint64)
    return text_of[starts], hashes


@dataclass(frozen=True)
class TermRows:
    """Sparse rows as sorted (row, term id) entries with a value each (hashed ids: a matrix over
    them would be 2**hash_bits wide)."""

    n_rows: int
    rows: np.ndarray  # int64, sorted
    ids: np.ndarray  # int64, sorted within a row
    values: np.ndarray  # float32

    def total(self) -> int:
        return int(self.values.sum())


def term_counts(texts: list[str], config: TermConfig) -> TermRows:
    """Term counts of normalized ``texts``, one entry per (text, term id)."""
    return _counted(*term_ids(texts, config), len(texts), config.hash_bits)


def _counted(docs: np.ndarray, ids: np.ndarray, n_rows: int, bits: int) -> TermRows:
    keys, counts = np.unique((docs << bits) | ids, return_counts=True)
    return TermRows(n_rows, keys >> bits, keys & ((1 << bits) - 1), counts.astype(np.float32))


def document_frequencies(counts: TermRows, size: int) -> np.ndarray:
    """How many rows hold each term id."""
    return np.bincount(counts.ids, minlength=size).astype(np.int64)


@dataclass(frozen=True)
class TermStats:
    """The catalog statistics weights are computed with, fixed at build (a rebuild refreshes
    them): document frequencies, catalog size, total term count (BM25's mean length)."""

    df: np.ndarray  # uint32, 2**hash_bits
    n_docs: int
    total_terms: int

    @cached_property
    def _df(self) -> np.ndarray:
        """A plain view of ``df``: indexing a numpy.memmap goes through its Python __getitem__."""
        return np.asarray(self.df)

    def idf(self, ids: np.ndarray, config: TermConfig) -> np.ndarray:
        """A term the build never saw counts as seen once, so new titles still match themselves."""
        df = np.maximum(self._df[ids], 1).astype(np.float32)
        n = float(self.n_docs)
        if config.weighting == "bm25":
            return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)

    def term_weights(self, counts: TermRows, lengths: np.ndarray, config: TermConfig) -> np.ndarray:
        """Unnormalized weights of counted terms; ``lengths``: term occurrences of each row."""
        tf = counts.values
        if config.weighting == "bm25":
            mean = self.total_terms / max(self.n_docs, 1) or 1.0
            k1, b = config.bm25_k1, config.bm25_b
            tf = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths[counts.rows] / mean))
        else:
            tf = 1 + np.log(tf)
        return (tf * self.idf(counts.ids, config)).astype(np.float32)


def weigh(texts: list[str], stats: TermStats, config: TermConfig) -> TermRows:
    """Weighted, L2-normalized term rows of normalized texts (an empty text stays empty)."""
    return weigh_with_norms(texts, stats, config)[0]


def norms(texts: list[str], stats: TermStats, config: TermConfig) -> np.ndarray:
    """L2 norms of the texts' unnormalized term rows (stored per catalog row)."""
    return weigh_with_norms(texts, stats, config)[1]


def weigh_with_norms(texts: list[str], stats: TermStats, config: TermConfig) -> tuple[TermRows, np.ndarray]:
    """``weigh`` and ``norms`` of the same texts at once (a build needs both)."""
    docs, ids = term_ids(texts, config)
    counts = _counted(docs, ids, len(texts), config.hash_bits)
    values = stats.term_weights(counts, np.bincount(docs, minlength=len(texts)), config)
    norms = np.sqrt(np.bincount(counts.rows, weights=values.astype(np.float64) ** 2, minlength=len(texts)))
    scale = np.where(norms > 0, 1 / np.maximum(norms, 1e-30), 0)
    unit = TermRows(len(texts), counts.rows, counts.ids, (values * scale[counts.rows]).astype(np.float32))
    return unit, norms.astype(np.float32)


_DENSE_COUNTS = 1 << 22  # (text, query term) counts held at once by matched_dot (16 MB of float32)


def matched_dot(texts: list[str], query: TermRows, stats: TermStats, config: TermConfig) -> np.ndarray:
    """Each text's unnormalized row dotted with the single normalized ``query`` row, weighing only
    the occurrences of the query's terms (the rest cannot add to the product): their counts land
    in a (texts, query terms) table by one bincount, no sort, and the query's few idf values are
    looked up once."""
    n, q = len(texts), len(query.ids)
    if not q:
        return np.zeros(n, dtype=np.float32)
    if n * q > _DENSE_COUNTS:
        step = max(_DENSE_COUNTS // q, 1)
        return np.concatenate([matched_dot(texts[i : i + step], query, stats, config) for i in range(0, n, step)])
    docs, ids = term_ids(texts, config)
    position = _positions(ids, query.ids)
    hit = position >= 0
    tf = np.bincount(docs[hit] * q + position[hit], minlength=n * q).reshape(n, q).astype(np.float32)
    if config.weighting == "bm25":
        mean = stats.total_terms / max(stats.n_docs, 1) or 1.0
        lengths = np.bincount(docs, minlength=n).astype(np.float32)[:, None]
        k1, b = config.bm25_k1, config.bm25_b
        weight = tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / mean))
    else:
        weight = np.log(tf, out=np.zeros_like(tf), where=tf > 0)
        weight += tf > 0  # 1 + ln tf where the term occurs
    return (weight * (stats.idf(query.ids, config) * query.values)).sum(axis=1, dtype=np.float32)


_LOOKUP_BITS = 16
_LOOKUP_SALTS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


def _positions(ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Each id's index in ``sorted_ids`` (a few hundred), -1 where absent: one gather from a 2**16
    table (a binary search per occurrence costs ten times more), keyed by the low bits or, where
    those collide (~15% of queries), by the top bits of a multiplicative hash; a binary search
    only if four of those collide too."""
    mask = (1 << _LOOKUP_BITS) - 1
    low = sorted_ids & mask
    if len(np.unique(low)) == len(low):
        return _found(_table(low)[ids & mask], ids, sorted_ids)
    shift = np.uint64(64 - _LOOKUP_BITS)
    for salt in _LOOKUP_SALTS:
        slots = (sorted_ids.view(np.uint64) * np.uint64(salt)) >> shift
        if len(np.unique(slots)) == len(slots):
            return _found(_table(slots)[(ids.view(np.uint64) * np.uint64(salt)) >> shift], ids, sorted_ids)
    return _found(np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1), ids, sorted_ids)


def _table(slots: np.ndarray) -> np.ndarray:
    """Slot -> index of the sorted id in it (an empty slot points past the end)."""
    table = np.full(1 << _LOOKUP_BITS, len(slots), dtype=np.int64)
    table[slots] = np.arange(len(slots))
    return table


def _found(at: np.ndarray, ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """``at`` where ``sorted_ids[at]`` is the id itself, else -1."""
    keys = np.append(sorted_ids, -1)  # past the end: matches no id
    return np.where(keys[at] == ids, at, -1)
