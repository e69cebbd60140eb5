"""Copy detection on the 130 real thumbnails of ../shared/data/thumbs-real, read in place, and the
duplicate threshold's separation of distinct thumbnails from re-encoded copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from ytrec.catalog.images import normalize, open_thumbnail
from ytrec.eval.copies import CopyDetectionEvaluator, StoreCopySystem
from ytrec.eval.transforms import TRANSFORMS
from ytrec.fusion.duplicates import DUPLICATE_THRESHOLDS
from ytrec.index.copy_codes import FLIP_MASK, copy_codes
from ytrec.index.copy_store import CopyCodeStore

THUMBS = Path(__file__).resolve().parents[3] / "shared" / "data" / "thumbs-real" / "images"


@pytest.fixture(scope="module")
def real():
    paths = sorted(THUMBS.glob("*.jpg"))
    assert len(paths) >= 130, f"expected the 130 real thumbnails in {THUMBS}"
    images = [open_thumbnail(p) for p in paths]
    digests: dict[str, set[int]] = {}
    for row, path in enumerate(paths):
        digests.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), set()).add(row)
    same_image = {row: rows - {row} for rows in digests.values() for row in rows}
    return images, same_image, CopyCodeStore.build("thumbnail_copy", images)


def test_every_transform_finds_its_original(real):
    images, same_image, store = real
    report = CopyDetectionEvaluator(dict(enumerate(images)), same_image)(
        StoreCopySystem("copy code", store, store.encode)
    )
    assert {"flip", "crop_10", "combined"} <= set(TRANSFORMS)
    for name in TRANSFORMS:
        assert report[f"{name}/recall@1"] >= 0.95, (name, report[f"{name}/recall@1"])
    assert report["neighbour_similarity_p95"] < 0.5


def test_a_stored_code_mirrors_with_a_bit_mask(real):
    images, _, store = real
    mirrored = copy_codes([TRANSFORMS["flip"](img) for img in images[:20]])
    differing = np.bitwise_count(mirrored ^ store.codes[:20] ^ FLIP_MASK).sum(axis=1)
    assert np.median(differing) <= 4 and differing.max() <= 32  # of 512: real pictures have few flat strips


def test_duplicate_threshold_separates_distinct_thumbnails_from_re_encoded_copies(real):
    images, same_image, store = real
    threshold = DUPLICATE_THRESHOLDS["thumbnail_copy"]
    sims = store.pairwise(np.arange(len(images)))
    distinct = [sims[i, j] for i in range(len(images)) for j in range(i) if j not in same_image[i]]
    assert max(distinct) < threshold
    for name in ("rescale", "flip", "text_overlay"):
        copies = copy_codes([normalize(TRANSFORMS[name](img)) for img in images])
        copy_sims = [store.similarity(np.stack([c, c ^ FLIP_MASK]), np.array([i]))[0] for i, c in enumerate(copies)]
        assert np.mean(np.array(copy_sims) >= threshold) >= 0.9, name
