"""``ytrec evaluate BUNDLE``: systems compared by label relevance (and copy detection)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ytrec.cli.options import log


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="measure recommendation quality: systems compared by label relevance")
    p.add_argument("bundle", type=Path)
    p.add_argument("--label", default="channel", help="catalog column: same value = relevant (channel, category, ...)")
    p.add_argument("--k", type=int, action="append", help="cutoff; repeat for several (default 10)")
    p.add_argument("--sample", type=int, help="evaluate a seeded sample of this many query videos (default all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--copies", action="store_true", help="also thumbnail copy detection (transformed re-uploads)")
    p.add_argument("--copy-sample", type=int, default=200, help="thumbnails used for copy detection")
    p.add_argument("--cross-script", metavar="COLUMN",
                   help="also match titles across the scripts named in this column (sl-titles: title_script)")
    p.add_argument("--report", type=Path, help="write metrics.json, report.md and charts into this folder")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.core.recommender import Recommender
    from ytrec.eval.harness import EvalConfig, evaluate
    from ytrec.eval.report import format_copies, format_cross_script, format_table, write_report

    recommender = Recommender.open(args.bundle)
    config = EvalConfig(label=args.label, ks=args.k or [10], sample=args.sample, seed=args.seed,
                        copies=args.copies, copy_sample=args.copy_sample, cross_script=args.cross_script)
    report = evaluate(recommender, config, log=log(args))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for k in report["ks"]:
            print(format_table(report, k) + "\n")
        if report.get("copies"):
            print(format_copies(report["copies"]))
        if report.get("cross_script"):
            print(format_cross_script(report["cross_script"]))
    if args.report:
        for path in write_report(report, args.report):
            log(args)(f"wrote {path}")
