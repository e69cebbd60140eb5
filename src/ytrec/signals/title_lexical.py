"""The lexical title signal: the titles' character n-grams (model-free; any language, typos)."""

from __future__ import annotations

from typing import Any

from ytrec.index.base import ModalityStore
from ytrec.signals.base import BuildContext, Models, Purpose, SignalInputs, SignalSpec
from ytrec.signals.registry import register_signal

# tfidf_char: a sparse row of ~3 n-grams (sizes 2-4) per title character, 8 bytes each (float32
# weight + int32 column), and a vocabulary of up to 500k n-grams (~64 bytes each in a dict).
_TFIDF_BYTES_PER_CHAR = 3 * 8
_TFIDF_VOCABULARY_BYTES = 500_000 * 64


class TitleLexicalSignal(SignalSpec):
    name = "title_lexical"
    source = "title"
    label = "Words"
    method = "char n-gram TF-IDF"
    weight_flag = "lexical"
    default_weight = 0.5  # see README "Evaluation" (measured on sl-titles and the sample catalog)
    # Identical titles (up to case, spacing, Unicode form) score 1; distinct episodes of a series
    # ("Day 02" / "Day 04") reach 0.90-0.98 on sl-titles, so nothing lower is safe.
    duplicate_threshold = 0.99
    store_kinds = ("tfidf_char",)  # index/lexical.py's LexicalStore
    modes = ("title", "title_lexical")
    model = None

    def sizing(self, ctx: SignalInputs) -> dict:
        titles = ctx.titles
        return {"mean_title_chars": sum(map(len, titles)) / max(len(titles), 1)}

    def store_candidates(self, n: int, mean_title_chars: float = 50.0, **_) -> list:
        from ytrec.index.auto import StoreCandidate

        size = int(n * mean_title_chars * _TFIDF_BYTES_PER_CHAR) + _TFIDF_VOCABULARY_BYTES
        return [StoreCandidate("tfidf_char", {}, "exact sparse n-gram TF-IDF (the lexical store)", size)]

    def build(self, ctx: BuildContext) -> ModalityStore:
        from ytrec.index.lexical import LexicalStore

        store = LexicalStore.build(self.name, ctx.titles)
        ctx.choices[self.name] = ctx.planned(self)
        return store

    def encode_query(self, value: Any, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> Any:
        return store.encode([value])


register_signal(TitleLexicalSignal())
