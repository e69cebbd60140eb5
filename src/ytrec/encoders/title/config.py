"""Which text model embeds titles, and how: the small record a bundle stores to restore it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ytrec.errors import ArtifactError

DEFAULT_TEXT_MODEL = "intfloat/multilingual-e5-base"
DEFAULT_BATCH_SIZE = 64

# e5 models were trained with these markers; leaving them out measurably hurts retrieval.
E5_PASSAGE_PREFIX = "passage: "
E5_QUERY_PREFIX = "query: "

# "e5" as its own token in a name or path: multilingual-e5-base, e5-small-v2, models/e5/...
_E5_NAME = re.compile(r"(?<![a-z0-9])e5(?![a-z0-9])")


def uses_e5_prefixes(model: str) -> bool:
    """Whether a model name/path looks like an e5 model that expects ``passage: ``/``query: ``.

    e5 *instruct* models take a task instruction on queries instead, so they are not matched;
    set their prefixes explicitly.
    """
    name = model.lower()
    return bool(_E5_NAME.search(name)) and "instruct" not in name


@dataclass(frozen=True)
class TextModelConfig:
    """A sentence-transformers model (hub name, local directory or offline alias) and its prefixes."""

    model: str
    passage_prefix: str = ""
    query_prefix: str = ""
    batch_size: int = DEFAULT_BATCH_SIZE
    max_seq_length: int | None = None  # None: the model's own limit

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise ValueError("text model name must not be empty")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.max_seq_length is not None and self.max_seq_length < 1:
            raise ValueError(f"max_seq_length must be at least 1, got {self.max_seq_length}")

    @classmethod
    def for_model(
        cls,
        model: str,
        prefixes: bool | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_seq_length: int | None = None,
    ) -> TextModelConfig:
        """Config for ``model``; ``prefixes=None`` turns e5's prefixes on for e5-named models only."""
        on = uses_e5_prefixes(model) if prefixes is None else prefixes
        return cls(
            model=model,
            passage_prefix=E5_PASSAGE_PREFIX if on else "",
            query_prefix=E5_QUERY_PREFIX if on else "",
            batch_size=batch_size,
            max_seq_length=max_seq_length,
        )

    def with_model(self, model: str) -> TextModelConfig:
        """The same settings for another copy of the model (e.g. a local download of a hub model)."""
        return replace(self, model=model)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextModelConfig:
        """Restore from :meth:`to_dict` output; keys it does not know (a model record's) are ignored."""
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{key: value for key, value in data.items() if key in known})
        except (TypeError, ValueError, AttributeError) as exc:
            raise ArtifactError(f"unusable text model config {data!r}: {exc}") from None
