"""Adapt the title model to a catalog's own titles, self-supervised (``ytrec build --adapt-titles``).

No labels: the catalog's titles are the only training data, with one of sentence-transformers' own
unsupervised objectives, trained by a short plain loop (no ``accelerate`` needed):

- ``simcse`` (default): ``MultipleNegativesRankingLoss`` on (title, title) pairs. Dropout makes
  the two passes differ; each title must find its own second pass among the batch's titles, which
  spreads the catalog's titles apart in the embedding space (SimCSE, Gao et al. 2021).
- ``tsdae``: ``DenoisingAutoEncoderLoss``: the encoder sees the title with 60% of its words
  deleted and a decoder tied to it must rebuild the whole title from the one sentence vector
  (TSDAE, Wang et al. 2021) -- the denoising idea of the thumbnail autoencoder, on text. About
  twice as slow as ``simcse`` (a decoder pass per step).

The adapted model is saved as an ordinary sentence-transformers folder; the bundle stores it and
records its fingerprint, so queries embed with exactly the adapted weights.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ytrec.encoders.title.config import TextModelConfig
from ytrec.encoders.title.embedder import TitleEmbedder
from ytrec.errors import CatalogError

METHODS = ("simcse", "tsdae")
TSDAE_DELETION = 0.6  # share of words deleted from the encoder's input (TSDAE's best setting)

Log = Callable[[str], None]


@dataclass(frozen=True)
class AdaptConfig:
    method: str = "simcse"
    epochs: int = 1
    batch_size: int = 32
    lr: float = 3e-5
    seed: int = 0
    max_titles: int | None = None  # a seeded sample of this many titles (None: all)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise CatalogError(f"unknown title adaptation '{self.method}' (choose from {', '.join(METHODS)})")
        if self.epochs < 1 or self.batch_size < 2:
            raise CatalogError("title adaptation needs epochs >= 1 and batch_size >= 2")
        if not self.lr > 0:
            raise CatalogError(f"title adaptation lr must be > 0, got {self.lr}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AdaptResult:
    out_dir: Path
    titles: int
    steps: int
    seconds: float
    final_loss: float

    @property
    def seconds_per_1000_titles(self) -> float:
        """Training time per 1,000 titles per epoch: the cost of adaptation at catalog scale."""
        return self.seconds / max(1, self.titles) * 1000


def adapt_title_model(
    embedder: TitleEmbedder, titles: Sequence[str], out_dir: Path, config: AdaptConfig, log: Log = print
) -> AdaptResult:
    """Train a copy of ``embedder``'s model on ``titles``; save it to ``out_dir``.

    The passage prefix is added as the model will see titles at build time. The embedder's own
    loaded model is left untouched (a deep copy is trained).
    """
    import copy

    texts = _training_titles(titles, embedder.config.passage_prefix, config)
    if len(texts) < 2:
        raise CatalogError("title adaptation needs at least two distinct titles")
    import torch

    model = copy.deepcopy(embedder._loaded())
    rng = random.Random(config.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        loss_fn = _loss(model, config)
        optimizer = torch.optim.AdamW([p for p in loss_fn.parameters() if p.requires_grad], lr=config.lr)
        model.train()
        started, steps, last = time.perf_counter(), 0, float("nan")
        for epoch in range(config.epochs):
            order = texts[:]
            rng.shuffle(order)
            for start in range(0, len(order) - 1, config.batch_size):
                batch = order[start : start + config.batch_size]
                if len(batch) < 2:
                    continue
                loss = loss_fn(_features(model, batch, config, rng), None)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                steps, last = steps + 1, float(loss.detach())
            log(f"  title adaptation ({config.method}) epoch {epoch + 1}/{config.epochs}: loss {last:.4f}")
        seconds = time.perf_counter() - started
    model.eval()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    return AdaptResult(out_dir, len(texts), steps, seconds, last)


def _training_titles(titles: Sequence[str], prefix: str, config: AdaptConfig) -> list[str]:
    """Distinct non-empty titles (repeats would be each other's false negatives), prefixed."""
    distinct = list(dict.fromkeys(t.strip() for t in titles if t and t.strip()))
    if config.max_titles is not None and len(distinct) > config.max_titles:
        distinct = random.Random(config.seed).sample(distinct, config.max_titles)
    return [prefix + t for t in distinct]


def _loss(model, config: AdaptConfig):
    from sentence_transformers.sentence_transformer.losses import (
        DenoisingAutoEncoderLoss,
        MultipleNegativesRankingLoss,
    )

    if config.method == "simcse":
        return MultipleNegativesRankingLoss(model)
    base = model[0].auto_model.config._name_or_path  # the transformer's own folder or hub id
    return DenoisingAutoEncoderLoss(model, decoder_name_or_path=base, tie_encoder_decoder=True)


def _features(model, batch: list[str], config: AdaptConfig, rng: random.Random) -> list[dict]:
    """The loss's two inputs: (title, title) for SimCSE, (title with words deleted, title) for TSDAE."""
    first = batch if config.method == "simcse" else [_delete_words(t, rng) for t in batch]
    device = model.device
    import torch

    tokenize = getattr(model, "preprocess", None) or model.tokenize
    return [{k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in tokenize(texts).items()}
            for texts in (first, batch)]


def _delete_words(text: str, rng: random.Random) -> str:
    """TSDAE's noise: keep each word with probability 1 - TSDAE_DELETION (at least one word)."""
    words = text.split()
    kept = [w for w in words if rng.random() >= TSDAE_DELETION]
    return " ".join(kept or [rng.choice(words)]) if words else text


BUNDLE_SCHEME = "bundle:"  # a recorded model name "bundle:<folder>" lives inside the bundle


def resolve_bundle_model(config: TextModelConfig, root: Path) -> TextModelConfig:
    """The text model config with a bundle-relative model (an adapted one) turned into its path."""
    if not config.model.startswith(BUNDLE_SCHEME):
        return config
    return config.with_model(str(Path(root) / config.model.removeprefix(BUNDLE_SCHEME)))


def adapted_model_entry(embedder: TitleEmbedder, result: AdaptResult, config: AdaptConfig, base: dict, folder: str) -> dict:
    """The manifest's ``text_model`` for a model adapted into the bundle: its name is bundle-relative
    (the bundle can move), its fingerprint is of the adapted files, and it says what it came from."""
    name = BUNDLE_SCHEME + folder
    record = {**embedder.model_record(), "model": name, "resolved_path": None}
    record["adapted"] = {
        "from": base["model"], "from_fingerprint": base.get("fingerprint"), **config.to_dict(),
        "titles": result.titles, "steps": result.steps, "seconds": round(result.seconds, 1),
        "seconds_per_1000_titles": round(result.seconds_per_1000_titles, 1), "final_loss": result.final_loss,
    }
    return {"config": {**embedder.config.to_dict(), "model": name}, "record": record}
