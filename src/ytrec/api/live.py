"""The Service a worker answers with now, replaced whole when the bundle on disk changes.

Every publish of a bundle (``ytrec add`` / ``remove`` / ``retrain`` / ``tune``, or a write through
any server worker) writes a new ``manifest.json`` in a new folder renamed into place, so the
manifest's identity (inode, size, modification time) is the bundle's *generation*. Each request
costs one ``stat`` of it; when it differs from the generation being served, a background thread
opens the new bundle (under the bundle's shared lock, so never while a write is publishing), warms
any model that changed, and swaps the new Service in. Requests meanwhile keep answering from the
old one, whose memory-mapped files stay readable after the publish unlinks them: no request waits
for a reload, sees half of one, or fails because of one.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from ytrec.api.service import Service
from ytrec.artifact.bundle import ENCODER_FILES, Bundle
from ytrec.artifact.manifest import MANIFEST
from ytrec.artifact.update import bundle_lock
from ytrec.core.recommender import Recommender

log = logging.getLogger("ytrec.api")

Generation = tuple[int, int, int, int] | None
RETRY_FAILED_RELOAD_S = 1.0


def generation(root: Path) -> Generation:
    """The identity of the bundle's manifest file; None while it is absent (between two renames)."""
    try:
        st = os.stat(root / MANIFEST)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class LiveService:
    def __init__(self, service: Service) -> None:
        self._service = service
        self.root = service.recommender.bundle.root
        self._serving = generation(self.root)
        self._reloading = threading.Lock()
        self._retry_at = 0.0

    def current(self) -> Service:
        """The Service to answer this request with; starts a reload when the bundle changed."""
        seen = generation(self.root)
        if seen is not None and seen != self._serving and time.monotonic() >= self._retry_at:
            if self._reloading.acquire(blocking=False):
                threading.Thread(target=self._reload_in_background, name="ytrec-reload", daemon=True).start()
        return self._service

    def fresh(self) -> Service:
        """The Service for the bundle as it is on disk now (a write checks against this, not a stale view)."""
        seen = generation(self.root)
        return self.reload_now() if seen is not None and seen != self._serving else self._service

    def reload_now(self) -> Service:
        """Open the published bundle and serve it before returning (after this worker's own write)."""
        with self._reloading:
            self._reload()
        return self._service

    def _reload_in_background(self) -> None:
        try:
            self._reload()
        except Exception:  # noqa: BLE001 - keep serving the old bundle; try again shortly
            log.warning("reloading %s failed; still serving the previous version", self.root, exc_info=True)
            self._retry_at = time.monotonic() + RETRY_FAILED_RELOAD_S
        finally:
            self._reloading.release()

    def _reload(self) -> None:
        old = self._service
        with bundle_lock(self.root, shared=True):  # no publish runs while the files are opened
            seen = generation(self.root)
            # files the write hard-linked unchanged are the ones verified last time: not re-hashed
            bundle = Bundle.load(self.root, checked=old.recommender.bundle.verified)
            recommender = Recommender(bundle, text_model=old.settings.text_model)
        changed_models = hand_over_models(old.recommender, recommender)
        if changed_models and old.settings.warm_up:
            old.encoding.run_blocking(recommender.warm_up)
        self._service = Service(recommender, old.settings, old.encoding)
        self._serving = seen


def hand_over_models(old: Recommender, new: Recommender) -> bool:
    """Give ``new`` the models ``old`` already loaded when the bundle records the same ones (a
    retrain replaces the thumbnail encoder; add/remove keep both); True when one must load anew."""
    same_text = old.bundle.manifest.get("text_model") == new.bundle.manifest.get("text_model")
    old_files, new_files = old.bundle.manifest.get("files", {}), new.bundle.manifest.get("files", {})
    same_encoder = all(old_files.get(name) == new_files.get(name) for name in ENCODER_FILES)
    changed = False
    for name, same in (("title_embedder", same_text), ("thumbnail_encoder", same_encoder)):
        if name in old.__dict__ and same:  # cached_property values
            new.__dict__[name] = old.__dict__[name]
        elif name in old.__dict__:
            changed = True
    return changed
