"""How result lists print: a table for people, JSON (stdout only) for programs."""

from __future__ import annotations

import json


def describe(recommender, video_id: str) -> str:
    record = recommender.catalog.record(recommender.catalog.row_of(video_id))
    return f"{video_id}: {record['title']} [{record.get('channel') or 'no channel'}]"


def print_results(results, as_json: bool, header: str) -> None:
    if as_json:
        print(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
        return
    print(header)
    print(f"{'#':>3}  {'score':>6}  {'thumb':>6}  {'title':>6}  {'lexical':>7}  {'driver':<13}  video_id     channel / title")
    for r in results:
        thumb = "-" if r.thumbnail_score is None else f"{r.thumbnail_score:.3f}"
        title = "-" if r.title_score is None else f"{r.title_score:.3f}"
        lexical = f"{r.scores['title_lexical']:.3f}" if "title_lexical" in r.scores else "-"
        print(f"{r.rank:>3}  {r.score:6.3f}  {thumb:>6}  {title:>6}  {lexical:>7}  {r.driver or '-':<13}  "
              f"{r.video_id:<11}  {r.channel or '-'} / {r.title}")
