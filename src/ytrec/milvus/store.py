"""One signal's vectors in a Milvus collection: the ``milvus`` store kind.

Why one collection per signal: Milvus 2.3 takes one vector field per collection (multi-vector
collections and ``hybrid_search`` arrived in 2.4), and ytrec fuses the signals itself anyway.

A collection holds ``pk`` (INT64), the vector (FLOAT_VECTOR with an HNSW/IP index for dense
signals: vectors are L2-normalized, so inner product is cosine; BINARY_VECTOR with Hamming
distance for copy codes), and the video's ``channel`` and ``category`` so filters run inside the
search (``search_filtered``). The primary key is a 63-bit hash of the video id, not the catalog
row: rows move when videos are removed, the hash does not, so any version of the bundle maps
any generation of the collection (unknown keys are skipped) and a publish can switch an alias
under running servers. The bundle keeps the keys in catalog order (``<signal>_milvus_pks.npy``,
8 bytes a video), the only per-video data that stays local.

Search finds candidates in Milvus (with their vectors, kept in a small cache);
``similarity``/``row_query``/``pairwise`` fetch what the cache lacks by key (one ``get`` per
signal per request) and score exactly here, so fusion sees the same numbers as with a local
store: cosine for dense vectors; for binary codes, the copy-code functions (``index.copy_codes``:
search the query's searched hypotheses, score the best one with the strip-trimmed similarity).

Consistency: every read passes ``guarantee_timestamp`` = the timestamp of the last write this
bundle version made (publish, add, remove; recorded in the manifest), consistency level
"Customized". A read therefore sees every row the bundle lists, even in another process right
after ``ytrec add``, and waits for nothing once the server has caught up (~3 ms); "Strong" would
wait for the next time tick (~200 ms) on every call, "Bounded" (Milvus's default) may miss a
write of the last few seconds.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ytrec.errors import ArtifactError
from ytrec.index.base import ModalityStore, NewRows, SearchParams, Where
from ytrec.index.registry import register
from ytrec.index.store import normalize_rows
from ytrec.milvus.connection import CALL_TIMEOUT_S, MilvusTarget, call, client_for

PK, VECTOR, CHANNEL, CATEGORY = "pk", "vector", "channel", "category"
MAX_TOPK = 16384  # Milvus refuses larger limits
VARCHAR_MAX = 65535
INSERT_BATCH_BYTES = 16 * 2**20  # gRPC messages stay far below Milvus's 64 MB limit
CACHE_ROWS = 8192


@dataclass(frozen=True)
class VectorSpec:
    """How one signal's vectors are stored and searched in Milvus (recorded in the manifest)."""

    vector: str  # "float" (dense, cosine) or "binary" (packed bits, Hamming)
    dimension: int  # floats, or bits for binary vectors
    index_type: str = "HNSW"
    index_params: dict = field(default_factory=lambda: {"M": 16, "efConstruction": 200})
    search_params: dict = field(default_factory=lambda: {"ef": 128})

    @property
    def metric(self) -> str:
        return "IP" if self.vector == "float" else "HAMMING"

    @classmethod
    def dense(cls, dimension: int) -> "VectorSpec":
        return cls("float", int(dimension))

    @classmethod
    def binary(cls, nbytes: int) -> "VectorSpec":
        # an exact scan of 64-byte codes is ~64 MB per million videos: no approximate index needed
        return cls("binary", int(nbytes) * 8, "BIN_FLAT", {}, {})


def video_pks(video_ids: list[str]) -> np.ndarray:
    """Stable 63-bit primary keys for video ids (blake2b), as int64."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(v.encode("utf-8"), digest_size=8).digest(), "little") >> 1 for v in video_ids],
        dtype=np.int64,
    )


def where_expression(where: Where | None) -> str:
    """A Milvus boolean expression for a push-down filter ("" when it restricts nothing)."""
    if where is None:
        return ""
    parts = []
    if where.channels:
        parts.append(f"{CHANNEL} in {_strings(where.channels)}")
    if where.categories:
        parts.append(f"{CATEGORY} in {_strings(where.categories)}")
    if where.excluded_channels:
        parts.append(f"{CHANNEL} not in {_strings(where.excluded_channels)}")
    return " and ".join(parts)


def _strings(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


@register
class MilvusStore(ModalityStore):
    kind = "milvus"

    def __init__(
        self,
        name: str,
        target: MilvusTarget,
        spec: VectorSpec,
        pks: np.ndarray,
        read_ts: int,
        source: dict,
    ) -> None:
        super().__init__(name)
        self.target = target
        self.spec = spec
        self.pks = np.asarray(pks, dtype=np.int64)
        self.read_ts = int(read_ts)
        self.source = dict(source)  # the local store's manifest entry it was published from
        order = np.argsort(self.pks, kind="stable")
        self._sorted_pks = self.pks[order]
        self._rows_by_sorted = order
        self._cache: OrderedDict[int, Any] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def collection(self) -> str:
        return self.target.alias(self.name)

    @property
    def dimension(self) -> int:
        return self.spec.dimension

    def __len__(self) -> int:
        return len(self.pks)

    # -- search -----------------------------------------------------------------------------

    def search(self, queries: Any, k: int, params: SearchParams | None = None) -> tuple[np.ndarray, np.ndarray]:
        return self.search_filtered(queries, k, None, params)

    def search_filtered(
        self, queries: Any, k: int, where: Where | None, params: SearchParams | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, rows) among the rows ``where`` allows, filtered inside Milvus.

        Dense: a batch of vectors. Binary: one query of several hypothesis codes (copy codes: crops
        and mirror), or a list of them; each hypothesis is searched, and the union of candidates is
        scored exactly by the source kind's own similarity (the best hypothesis)."""
        batch = self._query_batch(queries)
        k = min(int(k), len(self), MAX_TOPK)
        scores = np.full((len(batch), max(k, 0)), -np.inf, dtype=np.float32)
        rows = np.full((len(batch), max(k, 0)), -1, dtype=np.int64)
        if k < 1:
            return scores, rows
        searched = [self._searched(query) for query in batch]
        hits = self._milvus_search([code for codes in searched for code in codes], k, where, params)
        at = 0
        for q, query in enumerate(batch):
            found: list[int] = []
            for hit_list in hits[at : at + len(searched[q])]:
                keys = np.array([hit["id"] for hit in hit_list], dtype=np.int64)
                found_rows = self._rows_of(keys)
                known = found_rows >= 0  # keys of rows this bundle version does not list are skipped
                self._remember(keys[known], [hit["entity"][VECTOR] for hit, ok in zip(hit_list, known) if ok])
                found.extend(int(r) for r in found_rows[known])
            at += len(searched[q])
            candidates = np.array(list(dict.fromkeys(found)), dtype=np.int64)
            if not len(candidates):
                continue
            exact = self.similarity(query, candidates)
            best = np.argsort(-exact, kind="stable")[:k]
            scores[q, : len(best)], rows[q, : len(best)] = exact[best], candidates[best]
        return scores, rows

    def _milvus_search(self, data: list, k: int, where: Where | None, params: SearchParams | None) -> list:
        search_params = dict(self.spec.search_params)
        if self.spec.index_type == "HNSW":
            ef = params.ef_search if params is not None and params.ef_search else search_params.get("ef", 128)
            search_params["ef"] = max(int(ef), k)  # HNSW needs ef >= k
        return call(
            self.target,
            f"search {self.collection}",
            lambda: client_for(self.target).search(
                self.collection,
                data=data,
                limit=k,
                filter=where_expression(where),
                search_params={"metric_type": self.spec.metric, "params": search_params},
                output_fields=[VECTOR],
                timeout=CALL_TIMEOUT_S,
                **self._read_consistency(),
            ),
        )

    def _query_batch(self, queries: Any) -> list:
        """Dense: the (d,) normalized rows of a batch. Binary: a list of (hypotheses, bytes) code arrays."""
        if self.spec.vector == "float":
            matrix = normalize_rows(np.atleast_2d(np.asarray(queries, dtype=np.float32)))
            if matrix.shape[1] != self.dimension:
                raise ArtifactError(f"{self.name} query is {matrix.shape[1]}-d, the collection is {self.dimension}-d")
            return list(matrix)
        if isinstance(queries, np.ndarray) and queries.ndim <= 2:
            queries = [queries]
        return [np.atleast_2d(np.asarray(q, dtype=np.uint8)) for q in queries]

    def _searched(self, query: np.ndarray) -> list:
        """What goes to Milvus for one query: the vector, or the searched hypothesis codes as bytes."""
        if self.spec.vector == "float":
            return [query]
        return [bytes(code) for code in self._codes.searched_hypotheses(query)]

    # -- exact scores from the stored vectors ------------------------------------------------
    # Dense: cosine (dot product of normalized vectors). Binary: the source kind's code functions
    # (``copy_code``: ``index.copy_codes``), so its hypotheses and similarity are used as they are.

    @property
    def _codes(self):
        if self.source.get("index") != "copy_code":
            raise ArtifactError(f"the {self.name} collection holds {self.source.get('index')} codes, unknown to this ytrec")
        from ytrec.index import copy_codes

        return copy_codes

    def similarity(self, query: Any, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        vectors = self._vectors(rows)
        if self.spec.vector == "float":
            return (vectors @ self._query_batch(query)[0]).astype(np.float32)
        return self._codes.best_similarity(self._query_batch(query)[0], vectors)

    def row_query(self, row: int) -> Any:
        vectors = self._vectors(np.array([row], dtype=np.int64))
        return vectors[0] if self.spec.vector == "float" else self._codes.with_mirror(vectors)

    def pairwise(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return np.zeros((0, 0), dtype=np.float32)
        block = self._vectors(rows)
        if self.spec.vector == "float":
            return block @ block.T
        return self._codes.pairwise_similarity(block)  # as CopyCodeStore.pairwise

    def encode(self, images: list) -> list:
        """Query codes of new pictures (binary signals), as the source kind makes them."""
        if self.spec.vector == "float":
            raise ArtifactError(f"the {self.name} store takes vectors, not images")
        return [self._codes.query_codes(img) for img in images]

    def _rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Catalog rows of primary keys; -1 for keys this bundle version does not list."""
        at = np.searchsorted(self._sorted_pks, keys)
        at = np.minimum(at, len(self._sorted_pks) - 1)
        return np.where(self._sorted_pks[at] == keys, self._rows_by_sorted[at], -1)

    def _vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows`` (float32 for dense, uint8 packed bits for binary)."""
        keys = [int(k) for k in self.pks[rows]]
        with self._cache_lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
        missing = sorted(set(keys) - found.keys())
        if missing:
            fetched = call(
                self.target,
                f"get from {self.collection}",
                lambda: client_for(self.target).get(
                    self.collection, ids=missing, output_fields=[VECTOR], timeout=CALL_TIMEOUT_S,
                    **self._read_consistency(),
                ),
            )
            got = [int(r[PK]) for r in fetched], [r[VECTOR] for r in fetched]
            self._remember(np.array(got[0], dtype=np.int64), got[1])
            found.update(zip(got[0], (self._as_array(v) for v in got[1])))
        try:
            return np.stack([found[k] for k in keys])
        except KeyError:
            raise ArtifactError(
                f"Milvus collection {self.collection} at {self.target.uri} lacks {self.name} vectors of videos "
                f"this bundle lists (removed outside ytrec?); publish the bundle again"
            ) from None

    def _remember(self, keys: np.ndarray, vectors: list) -> None:
        with self._cache_lock:
            for key, vector in zip(keys, vectors):
                self._cache[int(key)] = self._as_array(vector)
                self._cache.move_to_end(int(key))
            while len(self._cache) > CACHE_ROWS:
                self._cache.popitem(last=False)

    def _as_array(self, vector: Any) -> np.ndarray:
        """A vector as Milvus returns it (floats; bytes, or a one-item list of bytes) as numpy."""
        if self.spec.vector == "float":
            return np.asarray(vector, dtype=np.float32)
        return np.frombuffer(bytes(vector[0] if isinstance(vector, list) else vector), dtype=np.uint8)

    def export_rows(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of many rows, bypassing the cache (republishing elsewhere)."""
        keys = [int(k) for k in self.pks[rows]]
        fetched = call(
            self.target,
            f"get from {self.collection}",
            lambda: client_for(self.target).get(
                self.collection, ids=keys, output_fields=[VECTOR], timeout=CALL_TIMEOUT_S * 6, **self._read_consistency()
            ),
        )
        by_key = {int(r[PK]): self._as_array(r[VECTOR]) for r in fetched}
        if len(by_key) != len(keys):
            raise ArtifactError(f"Milvus collection {self.collection} lacks {len(keys) - len(by_key)} of this bundle's videos")
        return np.stack([by_key[k] for k in keys])

    def _read_consistency(self) -> dict:
        if self.read_ts <= 0:
            return {"consistency_level": "Strong"}
        return {"consistency_level": "Customized", "guarantee_timestamp": self.read_ts}

    # -- manifest and files -----------------------------------------------------------------

    @property
    def pks_file(self) -> str:
        return f"{self.name}_milvus_pks.npy"

    def describe(self) -> dict:
        return {
            "index": self.kind,
            "dimension": self.dimension,
            "metric": "cosine" if self.spec.vector == "float" else "hamming",
            "uri": self.target.uri,
            "prefix": self.target.prefix,
            "collection": self.collection,
            "vector": asdict(self.spec),
            "read_ts": self.read_ts,
            "source": self.source,
        }

    def save(self, directory: Path) -> list[str]:
        np.save(directory / self.pks_file, self.pks)
        return [self.pks_file]

    @classmethod
    def load(cls, name: str, directory: Path, meta: dict) -> "MilvusStore":
        path = directory / f"{name}_milvus_pks.npy"
        if not path.is_file():
            raise ArtifactError(f"bundle is missing {path.name}")
        try:
            pks = np.load(path)
        except (OSError, ValueError) as exc:
            raise ArtifactError(f"cannot read {path.name}: {exc}") from None
        target = MilvusTarget.from_manifest(meta)
        store = cls(name, target, VectorSpec(**meta["vector"]), pks, meta.get("read_ts", 0), meta.get("source", {}))
        store.check_collection()
        return store

    def check_collection(self) -> None:
        """Fail now, in one line naming the URI, if the server is down or lacks the collection."""
        client = client_for(self.target)
        exists = call(self.target, f"look up {self.collection}", lambda: client.has_collection(self.collection, timeout=CALL_TIMEOUT_S))
        if not exists:
            raise ArtifactError(
                f"Milvus at {self.target.uri} has no collection {self.collection}: publish the bundle there "
                f"(ytrec publish BUNDLE --milvus-uri {self.target.uri})"
            )

    # -- updates: insert / delete in place, a new store object for the new bundle version -------

    def with_rows_added(self, rows: NewRows) -> "MilvusStore":
        vectors = rows.vectors_for(self.name)
        if self.spec.vector == "float":
            vectors = normalize_rows(vectors)
            if vectors.shape[1] != self.dimension:
                raise ArtifactError(f"new {self.name} vectors are {vectors.shape[1]}-d, the store is {self.dimension}-d")
        keys = video_pks([str(r["video_id"]) for r in rows.records])
        # upsert: a key left by a killed earlier add is replaced, not duplicated (Milvus keeps both on insert)
        ts = write_rows(
            self.target, self.collection, self.spec, keys, vectors,
            [r.get("channel") for r in rows.records], [r.get("category") for r in rows.records], upsert=True,
        )
        return self._evolved(np.concatenate([self.pks, keys]), ts)

    def with_rows_removed(self, rows: np.ndarray) -> "MilvusStore":
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if rows.size and (rows[0] < 0 or rows[-1] >= len(self)):
            raise ArtifactError(f"rows to remove must lie in 0..{len(self) - 1}")
        if rows.size >= len(self):
            raise ArtifactError(f"cannot remove every row of the {self.name} store")
        keys = [int(k) for k in self.pks[rows]]
        client = client_for(self.target)
        call(self.target, f"delete from {self.collection}",
             lambda: client.delete(self.collection, ids=keys, timeout=CALL_TIMEOUT_S))
        return self._evolved(np.delete(self.pks, rows), last_write_ts(client, self.collection))

    def _evolved(self, pks: np.ndarray, ts: int) -> "MilvusStore":
        return MilvusStore(self.name, self.target, self.spec, pks, max(ts, self.read_ts) if ts else 0, self.source)


def write_rows(
    target: MilvusTarget,
    collection: str,
    spec: VectorSpec,
    keys: np.ndarray,
    vectors: np.ndarray,
    channels: list,
    categories: list,
    upsert: bool = False,
) -> int:
    """Insert (or upsert) rows in batches; returns the timestamp of the last write (0: unknown)."""
    client = client_for(target)
    row_bytes = vectors[0].nbytes + 64 if len(vectors) else 1
    batch = max(1, INSERT_BATCH_BYTES // row_bytes)
    write = client.upsert if upsert else client.insert
    for start in range(0, len(keys), batch):
        stop = start + batch
        data = [
            {
                PK: int(key),
                VECTOR: _vector_value(spec, vector),
                CHANNEL: _scalar(channel),
                CATEGORY: _scalar(category),
            }
            for key, vector, channel, category in zip(keys[start:stop], vectors[start:stop], channels[start:stop], categories[start:stop])
        ]
        call(target, f"write to {collection}", lambda: write(collection, data, timeout=CALL_TIMEOUT_S * 6))
    return last_write_ts(client, collection)


def _vector_value(spec: VectorSpec, vector: np.ndarray):
    if spec.vector == "float":
        return np.asarray(vector, dtype=np.float32)
    return np.asarray(vector, dtype=np.uint8).tobytes()


def _scalar(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text.encode("utf-8")) > VARCHAR_MAX:
        raise ArtifactError(f"a channel/category value is over {VARCHAR_MAX} bytes; Milvus cannot store it")
    return text


def last_write_ts(client, collection: str) -> int:
    """The server timestamp of this client's last write to ``collection`` (0 if unknown).

    pymilvus records it per collection for its own "Session" consistency; we read it so the
    bundle can carry it to other processes (see the module docstring). 0 makes reads Strong.
    """
    from pymilvus.client import ts_utils

    connection = client._get_connection()
    return int(ts_utils.get_collection_ts(collection, connection.server_address, "") or 0)
