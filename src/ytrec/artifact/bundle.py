"""A built bundle on disk: manifest, catalog, per-modality vector stores, thumbnail encoder."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ytrec.artifact.atomic import recover
from ytrec.artifact.manifest import FileIdentity, read_manifest, write_manifest
from ytrec.catalog.catalog import Catalog
from ytrec.catalog.ingest import THUMBS_DIR
from ytrec.catalog.report import IngestReport
from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore
from ytrec.index.registry import known_kinds, load_store

CATALOG_FILE = "catalog.parquet"
REPORT_FILE = "ingest_report.json"
ENCODER_FILES = ("thumbnail_encoder.safetensors", "thumbnail_encoder.json")
TITLE_MODEL_DIR = "title_model"  # the title model adapted to the catalog, when the build adapted one


@dataclass
class Bundle:
    root: Path
    manifest: dict
    catalog: Catalog
    stores: dict[str, ModalityStore]
    # identity -> SHA-256 of the files verified at load: a reload passes it on as ``checked``
    verified: dict[FileIdentity, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls, root: Path, verify: bool = False, mmap: bool = True, checked: Mapping[FileIdentity, str] | None = None
    ) -> "Bundle":
        """``mmap``: map large index files read-only (fast start, pages shared between workers);
        ``False`` reads them into memory, as an update that modifies the stores needs.
        ``checked``: a previous generation's ``verified`` (files still the same are not re-hashed)."""
        root = Path(root).resolve()
        recover(root)
        verified: dict[FileIdentity, str] = {}
        manifest = read_manifest(root, verify=verify, checked=checked, record=verified)
        check_store_kinds(root, manifest)
        catalog = Catalog.load(root / CATALOG_FILE)
        if verify:
            _verify_thumbnails(root, catalog)
        stores = {name: load_store(name, root, meta, mmap=mmap) for name, meta in manifest["modalities"].items()}
        for name, store in stores.items():
            if len(store) != len(catalog):
                raise ArtifactError(
                    f"bundle {root}: {name} index has {len(store)} vectors for {len(catalog)} videos"
                )
        return cls(root, manifest, catalog, stores, verified)

    @property
    def modalities(self) -> list[str]:
        return list(self.stores)

    @property
    def has_thumbnails(self) -> bool:
        return "thumbnail" in self.stores

    def thumbnail_path(self, row: int) -> Path | None:
        """The stored thumbnail of ``row``; never a path outside the bundle's ``thumbs/``, whatever
        the catalog says (a hand-edited or hostile catalog.parquet must not make the server read
        /etc/passwd)."""
        relative = self.catalog.table.column("thumb")[row].as_py()
        return _thumbnail_file(self.root, row, relative) if relative else None

    def ingest_report(self) -> dict:
        return json.loads((self.root / REPORT_FILE).read_text(encoding="utf-8"))


def check_store_kinds(root: Path, manifest: dict) -> None:
    """Refuse, in one line that says what to run, a bundle whose stores this ytrec cannot read:
    a model-free signal's old store kind is rebuilt by ``ytrec upgrade``; anything else needs a
    new build."""
    from ytrec.signals import SIGNALS

    known = set(known_kinds())
    unknown = [(name, meta.get("index")) for name, meta in manifest.get("modalities", {}).items()
               if meta.get("index") not in known]
    upgradable = [(n, k) for n, k in unknown if n in SIGNALS and SIGNALS[n].model is None]
    # a store only a rebuild restores is named first: an upgrade would not help
    for name, kind in unknown:
        if (name, kind) not in upgradable:
            raise ArtifactError(f"bundle {root}: the {name} store's kind '{kind}' is unknown to this ytrec; "
                                "rebuild the bundle with `ytrec build`")
    for name, kind in upgradable:
        raise ArtifactError(f"bundle {root} was made by an older ytrec: its {name} store ('{kind}') is no "
                            f"longer supported; run: ytrec upgrade {root}")


def _thumbnail_file(root: Path, row: int, relative: str) -> Path:
    path = (root / relative).resolve()
    if not path.is_relative_to(root / THUMBS_DIR):
        raise ArtifactError(f"bundle {root}: catalog row {row} points outside thumbs/ ({relative!r})")
    return path


def _verify_thumbnails(root: Path, catalog: Catalog) -> None:
    """Every thumbnail the catalog names exists inside thumbs/ and decodes completely.

    Thumbnails are not in the manifest's checksum list (a million of them would make every update
    re-hash gigabytes), so ``--verify`` decodes them instead: a missing or truncated file is named.
    """
    from PIL import Image

    for row, relative in enumerate(catalog.column("thumb")):
        if not relative:
            continue
        path = _thumbnail_file(root, row, relative)
        if not path.is_file():
            raise ArtifactError(f"bundle {root} is incomplete: {relative} is missing")
        try:
            with Image.open(path) as image:
                image.load()
        except (OSError, SyntaxError, ValueError) as exc:
            raise ArtifactError(f"bundle file {relative} is not a readable image (truncated or corrupt): {exc}") from None


def write_bundle(
    stage: Path,
    catalog: Catalog,
    report: IngestReport,
    stores: dict[str, ModalityStore],
    content: dict,
    extra_files: list[str] = (),
) -> dict:
    """Write everything except thumbnails/encoder (already in ``stage``) and the manifest last.

    The manifest goes last so a staging folder without one is recognisably incomplete.
    ``extra_files``: files the caller already wrote into ``stage`` (the score calibration).
    """
    catalog.save(stage / CATALOG_FILE)
    report.write(stage / REPORT_FILE)
    files = [CATALOG_FILE, REPORT_FILE, *extra_files]
    for store in stores.values():
        files += store.save(stage)
    files += [name for name in ENCODER_FILES if (stage / name).is_file()]
    if (stage / TITLE_MODEL_DIR).is_dir():  # a title model adapted to the catalog (build --adapt-titles)
        files += sorted(p.relative_to(stage).as_posix() for p in (stage / TITLE_MODEL_DIR).rglob("*") if p.is_file())
    content = {
        **content,
        "counts": {**content.get("counts", {}), "videos": len(catalog)},
        "modalities": {name: store.describe() for name, store in stores.items()},
    }
    return write_manifest(stage, content, files)
