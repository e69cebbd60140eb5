"""Which lexical terms and weighting: nDCG@10 of each variant on the real sl-titles set.

Builds one titles-only bundle of ``../shared/data/sl-titles/titles.csv`` (offline MiniLM, the
default build), then swaps the bundle's ``title_lexical`` store for each variant and evaluates
leave-one-out with label ``channel_id`` (every titled video a query, the ``ytrec evaluate``
harness's ``RetrievalEvaluator``):

- **alone**: the ``title_lexical`` mode (the lexical signal's own candidates, rescored by it);
- **fused**: the default hybrid (dense title + lexical, the bundle's weights and fusion).

Variants (``--variants`` picks groups; each row takes minutes on a busy 2-core machine): the
previous store (``previous``: ``tfidf_char``, exact sparse TF-IDF against every title, the
baseline, measured in the same run), the dense title signal alone (``dense``), the inverted store
with each term set (character 1-3- and 2-4-grams, words, both) and weighting (TF-IDF, BM25) at 100 / 200
word-index candidates (``inverted``), the same with every title scored (``scan``: the measure's
ceiling, what the candidate stage loses), the default at this catalog's size (``default``: stored
vectors searched against every title up to 2,000 titles), the default's word-index candidates at
200 / 300 (``candidates``: what a catalog above 2,000 titles gets), the default above 100k titles
(``large``: whole-word candidates only, 200 and 100 of them), and tantivy's own token BM25
ranking alone (``tantivy``: its scores are unbounded, so it has no fused row).

    PYTHONPATH=src .venv/bin/python bench/lexical_quality.py [--variants previous,default] [--out ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lexical_baseline import LexicalStore  # noqa: E402

from ytrec.catalog.columns import ColumnMap  # noqa: E402
from ytrec.core.recommender import Recommender  # noqa: E402
from ytrec.eval.relevance import LabelRelevance  # noqa: E402
from ytrec.eval.retrieval import RetrievalEvaluator  # noqa: E402
from ytrec.eval.systems import RecommenderSystem, System  # noqa: E402
from ytrec.index.lexical import LexicalIndexConfig, LexicalIndexStore  # noqa: E402
from ytrec.index.lexical_terms import TermConfig  # noqa: E402
from ytrec.pipeline.build import BuildOptions, build_bundle  # noqa: E402

TITLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "sl-titles" / "titles.csv"
LEXICAL = "title_lexical"

# (label, terms of the exact score, word-index candidates rescored per search)
VARIANTS: list[tuple[str, TermConfig, int]] = [
    ("char 1-3 TF-IDF (default)", TermConfig(), 200),
    ("char 2-4 TF-IDF", TermConfig(ngram_min=2, ngram_max=4), 100),
    ("char 2-4 TF-IDF", TermConfig(ngram_min=2, ngram_max=4), 200),
    ("char 2-4 + words TF-IDF", TermConfig(ngram_min=2, ngram_max=4, words=True), 100),
    ("char 2-4 + words TF-IDF", TermConfig(ngram_min=2, ngram_max=4, words=True), 200),
    ("char 2-4 BM25", TermConfig(ngram_min=2, ngram_max=4, weighting="bm25"), 200),
    ("char 2-4 + words BM25", TermConfig(ngram_min=2, ngram_max=4, words=True, weighting="bm25"), 200),
    ("words TF-IDF", TermConfig(chars=False, words=True), 200),
    ("words BM25", TermConfig(chars=False, words=True, weighting="bm25"), 200),
]
SCANNED = [("char 1-3 TF-IDF (default)", TermConfig()), ("char 2-4 TF-IDF", TermConfig(ngram_min=2, ngram_max=4)),
           ("char 2-4 + words TF-IDF", TermConfig(ngram_min=2, ngram_max=4, words=True)),
           ("char 2-4 BM25", TermConfig(ngram_min=2, ngram_max=4, weighting="bm25"))]  # every title a candidate: the measure's own ceiling


GROUPS = ("previous", "dense", "inverted", "scan", "default", "candidates", "large", "tantivy")


def candidates_only(terms: TermConfig = TermConfig(), candidates: int = 200) -> LexicalIndexConfig:
    """Word-index candidates rescored, whatever the catalog size (no exact scan)."""
    return LexicalIndexConfig(terms=terms, candidates=candidates, exact_scan_up_to=0)


def scan_only(terms: TermConfig) -> LexicalIndexConfig:
    """Every title scored: the exact top-k of the measure."""
    return LexicalIndexConfig(terms=terms, exact_scan_up_to=1 << 62)


class WordBM25System(System):
    """tantivy's own BM25 ranking of title words, no rescoring."""

    def __init__(self, store: LexicalIndexStore) -> None:
        self.name, self.store = "word BM25 (tantivy ranking)", store

    def rank(self, row: int, k: int) -> list[int]:
        found = self.store.candidates(self.store.titles[row], k + 1)
        return [int(r) for r in found if r != row][:k]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", default=str(TITLES))
    parser.add_argument("--model", default="offline:all-MiniLM-L6-v2")
    parser.add_argument("--out", default="bench/results/lexical_quality.json")
    parser.add_argument("--bundle", help="reuse (or build once into) this bundle folder instead of a temporary one")
    parser.add_argument("--variants", default=",".join(GROUPS), help=f"groups of rows to measure: {', '.join(GROUPS)}")
    args = parser.parse_args()
    groups = set(args.variants.split(","))
    if groups - set(GROUPS):
        parser.error(f"unknown variants {sorted(groups - set(GROUPS))}; choose from {', '.join(GROUPS)}")
    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(args.bundle or Path(tmp) / "bundle")
        if not (bundle / "manifest.json").is_file():
            options = BuildOptions(columns=ColumnMap(channel="channel_id", category="category_name"), text_model=args.model)
            build_bundle(args.titles, bundle, options, log=lambda m: None)
        recommender = Recommender.open(bundle)
        stores = recommender.bundle.stores
        relevance = LabelRelevance.from_catalog(recommender.catalog, "channel_id", recommender.bundle.manifest["source"].get("columns"))
        queries = relevance.queries(None, 0)
        evaluator = RetrievalEvaluator(relevance, queries, [10], len(recommender.catalog), recommender.catalog.column("channel"),
                                       pairwise=lambda rows: {m: s.pairwise(rows) for m, s in stores.items()})
        titles = recommender.catalog.titles
        rows = []

        def measure(label: str, store, fused: bool = True) -> None:
            stores[LEXICAL] = store
            started = time.perf_counter()
            alone = evaluator(RecommenderSystem(label, recommender, "title_lexical"))["ndcg@10"]
            both = evaluator(RecommenderSystem(label, recommender, "hybrid"))["ndcg@10"] if fused else None
            rows.append({"variant": label, "alone": round(alone, 4), "fused": None if both is None else round(both, 4),
                         "seconds": round(time.perf_counter() - started, 1)})
            shown = "-" if both is None else f"{both:.4f}"
            print(f"{label:<44} alone {alone:.4f}  fused {shown}", file=sys.stderr)

        if "previous" in groups:
            measure("previous store: tfidf_char (exact scan)", LexicalStore.build(LEXICAL, titles))
        if "dense" in groups:
            dense = evaluator(RecommenderSystem("dense", recommender, "title_dense"))["ndcg@10"]
            rows.append({"variant": "dense title only (MiniLM)", "alone": round(dense, 4), "fused": None})
        for label, terms, candidates in VARIANTS if "inverted" in groups else ():
            measure(f"inverted: {label}, {candidates} candidates",
                    LexicalIndexStore.build(LEXICAL, titles, candidates_only(terms, candidates)))
        for label, terms in SCANNED if "scan" in groups else ():
            measure(f"scan: {label}", LexicalIndexStore.build(LEXICAL, titles, scan_only(terms)))
        default = LexicalIndexStore.build(LEXICAL, titles)
        if "default" in groups:
            measure(f"default at {len(titles)} titles (LexicalIndexConfig.for_catalog)", default)
        for candidates in (200, 300) if "candidates" in groups else ():
            measure(f"default terms, {candidates} word-index candidates (above 2,000 titles)",
                    LexicalIndexStore.build(LEXICAL, titles, candidates_only(candidates=candidates)))
        for candidates in (200, 100) if "large" in groups else ():
            config = dataclasses.replace(LexicalIndexConfig.for_catalog(10**6), candidates=candidates, exact_scan_up_to=0)
            measure(f"default above 100k titles (word candidates only), {candidates} candidates",
                    LexicalIndexStore.build(LEXICAL, titles, config))
        if "tantivy" in groups:
            alone = evaluator(WordBM25System(default))["ndcg@10"]
            rows.append({"variant": "word BM25 (tantivy ranking)", "alone": round(alone, 4), "fused": None})

    report = {"titles": args.titles, "queries": len(queries), "model": args.model, "label": "channel_id",
              "load_average_end": os.getloadavg(), "rows": rows}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print("| variant | nDCG@10 alone | nDCG@10 fused (default hybrid) |\n|---|---|---|")
    for row in rows:
        fused = "-" if row["fused"] is None else f"{row['fused']:.4f}"
        print(f"| {row['variant']} | {row['alone']:.4f} | {fused} |")


if __name__ == "__main__":
    main()
