"""Synthetic title text at any catalog size, shaped like the real Sri Lankan titles.

Why not the sample catalog's templates: a few hundred templates give a vocabulary that stops
growing, so at a million titles every word is in a tenth of the catalog. Real catalogs keep
meeting new words (names, spellings, typos) and repeat titles (re-uploads, series). Each
synthetic title here starts from a real title of ``../shared/data/sl-titles`` (read in place),
swaps some words for words of other real titles, misspells some (one code point replaced by one of
the same word: new rare words, in the same script), often adds a part or episode number, and a
share of titles repeat an earlier synthetic title exactly.

    from title_text import synthetic_titles     # bench/ on sys.path
    titles = synthetic_titles(1_000_000, seed=0)   # ~25 s
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SL_TITLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "sl-titles" / "titles.csv"
REPEAT = 0.10  # share of exact repeats of an earlier title (sl-titles: ~10% repeat)
SWAP = 0.15  # chance that a word is replaced by a word of another real title
MISSPELL = 0.08  # chance that a word gets one code point replaced
NUMBERED = 0.45  # chance that a title ends with a part / episode number


def real_titles(path: Path = SL_TITLES) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [row["title"] for row in csv.DictReader(handle) if row.get("title")]


def synthetic_titles(n: int, seed: int = 0, path: Path = SL_TITLES) -> list[str]:
    rng = random.Random(seed)
    bases = [title.split() for title in real_titles(path)]
    words = [word for title in bases for word in title]
    out: list[str] = []
    for _ in range(n):
        if out and rng.random() < REPEAT:
            out.append(out[rng.randrange(len(out))])
            continue
        title = []
        for word in rng.choice(bases):
            if rng.random() < SWAP:
                word = rng.choice(words)
            if len(word) > 2 and rng.random() < MISSPELL:
                i = rng.randrange(len(word))
                word = word[:i] + rng.choice(word) + word[i + 1 :]
            title.append(word)
        if rng.random() < NUMBERED:
            title += [rng.choice(("Episode", "EP", "Part", "|", "#", "Day")), str(rng.randint(1, 3000))]
        out.append(" ".join(title))
    return out
