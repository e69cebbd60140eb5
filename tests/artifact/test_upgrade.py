"""Bundles made by an older ytrec: they open, or fail with one line naming ``ytrec upgrade``, which fixes them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ytrec.artifact.bundle import Bundle
from ytrec.cli import main
from ytrec.core.recommender import Recommender
from ytrec.errors import ArtifactError
from ytrec.index.registry import known_kinds
from ytrec.signals import SIGNALS
from tests.fixtures.old_bundles import OLD_COPY_KIND, OLD_LEXICAL_KIND, make_old_bundle

MODEL_FREE = [s.name for s in SIGNALS.values() if s.model is None]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dropped(kind: str, fallback: str) -> str:
    """``kind`` if this ytrec no longer registers it, else a kind name it never knew (same effect)."""
    return kind if kind not in known_kinds() else fallback


def test_old_bundle_opens_or_names_upgrade_and_upgrade_brings_it_current(sample_bundle, tmp_path: Path, capsys):
    old = make_old_bundle(sample_bundle.bundle, tmp_path / "old")
    dense_files = {f: _sha(old / f) for f in json.loads((old / "manifest.json").read_text())["files"]
                   if f.startswith("title.") or f.startswith("title_vectors") or f.startswith("thumbnail.")}
    if {OLD_LEXICAL_KIND, OLD_COPY_KIND} <= set(known_kinds()):
        Bundle.load(old)  # the old kinds are still this version's: the bundle opens as it is
    else:
        with pytest.raises(ArtifactError, match=r"run: ytrec upgrade ") as caught:
            Bundle.load(old)
        assert "\n" not in str(caught.value)

    assert main(["upgrade", str(old)]) == 0
    captured = capsys.readouterr()
    assert "bundle upgraded" in captured.out + captured.err  # progress goes to stderr (issue #9)
    bundle = Bundle.load(old, verify=True)
    for name in MODEL_FREE:
        assert bundle.stores[name].kind == SIGNALS[name].store_kinds[0]
        assert len(bundle.stores[name]) == len(bundle.catalog)
        assert bundle.manifest["index_selection"]["modalities"][name]["reason"]
    assert {f: _sha(old / f) for f in dense_files} == dense_files  # models' stores untouched
    assert bundle.manifest["updates"][-1]["op"] == "upgrade"
    # rebuilt from the catalog: a title finds its own video again, and a thumbnail its copy
    recommender = Recommender(bundle)
    row = 7
    for name in MODEL_FREE:
        store = bundle.stores[name]
        assert store.search(store.row_query(row), 1)[1][0][0] == row
    video_id = bundle.catalog.video_ids[row]
    assert len(recommender.similar(video_id, k=5)) == 5


def test_a_dropped_model_free_kind_fails_in_one_line_naming_upgrade(sample_bundle, tmp_path: Path, capsys):
    old = make_old_bundle(sample_bundle.bundle, tmp_path / "old",
                          lexical_kind=_dropped(OLD_LEXICAL_KIND, "tfidf_char_v0"),
                          copy_kind=_dropped(OLD_COPY_KIND, "copy_fingerprint_v0"))
    with pytest.raises(ArtifactError) as caught:
        Recommender.open(old)
    assert str(caught.value).endswith(f"run: ytrec upgrade {old.resolve()}") and "\n" not in str(caught.value)
    assert main(["info", str(old)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ytrec upgrade" in err and "Traceback" not in err
    assert main(["recommend", str(old), "v0000"]) == 2
    assert "ytrec upgrade" in capsys.readouterr().err
    assert main(["upgrade", str(old)]) == 0
    assert Recommender.open(old).similar(Bundle.load(old).catalog.video_ids[0], k=3)


def test_an_unknown_model_store_kind_needs_a_rebuild(sample_bundle, tmp_path: Path, capsys):
    old = make_old_bundle(sample_bundle.bundle, tmp_path / "old")
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["modalities"]["title"]["index"] = "annoy"
    (old / "manifest.json").write_text(json.dumps(manifest))
    before = {p.name: _sha(p) for p in old.iterdir() if p.is_file()}
    for argv in (["info", str(old)], ["upgrade", str(old)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "rebuild the bundle" in err
    assert {p.name: _sha(p) for p in old.iterdir() if p.is_file()} == before  # upgrade changed nothing


@pytest.mark.parametrize("argv", [["upgrade"], ["retrain"], ["remove", "v1"], ["add", "new.csv"]])
def test_updates_of_a_missing_bundle_write_nothing(tmp_path: Path, capsys, argv):
    missing = tmp_path / "nowhere" / "bundle"
    assert main([argv[0], str(missing), *argv[1:]]) == 2
    assert "no bundle at" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()  # not even the update lock beside it
