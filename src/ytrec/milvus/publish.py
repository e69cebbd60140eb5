"""``ytrec publish``: move a bundle's vectors into Milvus, atomically from the readers' side.

Each signal gets a new *generation* collection (``<prefix>_<signal>__<stamp>``), filled, indexed
and loaded while readers keep using the current one through the alias ``<prefix>_<signal>``.
Then the bundle is rewritten (its Faiss files replaced by the key list and a manifest entry
naming the alias) and the aliases are switched; the previous generations are dropped. A publish
killed before the switch leaves the previous collections in use (and its half-built generations
are dropped by the next publish); a kill between the bundle's rename and the switch leaves
readers on the previous collections, which the stable keys still map.

The lexical signal stays local: it is a word index plus stored titles rescored by n-grams, not vectors.
Signals whose store holds no exportable vectors (such as the lexical one) stay local too,
and the log says so.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from ytrec.artifact.bundle import Bundle
from ytrec.artifact.update import bundle_lock, publish_update
from ytrec.catalog.catalog import Catalog
from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore
from ytrec.index.dense import FaissStore
from ytrec.index.store import VectorStore
from ytrec.milvus.connection import CALL_TIMEOUT_S, MilvusTarget, call, client_for
from ytrec.milvus.store import (
    CATEGORY,
    CHANNEL,
    PK,
    VARCHAR_MAX,
    VECTOR,
    MilvusStore,
    VectorSpec,
    last_write_ts,
    video_pks,
    write_rows,
)

Log = Callable[[str], None]
EXPORT_CHUNK = 20_000
INDEX_TIMEOUT_S = 3600.0
ALIAS_NOT_FOUND = 1600  # Milvus error code


def vector_spec(store: ModalityStore) -> VectorSpec | None:
    """How a local store's vectors go into Milvus, or None when the signal stays local."""
    if isinstance(store, MilvusStore):
        return store.spec
    if isinstance(store, (VectorStore, FaissStore)):
        return VectorSpec.dense(store.dimension)
    codes = getattr(store, "codes", None)
    if store.kind == "copy_code" and isinstance(codes, np.ndarray) and codes.ndim == 2 and codes.dtype == np.uint8:
        return VectorSpec.binary(codes.shape[1])
    return None


def store_vectors(store: ModalityStore, chunk: int = EXPORT_CHUNK) -> Iterator[np.ndarray]:
    """A store's vectors in catalog order, ``chunk`` rows at a time (1M x 768 floats is 3 GB)."""
    for start in range(0, len(store), chunk):
        rows = np.arange(start, min(start + chunk, len(store)), dtype=np.int64)
        if isinstance(store, VectorStore):
            yield np.asarray(store.vectors[rows], dtype=np.float32)
        elif isinstance(store, FaissStore):
            yield np.asarray(store.vectors.decode(rows), dtype=np.float32)
        elif isinstance(store, MilvusStore):
            yield store.export_rows(rows)
        else:
            yield np.asarray(store.codes[rows], dtype=np.uint8)


def publish_bundle(root: Path, target: MilvusTarget, log: Log = print) -> dict:
    """Put the bundle's vectors into Milvus at ``target``; returns the new manifest."""
    root = Path(root).resolve()
    client = client_for(target)  # an unreachable server fails first, in one line
    with bundle_lock(root):
        bundle = Bundle.load(root)
        plan = {name: spec for name, store in bundle.stores.items() if (spec := vector_spec(store)) is not None}
        for name in bundle.stores:
            if name not in plan:
                log(f"{name}: stays local ({bundle.stores[name].kind} store)")
        if not plan:
            raise ArtifactError(f"bundle {root} has no vector signal to publish")
        _drop_orphans(target, list(plan))
        keys = video_pks(bundle.catalog.video_ids)
        if len(np.unique(keys)) != len(keys):
            raise ArtifactError("two video ids hash to the same Milvus key; rename one of them")
        stamp = f"{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}"
        created: dict[str, str] = {}
        stores: dict[str, MilvusStore] = {}
        try:
            for name, spec in plan.items():
                generation = f"{target.alias(name)}__{stamp}"
                created[name] = generation
                stores[name] = _fill_generation(target, generation, name, spec, bundle.stores[name], bundle.catalog, keys, log)
            fresh = [name for name in plan if not _alias_target(target, target.alias(name))]
            for name in fresh:  # a new alias has no readers yet: point it now, so the bundle never names a missing one
                call(target, "create alias", lambda: client.create_alias(created[name], target.alias(name), timeout=CALL_TIMEOUT_S))
            manifest = publish_update(
                root,
                bundle.manifest,
                {"op": "publish", "uri": target.uri, "collections": created},
                stores,
            )
        except BaseException:
            for generation in created.values():
                _drop_quietly(target, generation)
            raise
        for name, generation in created.items():
            if name in fresh:
                continue
            alias = target.alias(name)
            previous = _alias_target(target, alias)
            call(target, "switch alias", lambda: client.alter_alias(generation, alias, timeout=CALL_TIMEOUT_S))
            if previous and previous != generation:
                _drop_quietly(target, previous)
        log(f"published {', '.join(f'{n} -> {target.alias(n)}' for n in created)} at {target.uri}")
        return manifest


def _fill_generation(
    target: MilvusTarget,
    generation: str,
    name: str,
    spec: VectorSpec,
    store: ModalityStore,
    catalog: Catalog,
    keys: np.ndarray,
    log: Log,
) -> MilvusStore:
    source = store.source if isinstance(store, MilvusStore) else store.describe()
    milvus_store, timings = fill_collection(
        target, generation, name, spec, store_vectors(store), keys,
        catalog.column("channel"), catalog.column("category"), source,
    )
    log(f"{name}: {len(keys)} vectors into {generation} ({spec.index_type}, insert {timings['insert_s']:.1f} s = "
        f"{timings['insert_per_s']:,.0f}/s, flush+index+load {timings['index_s']:.1f} s)")
    return milvus_store


def fill_collection(
    target: MilvusTarget,
    collection: str,
    name: str,
    spec: VectorSpec,
    chunks: Iterable[np.ndarray],
    keys: np.ndarray,
    channels: list,
    categories: list,
    source: dict,
) -> tuple[MilvusStore, dict]:
    """Create ``collection``, insert the vectors (in catalog order, ``chunks`` at a time), flush,
    build its index and load it. The store reads through the alias ``target.alias(name)``, which
    the caller points at ``collection``. Returns the store and the timings (ingest rate for the bench)."""
    client = client_for(target)
    call(target, f"create {collection}", lambda: client.create_collection(
        collection, schema=_schema(spec), consistency_level="Strong", timeout=CALL_TIMEOUT_S))
    started = time.perf_counter()
    done = 0
    for vectors in chunks:
        rows = slice(done, done + len(vectors))
        write_rows(target, collection, spec, keys[rows], vectors, channels[rows], categories[rows])
        done += len(vectors)
    inserted = time.perf_counter()
    call(target, f"flush {collection}", lambda: client.flush(collection, timeout=INDEX_TIMEOUT_S))
    index = client.prepare_index_params()
    index.add_index(field_name=VECTOR, index_type=spec.index_type, metric_type=spec.metric, params=spec.index_params)
    call(target, f"index {collection}", lambda: client.create_index(collection, index, timeout=INDEX_TIMEOUT_S))
    call(target, f"load {collection}", lambda: client.load_collection(collection, timeout=INDEX_TIMEOUT_S))
    finished = time.perf_counter()
    timings = {"insert_s": inserted - started, "insert_per_s": done / max(inserted - started, 1e-9),
               "index_s": finished - inserted}
    return MilvusStore(name, target, spec, keys, last_write_ts(client, collection), source), timings


def _schema(spec: VectorSpec):
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field(PK, DataType.INT64, is_primary=True)
    vector_type = DataType.FLOAT_VECTOR if spec.vector == "float" else DataType.BINARY_VECTOR
    schema.add_field(VECTOR, vector_type, dim=spec.dimension)
    schema.add_field(CHANNEL, DataType.VARCHAR, max_length=VARCHAR_MAX)
    schema.add_field(CATEGORY, DataType.VARCHAR, max_length=VARCHAR_MAX)
    return schema


def _alias_target(target: MilvusTarget, alias: str) -> str | None:
    """The collection behind ``alias``, or None when there is no such alias."""
    from pymilvus.exceptions import MilvusException

    client = client_for(target)

    def describe() -> str | None:
        try:
            return client.describe_alias(alias, timeout=CALL_TIMEOUT_S)["collection_name"]
        except MilvusException as exc:
            if exc.code == ALIAS_NOT_FOUND:
                return None
            raise

    return call(target, f"look up alias {alias}", describe)


def _drop_orphans(target: MilvusTarget, names: list[str]) -> None:
    """Drop generations a killed publish left behind (not behind their alias)."""
    client = client_for(target)
    existing = call(target, "list collections", lambda: client.list_collections(timeout=CALL_TIMEOUT_S))
    for name in names:
        alias = target.alias(name)
        live = _alias_target(target, alias)
        for collection in existing:
            if collection.startswith(f"{alias}__") and collection != live:
                _drop_quietly(target, collection)


def _drop_quietly(target: MilvusTarget, collection: str) -> None:
    try:
        client_for(target).drop_collection(collection, timeout=CALL_TIMEOUT_S)
    except Exception:  # noqa: BLE001  (cleanup: the next publish drops what is left)
        pass
