"""What a signal is: one spec saying how its store is built, queried and extended.

A *signal* is one similarity a bundle can score with (the autoencoder's thumbnail latents,
thumbnail copy codes, dense title embeddings, lexical title terms). Everything that used to name
signals by literal (build, add/remove/retrain, query modes, the Recommender's query encoding,
evaluation, duplicate collapse, the CLI's weight flags, the API and page) reads these specs from
the registry (``ytrec.signals.registry``), so a fifth signal is one more module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore

if TYPE_CHECKING:  # heavy imports (faiss, pyarrow, PIL) wait until a signal is built or queried
    from PIL import Image

    from ytrec.catalog.catalog import Catalog
    from ytrec.index.auto import IndexChoice, StoreCandidate

Source = Literal["thumbnail", "title"]
Purpose = Literal["passage", "query"]  # a new video's own title, or a search text (e5 prefixes)
IMAGE_CHUNK = 512  # thumbnails decoded at a time (all at once: 1.7 GB per 10k videos)


class Models(Protocol):
    """The trained encoders signals use; loaded on first use by whoever provides them (the
    Recommender, a build, an add), so a signal that needs no model never loads one."""

    @property
    def title_embedder(self) -> Any: ...

    @property
    def thumbnail_encoder(self) -> Any: ...


class LazyModels:
    """``Models`` from loader functions, each called at most once."""

    def __init__(self, title: Callable[[], Any] | None = None, thumbnail: Callable[[], Any] | None = None) -> None:
        self._title = title
        self._thumbnail = thumbnail

    @cached_property
    def title_embedder(self) -> Any:
        if self._title is None:
            raise ArtifactError("no title model is available here")
        return self._title()

    @cached_property
    def thumbnail_encoder(self) -> Any:
        if self._thumbnail is None:
            raise ArtifactError("no thumbnail encoder is available here")
        return self._thumbnail()


@dataclass
class LoadedModels:
    """``Models`` already in hand (a build sets the thumbnail encoder once it is trained)."""

    title_embedder: Any = None
    thumbnail_encoder: Any = None


class SignalInputs:
    """Catalog rows as signals encode them: titles, stored thumbnails (under ``root``), models."""

    def __init__(self, root: Path, catalog: Catalog, models: Models) -> None:
        self.root = Path(root)
        self.catalog = catalog
        self.models = models
        self._arrays: dict[Any, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.catalog)

    @property
    def titles(self) -> list[str]:
        return self.catalog.titles

    @property
    def records(self) -> list[dict]:
        return [self.catalog.record(i) for i in range(len(self.catalog))]

    def thumbnail_paths(self) -> list[Path]:
        return [self.root / str(t) for t in self.catalog.column("thumb")]

    def image_chunks(self, chunk: int = IMAGE_CHUNK) -> Iterator[list[Image.Image]]:
        """The stored (normalized) thumbnails, decoded ``chunk`` at a time."""
        from ytrec.catalog.images import load_stored

        paths = self.thumbnail_paths()
        for start in range(0, len(paths), chunk):
            yield [load_stored(p) for p in paths[start : start + chunk]]

    def thumbnail_arrays(self, config) -> np.ndarray:
        """Stored thumbnails as one uint8 array at the autoencoder ``config``'s size (cached)."""
        from ytrec.encoders.thumbnail import pil_to_array

        key = tuple(config.image_shape)
        if key not in self._arrays:
            chunks = [pil_to_array(images, config) for images in self.image_chunks()]
            self._arrays[key] = np.concatenate(chunks) if chunks else np.zeros((0, *key), dtype=np.uint8)
        return self._arrays[key]


class BuildContext(SignalInputs):
    """What ``spec.build`` reads: the catalog staged at ``root``, the models, the autoencoder's
    shape (known before it is trained) and the store plan (``plan[name]``: what ``--index``
    chose); ``choices`` receives what was built."""

    def __init__(
        self,
        root: Path,
        catalog: Catalog,
        models: Models,
        autoencoder_config: Any = None,
        plan: dict[str, IndexChoice] | None = None,
    ) -> None:
        super().__init__(root, catalog, models)
        self.autoencoder_config = autoencoder_config
        self.plan = dict(plan or {})
        self.choices: dict[str, IndexChoice] = {}

    def planned(self, spec: "SignalSpec") -> IndexChoice:
        """The plan's choice for ``spec``, or its first candidate when the plan has none."""
        from ytrec.index.auto import IndexChoice

        if spec.name in self.plan:
            return self.plan[spec.name]
        return IndexChoice.of(spec.store_candidates(len(self), **spec.sizing(self))[0])


class SignalSpec(ABC):
    """One signal. Subclasses set the class attributes and implement the methods."""

    name: str  # the store's name in a bundle ("thumbnail", "title_lexical", ...)
    source: Source  # the catalog input it reads
    label: str  # short label for pages and reports ("Thumbnail", "Words")
    method: str  # what it measures, for reports ("autoencoder", "dense embedding")
    weight_flag: str  # --w-<flag> on the CLI, w_<flag> in the API
    default_weight: float  # its fusion weight when a build cannot weigh it by agreement (0: scored, not searched)
    # whether its store's search finds look-alikes; a store that finds only copies (hash tables)
    # scores the pool the others find, and searches only when no weighted signal finds look-alikes
    finds_similar: bool = True
    duplicate_threshold: float | None = None  # similarity at which two videos are one (collapse)
    store_kinds: tuple[str, ...]  # kinds its store can be (first: the default)
    modes: tuple[str, ...] = ()  # query modes it scores in, besides hybrid
    model: str | None = None  # the trained model it needs ("thumbnail_encoder", "text_model"); None: model-free

    def available(self, catalog: Catalog) -> bool:
        """Whether a catalog gives this signal its input."""
        return self.source != "thumbnail" or catalog.has_thumbnails

    def sizing(self, ctx: SignalInputs) -> dict[str, Any]:
        """What sizes this signal's store besides the row count, known before it is built
        (``dimension`` of a dense signal, ``mean_title_chars`` of a lexical one): the keyword
        arguments of ``store_candidates``."""
        return {}

    @abstractmethod
    def store_candidates(self, n: int, **sizing: Any) -> list[StoreCandidate]:
        """The ways ``--index auto`` may store n rows, most accurate first, with estimated bytes
        (a benchmark may call it with its own sizing, e.g. ``dimension=768``)."""

    def requested(self, kind: str, n: int, **sizing: Any) -> StoreCandidate:
        """The store for an explicit ``--index KIND``; signals that cannot use KIND keep their default."""
        from ytrec.index.auto import StoreCandidate

        candidates = self.store_candidates(n, **sizing)
        if kind in self.store_kinds:
            first = next((c for c in candidates if c.kind == kind), candidates[0])
            return StoreCandidate(first.kind, first.params, "requested", first.estimated_bytes)
        first = candidates[0]
        reason = f"the {self.name} default (--index {kind} is not a kind of this signal)"
        return StoreCandidate(first.kind, first.params, reason, first.estimated_bytes)

    @abstractmethod
    def build(self, ctx: BuildContext) -> ModalityStore:
        """The store over every row of ``ctx.catalog``, as ``ctx.plan[self.name]`` says; records
        what it built in ``ctx.choices[self.name]``."""

    def new_rows(self, inputs: SignalInputs) -> np.ndarray | None:
        """What ``ytrec add`` puts in ``NewRows.vectors[name]`` for new rows (None: the store
        reads the new catalog records itself)."""
        return None

    @abstractmethod
    def encode_query(self, value: Any, store: ModalityStore, models: Models, purpose: Purpose = "passage") -> Any:
        """The store's query for a new input: a title text (source "title") or a normalized
        PIL thumbnail (source "thumbnail")."""

    def encode_queries(
        self, values: list[Any], store: ModalityStore, models: Models, purpose: Purpose = "passage"
    ) -> list[Any]:
        """``encode_query`` of several inputs (one batch where the model allows)."""
        return [self.encode_query(v, store, models, purpose) for v in values]

    def coverage(self, texts: list[str], models: Models) -> np.ndarray | None:
        """Per text, the share of it this signal's model reads (signals/calibration.py); None for
        signals that read every input whole."""
        return None

    def rebuild(self, inputs: SignalInputs, like: ModalityStore) -> ModalityStore:
        """A store of the same kind as ``like`` over every row again (after its model changed)."""
        raise ArtifactError(f"the {self.name} store cannot be rebuilt in place; rebuild the bundle")
