"""``ytrec add`` / ``remove`` on a Milvus bundle: inserts and deletes in Milvus, visible to the next read."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.fixtures.bundles import SampleBundle
from ytrec.artifact.bundle import Bundle
from ytrec.cli import main
from ytrec.index.base import Where
from ytrec.milvus.connection import client_for
from ytrec.milvus.publish import publish_bundle
from ytrec.milvus.store import PK, video_pks, where_expression

ODD_CHANNEL = 'Ran "quoted" \\ back ශ්‍රී லங்கா'


def test_where_expression_quotes_values():
    where = Where(channels=(ODD_CHANNEL, "b"), categories=("c",), excluded_channels=("x",))
    assert where_expression(where) == (
        'channel in ["Ran \\"quoted\\" \\\\ back ශ්‍රී லங்கா", "b"] and category in ["c"] and channel not in ["x"]'
    )
    assert where_expression(None) == "" and where_expression(Where()) == ""


def _new_videos(sample: SampleBundle, folder: Path) -> Path:
    folder.mkdir()
    thumbs = sorted((sample.catalog_csv.parent / "thumbnails").glob("*.jpg"))[:2]
    rows = []
    for i, thumb in enumerate(thumbs):
        shutil.copy(thumb, folder / f"new{i}.jpg")
        rows.append({"video_id": f"new_{i}", "title": f"Brand new upload number {i}", "thumbnail": f"new{i}.jpg",
                     "channel": ODD_CHANNEL, "category": "Fresh"})
    table = folder / "new.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return table


# a fresh process: what it reads must include the writes another process just made
CHECK = """
import json, sys
from ytrec.core.recommender import Recommender
from ytrec.index.base import Where
r = Recommender.open(sys.argv[1])
store = r.bundle.stores["title"]
_, rows = store.search_filtered(store.row_query(r.catalog.row_of("new_0")), 5, Where(channels=(sys.argv[2],)))
print(json.dumps({"filtered": sorted(r.catalog.video_ids[i] for i in rows[0] if i >= 0),
                  "similar": [x.video_id for x in r.similar("new_0", 3)]}))
"""


def test_add_and_remove_write_through_to_milvus(milvus, sample_bundle: SampleBundle, tmp_path: Path):
    bundle = tmp_path / "bundle"
    shutil.copytree(sample_bundle.bundle, bundle)
    target = milvus.target("t_write")
    publish_bundle(bundle, target, log=lambda m: None)
    published_ts = json.loads((bundle / "manifest.json").read_text())["modalities"]["title"]["read_ts"]

    assert main(["add", str(bundle), str(_new_videos(sample_bundle, tmp_path / "new"))]) == 0
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["modalities"]["title"]["read_ts"] > published_ts
    seen = subprocess.run([sys.executable, "-c", CHECK, str(bundle), ODD_CHANNEL],
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(seen.stdout)
    assert result["filtered"] == ["new_0", "new_1"]  # the pushed-down filter matches the odd channel exactly
    assert len(result["similar"]) == 3

    client = client_for(target)
    new_keys = [int(k) for k in video_pks(["new_0", "new_1"])]
    assert len(client.get("t_write_title", ids=new_keys, consistency_level="Strong")) == 2

    assert main(["remove", str(bundle), "new_0"]) == 0
    gone = client.get("t_write_title", ids=new_keys, output_fields=[PK], consistency_level="Strong")
    assert [row[PK] for row in gone] == new_keys[1:]
    reloaded = Bundle.load(bundle)
    assert "new_0" not in reloaded.catalog and len(reloaded.stores["title"]) == len(reloaded.catalog)
    store = reloaded.stores["title"]
    _, rows = store.search(store.row_query(reloaded.catalog.row_of("new_1")), len(reloaded.catalog))
    assert reloaded.catalog.row_of("new_1") in rows[0] and np.all(rows[0] < len(reloaded.catalog))
