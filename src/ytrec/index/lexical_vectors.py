"""Every title's weighted term vector, stored as one compressed sparse row matrix, and the
products the lexical store takes of it.

Why store them: recomputing a title's n-gram vector from its text (``lexical_terms``) costs a few
microseconds a title in numpy, so scoring a few hundred candidates per query costs about a
millisecond; reading them stored costs a fraction of that (measured on the demo bundle, 200 rows:
~0.5 ms hashed from text, ~0.04 ms stored). They take ~8 bytes a term occurrence (~1 KB a title),
so ``--index auto`` stores them where the memory budget allows (small and mid catalogs) and a
million titles are hashed on the fly instead.

Columns are compact: position ``c`` stands for the hashed term id ``vocabulary[c]`` (sorted), so a
query's dense vector has one float per term the catalog uses (a few hundred KB at most, cache
resident), not one per hash bucket (16 MB). Values are the L2-normalized sublinear TF-IDF weights,
so a row's product with a normalized query vector is their cosine.

The products call scipy's compiled CSR routines (``scipy.sparse._sparsetools``, the code behind
``csr_array``) directly: the public classes validate and convert their inputs for 0.1-0.3 ms per
call, several times the product itself for the few hundred rows a query scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import _sparsetools as kernels

from ytrec.index.lexical_terms import TermRows

INDEX = np.int32  # row pointers and columns (a store of 2**31 term occurrences is far beyond any budget)


@dataclass(frozen=True)
class TermVectors:
    """Rows of normalized term weights over compact columns (CSR; arrays may be memory-mapped)."""

    vocabulary: np.ndarray  # int64, sorted: hashed term id of each column
    indptr: np.ndarray  # INDEX, n_rows + 1
    columns: np.ndarray  # INDEX
    values: np.ndarray  # float32

    @classmethod
    def of(cls, chunks: list[TermRows], vocabulary: np.ndarray | None = None) -> "TermVectors":
        """Stored vectors of weighted rows (``weigh``; consecutive chunks of rows), with columns
        over ``vocabulary`` extended by the rows' other term ids (all of them when None)."""
        known = np.zeros(0, dtype=np.int64) if vocabulary is None else np.asarray(vocabulary, dtype=np.int64)
        vocabulary = np.unique(np.concatenate([known, *(chunk.ids for chunk in chunks)]))
        lengths = [np.bincount(chunk.rows, minlength=chunk.n_rows) for chunk in chunks]
        indptr = np.zeros(sum(chunk.n_rows for chunk in chunks) + 1, dtype=np.int64)
        np.cumsum(np.concatenate(lengths) if lengths else [], out=indptr[1:])
        if indptr[-1] >= np.iinfo(INDEX).max:
            raise ValueError("too many term occurrences to store as term vectors")
        columns = [np.searchsorted(vocabulary, chunk.ids).astype(INDEX) for chunk in chunks]
        values = [np.asarray(chunk.values, dtype=np.float32) for chunk in chunks]
        return cls(vocabulary, indptr.astype(INDEX), _joined(columns, INDEX), _joined(values, np.float32))

    @classmethod
    def from_arrays(cls, vocabulary, indptr, columns, values) -> "TermVectors":
        """Loaded arrays (memory-mapped ones are read through plain views: indexing a
        numpy.memmap goes through its Python ``__getitem__``)."""
        arrays = cls(np.asarray(vocabulary), np.asarray(indptr), np.asarray(columns), np.asarray(values))
        if (arrays.vocabulary.dtype != np.int64 or arrays.indptr.dtype != INDEX or arrays.columns.dtype != INDEX
                or arrays.values.dtype != np.float32 or len(arrays.columns) != len(arrays.values)
                or not len(arrays.indptr) or int(arrays.indptr[-1]) != len(arrays.columns)):
            raise ValueError("term vector arrays of the wrong type or length")
        return arrays

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What ``from_arrays`` takes back (the files of a saved store)."""
        return self.vocabulary, self.indptr, self.columns, self.values

    def plus(self, added: "TermVectors") -> "TermVectors":
        """These rows followed by ``added``'s (one vocabulary: the columns are renumbered)."""
        vocabulary = np.union1d(self.vocabulary, added.vocabulary)
        mine = np.searchsorted(vocabulary, self.vocabulary).astype(INDEX)[self.columns]
        theirs = np.searchsorted(vocabulary, added.vocabulary).astype(INDEX)[added.columns]
        indptr = np.concatenate([self.indptr, added.indptr[1:] + self.indptr[-1]])
        if int(indptr[-1]) >= np.iinfo(INDEX).max or indptr.dtype != INDEX:
            raise ValueError("too many term occurrences to store as term vectors")
        return TermVectors(vocabulary, indptr, np.concatenate([mine, theirs]), np.concatenate([self.values, added.values]))

    def only(self, rows: np.ndarray) -> "TermVectors":
        """The given rows, in that order."""
        return TermVectors(self.vocabulary, *self._rows(np.asarray(rows, dtype=INDEX)))

    def __len__(self) -> int:
        return len(self.indptr) - 1

    @property
    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in (self.vocabulary, self.indptr, self.columns, self.values))

    # -- queries ---------------------------------------------------------------------------

    def query(self, vector: TermRows) -> np.ndarray:
        """A dense query over the columns from a one-row weighted vector (``weigh`` of a text);
        its terms no stored title has drop out (they add nothing to any product)."""
        dense = np.zeros(len(self.vocabulary), dtype=np.float32)
        if not len(self.vocabulary):
            return dense
        at = np.minimum(np.searchsorted(self.vocabulary, vector.ids), len(self.vocabulary) - 1)
        known = self.vocabulary[at] == vector.ids
        dense[at[known]] = vector.values[known]
        return dense

    def row_query(self, row: int) -> np.ndarray:
        """A stored row as a dense query."""
        dense = np.zeros(len(self.vocabulary), dtype=np.float32)
        start, end = int(self.indptr[row]), int(self.indptr[row + 1])
        dense[self.columns[start:end]] = self.values[start:end]
        return dense

    def dots(self, dense: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Products of the given rows with a dense query."""
        indptr, columns, values = self._rows(np.asarray(rows, dtype=INDEX))
        out = np.zeros(len(rows), dtype=np.float32)
        kernels.csr_matvec(len(rows), len(dense), indptr, columns, values, dense, out)
        return out

    def scan(self, dense: np.ndarray) -> np.ndarray:
        """Products of every row with a dense query (exact search of a small catalog)."""
        out = np.zeros(len(self), dtype=np.float32)
        kernels.csr_matvec(len(self), len(dense), self.indptr, self.columns, self.values, dense, out)
        return out

    def gram(self, rows: np.ndarray) -> np.ndarray:
        """The given rows' pairwise products, (L, L)."""
        return gram(*self._rows(np.asarray(rows, dtype=INDEX)))

    def _rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(indptr, columns, values) of a row subset, gathered by scipy's ``csr_row_index``."""
        lengths = self.indptr[rows + 1] - self.indptr[rows]
        indptr = np.zeros(len(rows) + 1, dtype=INDEX)
        np.cumsum(lengths, out=indptr[1:])
        columns = np.empty(int(indptr[-1]), dtype=INDEX)
        values = np.empty(int(indptr[-1]), dtype=np.float32)
        kernels.csr_row_index(len(rows), rows, self.indptr, self.columns, self.values, columns, values)
        return indptr, columns, values


def gram(indptr: np.ndarray, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Pairwise products of a few sparse rows: the rows against a dense copy of themselves over
    the columns they use (one compiled sparse-times-dense product; no BLAS threads started)."""
    n = len(indptr) - 1
    if not len(columns):
        return np.zeros((n, n), dtype=np.float32)
    compact, used = _compact(columns)
    owner = np.repeat(np.arange(n, dtype=INDEX), np.diff(indptr))
    dense = np.zeros(used * n, dtype=np.float32)  # (used, n): the rows as columns
    dense[compact * n + owner] = values
    out = np.zeros(n * n, dtype=np.float32)
    kernels.csr_matvecs(n, used, n, indptr, compact, values, dense, out)
    return out.reshape(n, n)


def _compact(columns: np.ndarray) -> tuple[np.ndarray, int]:
    """Columns renumbered 0..used-1 in order (``np.unique(return_inverse=True)`` at half the
    cost: one sort of (column, position) keys instead of an argsort)."""
    bits = max(len(columns) - 1, 1).bit_length()
    keys = np.sort((columns.astype(np.int64) << bits) | np.arange(len(columns)))
    ordered = keys >> bits
    step = np.zeros(len(columns), dtype=INDEX)
    np.not_equal(ordered[1:], ordered[:-1], out=step[1:])
    compact = np.empty(len(columns), dtype=INDEX)
    compact[keys & ((1 << bits) - 1)] = np.cumsum(step, dtype=INDEX)
    return compact, int(compact.max()) + 1


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
