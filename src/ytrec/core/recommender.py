"""The one place recommendations are computed; CLI, API and web page all call this.

Retrieval: each active modality's index returns its top ``k * oversample`` candidates; the union
is then scored exactly in *every* modality from the stored vectors (a candidate found by its
thumbnail still gets its real title similarity), fused, and ranked.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image

from ytrec.artifact.bundle import Bundle
from ytrec.catalog.images import ThumbnailError, normalize, open_thumbnail
from ytrec.core.query import active_modalities, check_k, check_weights
from ytrec.core.results import Recommendation
from ytrec.encoders.title import TextModelConfig, TitleEmbedder, check_same_model
from ytrec.errors import QueryError
from ytrec.fusion.registry import get_fusion

DEFAULT_OVERSAMPLE = 4
MAX_TITLE_CHARS = 500


class Recommender:
    def __init__(self, bundle: Bundle, text_model: str | None = None) -> None:
        self.bundle = bundle
        self.catalog = bundle.catalog
        recorded = bundle.manifest["text_model"]
        self._text_config = TextModelConfig.from_dict(recorded["config"])
        if text_model is not None:
            # another copy of the same model (e.g. a local folder) is fine; another model is refused
            self._text_config = self._text_config.with_model(text_model)
            check_same_model(recorded["record"], self._text_config)
        fusion = bundle.manifest["fusion"]
        self.fusion = get_fusion(fusion["method"])
        self.default_weights: dict[str, float] = dict(fusion["weights"])
        self.oversample = int(fusion.get("oversample", DEFAULT_OVERSAMPLE))

    @classmethod
    def open(cls, path: Path, text_model: str | None = None) -> "Recommender":
        return cls(Bundle.load(path), text_model=text_model)

    @cached_property
    def title_embedder(self) -> TitleEmbedder:
        return TitleEmbedder(self._text_config)

    @cached_property
    def thumbnail_encoder(self):
        from ytrec.encoders.thumbnail import ThumbnailEncoder

        return ThumbnailEncoder.load(self.bundle.root)

    # -- queries -------------------------------------------------------------------------

    def similar(
        self, video_id: str, k: int = 10, mode: str = "hybrid", weights: dict[str, float] | None = None
    ) -> list[Recommendation]:
        """Videos like a catalog video, the video itself excluded."""
        row = self.catalog.row_of(video_id)
        check_k(k, len(self.catalog) - 1)
        modalities = active_modalities(mode, self.bundle.modalities)
        queries = {m: store.row_query(row) for m, store in self.bundle.stores.items()}
        return self._rank(queries, modalities, k, weights, exclude={row})

    def recommend_new(
        self,
        image: Path | bytes | Image.Image | None,
        title: str | None,
        k: int = 10,
        mode: str = "hybrid",
        weights: dict[str, float] | None = None,
    ) -> list[Recommendation]:
        """Cold start: a video that is not in the catalog, given as a thumbnail and a title."""
        check_k(k, len(self.catalog))
        modalities = active_modalities(mode, self.bundle.modalities)
        queries: dict[str, np.ndarray] = {}
        if title is not None and title.strip():
            queries["title"] = self.embed_title(title)
        if image is not None and self.bundle.has_thumbnails:
            queries["thumbnail"] = self.encode_image(image)
        missing = [m for m in modalities if m not in queries]
        if missing:
            raise QueryError(f"a new video needs {' and '.join(missing)} for mode '{mode}'")
        return self._rank(queries, modalities, k, weights, exclude=set())

    def search(self, text: str, k: int = 10) -> list[Recommendation]:
        """Free-text search over titles (e5 ``query:`` prefix when the model uses prefixes)."""
        text = (text or "").strip()
        if not text:
            raise QueryError("the search text is empty")
        if len(text) > MAX_TITLE_CHARS:
            raise QueryError(f"the search text is {len(text)} characters; the limit is {MAX_TITLE_CHARS}")
        check_k(k, len(self.catalog))
        query = self.title_embedder.encode_queries([text])[0]
        return self._rank({"title": query}, ["title"], k, None, exclude=set())

    # -- encoding of new inputs --------------------------------------------------------

    def embed_title(self, title: str) -> np.ndarray:
        title = " ".join(title.split())
        if len(title) > MAX_TITLE_CHARS:
            raise QueryError(f"the title is {len(title)} characters; the limit is {MAX_TITLE_CHARS}")
        return self.title_embedder.encode_passages([title])[0]

    def encode_image(self, image: Path | bytes | Image.Image) -> np.ndarray:
        try:
            normalized = normalize(image) if isinstance(image, Image.Image) else open_thumbnail(image)
        except ThumbnailError as exc:
            raise QueryError(f"thumbnail rejected: {exc}") from None
        return self.thumbnail_encoder.encode_pil([normalized])[0]

    # -- ranking -------------------------------------------------------------------------

    def _rank(
        self,
        queries: dict[str, np.ndarray],
        modalities: list[str],
        k: int,
        weights: dict[str, float] | None,
        exclude: set[int],
    ) -> list[Recommendation]:
        weights = check_weights(
            weights if weights is not None else {m: self.default_weights.get(m, 1.0) for m in modalities},
            modalities,
            self.bundle.modalities,
        )
        depth = k * self.oversample + len(exclude)
        found: set[int] = set()
        for m in modalities:
            _, rows = self.bundle.stores[m].search(queries[m], depth)
            found.update(int(r) for r in rows[0] if r >= 0)
        candidates = np.array(sorted(found - exclude), dtype=np.int64)
        if candidates.size == 0:
            return []
        scores = {m: self.bundle.stores[m].similarity(q, candidates) for m, q in queries.items()}
        fused = self.fusion.fuse({m: scores[m] for m in modalities}, weights)
        order = np.lexsort((candidates, -fused))[:k]
        return [self._result(rank + 1, int(candidates[i]), float(fused[i]), {m: float(s[i]) for m, s in scores.items()})
                for rank, i in enumerate(order)]

    def _result(self, rank: int, row: int, score: float, scores: dict[str, float]) -> Recommendation:
        record = self.catalog.record(row)
        return Recommendation(
            rank=rank,
            video_id=str(record["video_id"]),
            title=str(record["title"]),
            channel=record.get("channel"),
            category=record.get("category"),
            score=round(score, 6),
            thumbnail_score=_rounded(scores.get("thumbnail")),
            title_score=_rounded(scores.get("title")),
        )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
