r"""Candidate titles for a text from a tantivy inverted index of title tokens, scored by BM25.

Why tantivy: a maintained Rust search engine whose block-max WAND top-k reads only the postings
that can still change the top, so finding a query's best titles costs about a millisecond at a
million titles where an exact product against every title costs seconds. It only proposes
candidates; the lexical store rescores them exactly (``lexical_terms``).

Tokens (measured on sl-titles, see bench/lexical_quality.py): each whitespace-separated token as
it is (so "|", "#shorts" or "Serවිස" match like the character n-grams do), each word (a run of
letters, marks and digits, ``\p{L}\p{M}\p{N}`` plus the zero-width (non-)joiners Sinhala
conjuncts need; vowel signs are marks, which "alphanumeric" tokenizers split at), and each word's
first and last two characters (inflected forms share them). These find most titles that share
character n-grams with a query while keeping a query to a few dozen terms: indexing the n-grams
themselves finds a few more but costs ten times more per query at a million titles.

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

FIELD, ID = "tokens", "id"
TOKENIZER = "title_tokens"  # whitespace split, no length limit (Sinhala words pass 40 bytes)
WORD_PATTERN = r"[\p{L}\p{M}\p{N}\x{200C}\x{200D}]+"
AFFIX = 2  # characters of a word's start and end that are tokens too
KINDS = "twps"  # token tags: t whitespace token, w word, p / s a word's first / last AFFIX characters
MAX_QUERY_TOKENS = 64  # a pasted paragraph still makes a bounded query
_LOCKS = (".tantivy-meta.lock", ".tantivy-writer.lock")
_WRITER_HEAP = 256_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(FIELD, stored=False, tokenizer_name=TOKENIZER, index_option="freq")
    builder.add_unsigned_field(ID, stored=False, indexed=True, fast=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


_WORDS = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD_PATTERN)).build()


def tokens(text: str) -> list[str]:
    """The distinct candidate tokens of a normalized text (kinds kept apart by a one-letter tag)."""
    found = [f"t{token}" for token in text.split()]
    for word in _WORDS.analyze(text):
        found.append(f"w{word}")
        if len(word) > AFFIX:
            found += [f"p{word[:AFFIX]}", f"s{word[-AFFIX:]}"]
    return list(dict.fromkeys(found))


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

    def candidates(self, text: str, depth: int, kinds: str = KINDS) -> np.ndarray:
        """Ids of up to ``depth`` documents sharing tokens of the given ``kinds`` with ``text``,
        best BM25 first."""
        found = [token for token in tokens(text) if token[0] in kinds][:MAX_QUERY_TOKENS]
        if not found or depth <= 0:
            return np.zeros(0, dtype=np.int64)
        should = tantivy.Occur.Should
        query = tantivy.Query.boolean_query(
            [(should, tantivy.Query.term_query(self._schema, FIELD, token, index_option="freq")) for token in found]
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
        document.add_text(FIELD, " ".join(tokens(title)))
        document.add_unsigned(ID, int(doc_id))
        writer.add_document(document)
    writer.commit()
    writer.garbage_collect_files()
    writer.wait_merging_threads()
    index.reload()
