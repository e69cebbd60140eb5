"""Where a bundle's vectors live in Milvus, and one client per server per process.

The manifest records the URI and the collection names, never the token: a token comes from
``--milvus-token`` or the ``YTREC_MILVUS_TOKEN`` environment variable at run time, and
``YTREC_MILVUS_URI`` points a bundle at another server (the same collections moved, a port that
changed) without rebuilding it.

Every call goes through ``call``, which turns "the server is gone" into ``StoreUnavailableError``
(the API answers 503) and everything else Milvus refuses into an ``ArtifactError`` naming the
collection. gRPC channels reconnect by themselves, so a store works again as soon as the server
is back; nothing is cached that a restart would invalidate.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ytrec.errors import ArtifactError, ConfigError, StoreUnavailableError

URI_ENV = "YTREC_MILVUS_URI"
TOKEN_ENV = "YTREC_MILVUS_TOKEN"
DEFAULT_PREFIX = "ytrec"
CALL_TIMEOUT_S = 10.0  # a lost server fails a request within this, instead of pymilvus's retries for minutes
CONNECT_TIMEOUT_S = 5.0
COLLECTION_NOT_LOADED = 101  # Milvus error code while a (restarted) server loads a collection
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")

T = TypeVar("T")


@dataclass(frozen=True)
class MilvusTarget:
    """A Milvus server (or cluster proxy) and the collection-name prefix of one catalog on it."""

    uri: str
    token: str = ""
    prefix: str = DEFAULT_PREFIX

    def __post_init__(self) -> None:
        if not self.uri or "://" not in self.uri:
            raise ConfigError(f"Milvus URI must look like http://host:19530, got {self.uri!r}")
        if not _NAME.fullmatch(self.prefix):
            raise ConfigError(
                f"Milvus collection prefix must be letters, digits and underscores (not starting with a digit), got {self.prefix!r}"
            )

    @classmethod
    def from_manifest(cls, meta: dict) -> "MilvusTarget":
        """The target a store's manifest entry names, with the environment's URI/token overrides."""
        return cls(os.environ.get(URI_ENV) or meta["uri"], os.environ.get(TOKEN_ENV, ""), meta.get("prefix", DEFAULT_PREFIX))

    def alias(self, signal: str) -> str:
        """The stable name readers use for a signal's collection (an alias of its current generation)."""
        return f"{self.prefix}_{signal}"


_clients: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


def client_for(target: MilvusTarget):
    """The process's client for ``target``'s server, connected on first use."""
    key = (target.uri, target.token)
    with _lock:
        if key not in _clients:
            try:
                from pymilvus import MilvusClient
            except ImportError:
                raise ConfigError("the Milvus backend needs pymilvus: pip install 'ytrec[milvus]'") from None
            _quiet_pymilvus()

            _clients[key] = call(
                target, "connect", lambda: MilvusClient(uri=target.uri, token=target.token, timeout=CONNECT_TIMEOUT_S)
            )
        return _clients[key]


def _quiet_pymilvus() -> None:
    """pymilvus logs every failed RPC with a traceback on stderr (its own handler); ytrec reports
    the failure itself, in one line (CLI) or a 503 body (API), so only its critical messages stay."""
    for name in ("pymilvus", "pymilvus.milvus_client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def forget_clients() -> None:
    """Close every client (tests; a process that switches servers)."""
    with _lock:
        for client in _clients.values():
            try:
                client.close()
            except Exception:  # noqa: BLE001  (closing a dead channel may fail; it is dropped either way)
                pass
        _clients.clear()


def call(target: MilvusTarget, what: str, action: Callable[[], T]) -> T:
    """Run one Milvus call; translate its failures into ytrec's error types."""
    from pymilvus.exceptions import MilvusException

    try:
        return action()
    except MilvusException as exc:
        if _is_unreachable(exc):
            raise StoreUnavailableError(f"Milvus at {target.uri} is unreachable ({what}): {_short(exc)}") from None
        if getattr(exc, "code", None) == COLLECTION_NOT_LOADED:  # a restarted server reloads by itself
            raise StoreUnavailableError(f"Milvus at {target.uri} is still loading ({what}): {_short(exc)}") from None
        raise ArtifactError(f"Milvus at {target.uri} refused {what}: {_short(exc)}") from None
    except Exception as exc:  # grpc errors surface as their own types (RpcError, FutureTimeoutError)
        if _grpc_failure(exc):
            raise StoreUnavailableError(f"Milvus at {target.uri} is unreachable ({what}): {_short(exc)}") from None
        raise


def _is_unreachable(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        marker in text
        for marker in ("unavailable", "fail connecting", "deadline", "timeout", "connection refused", "not ready", "closed channel")
    )


def _grpc_failure(exc: Exception) -> bool:
    import grpc

    return isinstance(exc, (grpc.RpcError, grpc.FutureTimeoutError, ConnectionError, TimeoutError))


def _short(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc)
    return " ".join(str(message).split())[:300]
