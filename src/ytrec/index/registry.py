"""Store kinds by the name the manifest records, so a bundle loads with the store it was built with."""

from __future__ import annotations

from pathlib import Path

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore

_KINDS: dict[str, type[ModalityStore]] = {}


def register(cls: type[ModalityStore]) -> type[ModalityStore]:
    _KINDS[cls.kind] = cls
    return cls


def load_store(name: str, directory: Path, meta: dict) -> ModalityStore:
    _ensure_builtin()
    kind = meta.get("index")
    if kind not in _KINDS:
        raise ArtifactError(f"{name} store kind '{kind}' is unknown to this ytrec (known: {', '.join(sorted(_KINDS))})")
    return _KINDS[kind].load(name, directory, meta)


def _ensure_builtin() -> None:
    import ytrec.index.store  # noqa: F401  (registers the built-in dense kinds)
