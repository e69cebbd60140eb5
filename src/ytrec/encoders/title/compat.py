"""Refuse to embed queries for a bundle with another text model than the one that built it.

Vectors from two models (or one model with and without its prefixes) live in unrelated spaces:
comparing them gives confident nonsense, so the mismatch must be an error that says what differs.
"""

from __future__ import annotations

from typing import Any

from ytrec.encoders.title.config import TextModelConfig
from ytrec.encoders.title.fingerprint import model_fingerprint
from ytrec.encoders.title.locate import cached_snapshot, local_model_dir
from ytrec.errors import ArtifactError


def check_same_model(recorded: dict[str, Any], configured: TextModelConfig) -> None:
    """Raise ArtifactError unless ``configured`` embeds like the model in ``recorded``.

    ``recorded`` is ``TitleEmbedder.model_record()`` as stored in a bundle. The model itself is
    compared by fingerprint when the configured copy is on this machine (so a local download of
    the recorded hub model is accepted); otherwise the names must match.
    """
    try:
        name = recorded["model"]
        differences = [
            f"{field} {recorded[field]!r} vs {getattr(configured, field)!r}"
            for field in ("passage_prefix", "query_prefix")
            if recorded[field] != getattr(configured, field)
        ]
    except (KeyError, TypeError):
        raise ArtifactError(f"the bundle's text model record is incomplete: {recorded!r}") from None
    if configured.max_seq_length is not None and configured.max_seq_length != recorded.get("max_seq_length"):
        differences.append(f"max_seq_length {recorded.get('max_seq_length')} vs {configured.max_seq_length}")
    differences += _model_difference(name, recorded.get("fingerprint"), configured.model)
    if differences:
        raise ArtifactError(
            f"the bundle was built with text model {name} and cannot be queried with {configured.model}: "
            + "; ".join(differences)
            + " (use the bundle's model and prefixes, or rebuild the bundle)"
        )


def _model_difference(recorded_name: str, recorded_fingerprint: str | None, configured: str) -> list[str]:
    local = local_model_dir(configured)
    files = local if local is not None else cached_snapshot(configured)
    if files is None or recorded_fingerprint is None:
        if configured == recorded_name:
            return []
        why = (
            "which is not on this machine to compare"
            if files is None
            else "and the bundle has no fingerprint to compare"
        )
        return [f"model {recorded_name} vs {configured}, {why}"]
    fingerprint = model_fingerprint(files)
    if fingerprint != recorded_fingerprint:
        return [f"model files differ (fingerprint {recorded_fingerprint} vs {fingerprint})"]
    return []
