"""Store kinds by the name the manifest records, so a bundle loads with the store it was built with."""

from __future__ import annotations

import inspect
from pathlib import Path

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore

_KINDS: dict[str, type[ModalityStore]] = {}


def register(cls: type[ModalityStore]) -> type[ModalityStore]:
    _KINDS[cls.kind] = cls
    return cls


def store_class(kind: str) -> type[ModalityStore]:
    _ensure_builtin()
    if kind not in _KINDS:
        raise ArtifactError(f"store kind '{kind}' is unknown to this ytrec (known: {', '.join(sorted(_KINDS))})")
    return _KINDS[kind]


def known_kinds() -> list[str]:
    _ensure_builtin()
    return sorted(_KINDS)


def load_store(name: str, directory: Path, meta: dict, mmap: bool = True) -> ModalityStore:
    """Load a store; ``mmap=False`` reads it into memory (needed before an update modifies it)."""
    _ensure_builtin()
    kind = meta.get("index")
    if kind not in _KINDS:
        raise ArtifactError(f"{name} store kind '{kind}' is unknown to this ytrec (known: {', '.join(sorted(_KINDS))})")
    cls = _KINDS[kind]
    if "mmap" in inspect.signature(cls.load).parameters:
        return cls.load(name, directory, meta, mmap=mmap)
    return cls.load(name, directory, meta)


def _ensure_builtin() -> None:
    import ytrec.index.hnsw  # noqa: F401  (registers the built-in dense kinds)
    import ytrec.index.ivf  # noqa: F401
    import ytrec.index.store  # noqa: F401
    import ytrec.index.copy_store  # noqa: F401  (thumbnail copy codes)
    import ytrec.milvus.store  # noqa: F401  (vectors in a Milvus server; pymilvus is imported on use)

    try:
        import ytrec.index.lexical  # noqa: F401  (the lexical kind, where present)
    except ImportError:
        pass
