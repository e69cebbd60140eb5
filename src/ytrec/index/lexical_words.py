"""Candidate titles for a text from a tantivy inverted index of title words, scored by BM25.

Why tantivy: a maintained Rust search engine whose block-max WAND top-k reads only the postings
that can still change the top, so finding a query's best titles costs about a millisecond at a
million titles where an exact product against every title costs seconds. It only proposes
candidates; the lexical store rescores them exactly (``lexical_terms``).

Words are runs of letters, marks and digits (``\\p{L}\\p{M}\\p{N}``, plus the zero-width
(non-)joiners that Sinhala conjuncts need), so Sinhala and Tamil words stay whole: their vowel
signs are marks, which tokenizers built on "alphanumeric" split at. Titles arrive already
normalized (NFKC, case-folded), so no further filter is needed.

Each document carries a stable ``id`` (a fast field): catalog rows move when rows are removed,
ids never do, and the store maps ids to rows. The index directory is never written once saved:
it is opened through a private folder of symbolic links (tantivy creates lock files where it
opens an index; a published bundle may be read-only and is shared by server processes), and
changes are made on a copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import tantivy

FIELD, ID = "words", "id"
TOKENIZER = "title_words"
WORD_PATTERN = r"[\p{L}\p{M}\p{N}\x{200C}\x{200D}]+"
MAX_QUERY_WORDS = 32  # a pasted paragraph still makes a bounded query
_LOCKS = (".tantivy-meta.lock", ".tantivy-writer.lock")
_WRITER_HEAP = 256_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(FIELD, stored=False, tokenizer_name=TOKENIZER, index_option="freq")
    builder.add_unsigned_field(ID, stored=False, indexed=True, fast=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD_PATTERN)).build()


class WordIndex:
    """A tantivy index living in a private folder (its own copy, or links to saved files)."""

    def __init__(self, folder: tempfile.TemporaryDirectory) -> None:
        self._folder = folder  # removed when the last reference goes
        self.path = Path(folder.name)
        self._schema = _schema()
        self._analyzer = _analyzer()
        self._index = tantivy.Index.open(str(self.path))
        self._index.register_tokenizer(TOKENIZER, self._analyzer)
        self._searcher = self._index.searcher()

    # -- building and changing -----------------------------------------------------------

    @classmethod
    def create(cls, titles: Iterable[str], ids: Iterable[int]) -> "WordIndex":
        """A new index of normalized ``titles`` under the given stable ids."""
        folder = tempfile.TemporaryDirectory(prefix="ytrec-words-")
        index = tantivy.Index(_schema(), path=folder.name)
        index.register_tokenizer(TOKENIZER, _analyzer())
        _write(index, titles, ids, delete=())
        return cls(folder)

    def with_changes(self, titles: Iterable[str] = (), ids: Iterable[int] = (), delete: Iterable[int] = ()) -> "WordIndex":
        """A copy with documents added and deleted; this index is left as it is."""
        folder = tempfile.TemporaryDirectory(prefix="ytrec-words-")
        for name in self.files():
            shutil.copyfile(self.path / name, Path(folder.name) / name)
        index = tantivy.Index.open(folder.name)
        index.register_tokenizer(TOKENIZER, _analyzer())
        _write(index, titles, ids, delete)
        return WordIndex(folder)

    # -- files -----------------------------------------------------------------------------

    def files(self) -> list[str]:
        """The index's files (segments, meta.json), without tantivy's lock files."""
        return sorted(p.name for p in self.path.iterdir() if p.is_file() and p.name not in _LOCKS)

    def save(self, target: Path) -> list[str]:
        """Link (or copy) the files into ``target``; returns their names."""
        target.mkdir(parents=True, exist_ok=True)
        names = self.files()
        for name in names:
            source = (self.path / name).resolve()
            destination = target / name
            destination.unlink(missing_ok=True)
            try:
                os.link(source, destination)
            except OSError:
                shutil.copyfile(source, destination)
        return names

    @classmethod
    def open(cls, saved: Path, names: list[str]) -> "WordIndex":
        """Open saved files in place, through symbolic links in a private folder (memory-mapped)."""
        folder = tempfile.TemporaryDirectory(prefix="ytrec-words-")
        for name in names:
            os.symlink((saved / name).resolve(), Path(folder.name) / name)
        return cls(folder)

    # -- searching -------------------------------------------------------------------------

    def words(self, text: str) -> list[str]:
        """The distinct words of a normalized text, in order of appearance."""
        return list(dict.fromkeys(self._analyzer.analyze(text)))

    def candidates(self, text: str, depth: int) -> np.ndarray:
        """Ids of up to ``depth`` documents sharing words with ``text``, best BM25 first."""
        words = self.words(text)[:MAX_QUERY_WORDS]
        if not words or depth <= 0:
            return np.zeros(0, dtype=np.int64)
        should = tantivy.Occur.Should
        query = tantivy.Query.boolean_query(
            [(should, tantivy.Query.term_query(self._schema, FIELD, word, index_option="freq")) for word in words]
        )
        hits = self._searcher.search(query, depth, count=False).hits
        if not hits:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self._searcher.fast_field_values(ID, [address for _, address in hits]), dtype=np.int64)

    def __len__(self) -> int:
        return int(self._searcher.num_docs)


def _write(index: tantivy.Index, titles: Iterable[str], ids: Iterable[int], delete: Iterable[int]) -> None:
    writer = index.writer(_WRITER_HEAP, 1)
    for doc_id in delete:
        writer.delete_documents_by_term(ID, int(doc_id))
    for title, doc_id in zip(titles, ids, strict=True):
        document = tantivy.Document()
        document.add_text(FIELD, title)
        document.add_unsigned(ID, int(doc_id))
        writer.add_document(document)
    writer.commit()
    writer.garbage_collect_files()
    writer.wait_merging_threads()
    index.reload()
