"""How result lists print: a table for people, JSON (stdout only) for programs."""

from __future__ import annotations

import json
import sys

from ytrec.signals import SIGNALS


def describe(recommender, video_id: str) -> str:
    record = recommender.catalog.record(recommender.catalog.row_of(video_id))
    return f"{video_id}: {record['title']} [{record.get('channel') or 'no channel'}]"


def print_results(results, as_json: bool, header: str, note: str | None = None) -> None:
    """The results as a table (or JSON); ``note`` says why a list is short (on stderr with --json,
    so stdout stays JSON only)."""
    if as_json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        if note:
            print(f"ytrec: {note}", file=sys.stderr)
        return
    print(header)
    # one score column per signal the results were scored with, labelled by its spec
    shown = [s for s in SIGNALS.values() if any(s.name in r.scores for r in results)]
    width = {s.name: max(6, len(s.label)) for s in shown}
    columns = "".join(f"  {s.label:>{width[s.name]}}" for s in shown)
    print(f"{'#':>3}  {'score':>6}{columns}  {'driver':<13}  video_id     channel / title")
    for r in results:
        scores = "".join(f"  {r.scores[s.name]:{width[s.name]}.3f}" if s.name in r.scores else f"  {'-':>{width[s.name]}}"
                         for s in shown)
        print(f"{r.rank:>3}  {r.score:6.3f}{scores}  {r.driver or '-':<13}  {r.video_id:<11}  {r.channel or '-'} / {r.title}")
    if note:
        print(note)
