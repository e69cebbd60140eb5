"""Synthetic catalog embeddings that behave like real ones: a clustered mixture of low intrinsic dimension.

Why not i.i.d. Gaussian vectors: in 768-d they are all nearly orthogonal and equidistant, the
worst case for every ANN index (HNSW32 recall@10 was 0.01 on them here) and nothing like a real
catalog, where a video has a handful of close relatives (same channel, same topic, re-uploads)
and the vectors lie near a low-dimensional set.

The model (parameters in ``Profile``, defaults fitted to real MiniLM title embeddings of
``../shared/data/sl-titles``; ``bench/query_scale.py`` prints the comparison every run):

    topic t ~ Zipf-sized (n / videos_per_topic topics),   centre c_t ~ N(0, I_r)
    s_t = spread * LogNormal(0, spread_sigma)               (tight and loose topics)
    video   z = c_t + s_t * N(0, I_r)                        (r = ``intrinsic`` latent dims)
    x = normalize( shared * g + P z / sqrt(r) + noise * N(0, I_d) / sqrt(d) )
    a share ``duplicates`` of the videos are near-copies of another video (re-uploads, Shorts)

with ``P`` a random orthonormal d x r basis and ``g`` a fixed unit vector (real sentence embeddings
share a common direction: their mean pairwise cosine is well above 0). Generation streams in
blocks, so 10^6 x 768 needs only the output array (3 GB float32).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Profile:
    intrinsic: int = 24  # latent dimensions the catalog actually varies in
    videos_per_topic: int = 60
    spread: float = 0.8  # within-topic spread, relative to the spread of topic centres
    spread_sigma: float = 0.8  # topics differ in tightness: spread * lognormal(0, spread_sigma)
    shared: float = 0.65  # weight of the direction all embeddings share
    noise: float = 0.5  # isotropic full-dimensional noise
    duplicates: float = 0.08  # share of near-copies of another video (sl-titles: ~10% repeat)
    zipf: float = 1.1  # topic sizes ~ rank^-zipf

    def to_dict(self) -> dict:
        return asdict(self)


TITLE_PROFILE = Profile()
# Autoencoder latents are less topical than titles: fewer, broader clusters in fewer dimensions.
THUMBNAIL_PROFILE = Profile(intrinsic=12, videos_per_topic=200, spread=0.7, shared=0.3, noise=0.35, duplicates=0.01)


def clustered_vectors(n: int, d: int, profile: Profile = TITLE_PROFILE, seed: int = 0, block: int = 65536) -> np.ndarray:
    """(n, d) float32 unit rows drawn from the clustered low-intrinsic-dimension mixture."""
    rng = np.random.default_rng(seed)
    r = min(profile.intrinsic, d)
    basis, _ = np.linalg.qr(rng.normal(size=(d, r)))
    shared_direction = rng.normal(size=d)
    shared_direction /= np.linalg.norm(shared_direction)
    topics = max(2, n // profile.videos_per_topic)
    centres = rng.normal(size=(topics, r))
    topic_spread = profile.spread * rng.lognormal(0.0, profile.spread_sigma, size=topics)
    weights = 1.0 / np.arange(1, topics + 1) ** profile.zipf
    topic_of = rng.choice(topics, size=n, p=weights / weights.sum())
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        m = stop - start
        t = topic_of[start:stop]
        z = centres[t] + topic_spread[t, None] * rng.normal(size=(m, r))
        x = (profile.shared * shared_direction
             + (z @ basis.T) / np.sqrt(r)
             + profile.noise * rng.normal(size=(m, d)) / np.sqrt(d))
        out[start:stop] = x / np.linalg.norm(x, axis=1, keepdims=True)
    copies = rng.random(n) < profile.duplicates
    copies[0] = False
    idx = np.flatnonzero(copies)
    if idx.size:
        originals = (rng.random(idx.size) * idx).astype(np.int64)  # an earlier video
        jitter = out[originals] + 0.05 * rng.normal(size=(idx.size, d)).astype(np.float32) / np.sqrt(d)
        out[idx] = jitter / np.linalg.norm(jitter, axis=1, keepdims=True)
    return out


def neighbour_profile(vectors: np.ndarray, sample: int = 1000, seed: int = 0) -> dict[str, float]:
    """Nearest-neighbour cosine profile of a set of unit vectors (exact, against all of them).

    nn1/nn10: cosine to the 1st / 10th nearest other vector (median and 10th/90th percentiles);
    random: median cosine of random pairs; twonn_id: TwoNN intrinsic-dimension estimate
    (Facco et al. 2017) from the ratio of the 2nd to the 1st neighbour distance.
    """
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(vectors), size=min(sample, len(vectors)), replace=False)
    sims = vectors[rows] @ vectors.T
    sims[np.arange(len(rows)), rows] = -np.inf
    top = -np.sort(-sims, axis=1)[:, :10]
    dist = np.sqrt(np.maximum(0.0, 2 - 2 * top[:, :2]))
    ok = dist[:, 0] > 1e-6
    mu = dist[ok, 1] / dist[ok, 0]
    pairs = rng.integers(0, len(vectors), size=(4000, 2))
    random_cos = np.einsum("ij,ij->i", vectors[pairs[:, 0]], vectors[pairs[:, 1]])
    q = lambda a, p: float(np.percentile(a, p))  # noqa: E731
    return {
        "nn1_p10": q(top[:, 0], 10), "nn1_p50": q(top[:, 0], 50), "nn1_p90": q(top[:, 0], 90),
        "nn10_p10": q(top[:, 9], 10), "nn10_p50": q(top[:, 9], 50), "nn10_p90": q(top[:, 9], 90),
        "random_p50": q(random_cos, 50),
        "twonn_id": float(len(mu) / np.sum(np.log(np.maximum(mu, 1 + 1e-9)))),
    }


def follow_repeated_titles(vectors: np.ndarray, titles: list[str], seed: int = 0) -> np.ndarray:
    """``vectors`` (in place) with every repeated title's row a near-copy of its first occurrence's:
    a re-upload under the same title has almost the same title embedding."""
    first: dict[str, int] = {}
    copies, originals = [], []
    for row, title in enumerate(titles):
        earlier = first.setdefault(title, row)
        if earlier != row:
            copies.append(row)
            originals.append(earlier)
    if copies:
        rng = np.random.default_rng(seed)
        d = vectors.shape[1]
        for start in range(0, len(copies), 65536):
            rows, of = np.array(copies[start:start + 65536]), np.array(originals[start:start + 65536])
            jitter = vectors[of] + 0.02 * rng.normal(size=(len(rows), d)).astype(np.float32) / np.sqrt(d)
            vectors[rows] = jitter / np.linalg.norm(jitter, axis=1, keepdims=True)
    return vectors
