"""``ytrec info BUNDLE``: what a bundle holds; ``--verify`` checks every checksum."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("info", help="what a bundle holds")
    p.add_argument("bundle", type=Path)
    p.add_argument("--verify", action="store_true", help="check every file's checksum")
    p.add_argument("--json", action="store_true", help="print the manifest")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    from ytrec.artifact.bundle import Bundle

    bundle = Bundle.load(args.bundle, verify=args.verify)
    manifest = bundle.manifest
    if args.json:
        print(json.dumps(manifest, ensure_ascii=False, indent=2))
        return
    encoder = manifest.get("thumbnail_encoder")
    text = manifest["text_model"]["record"]
    print(f"bundle: {bundle.root}")
    print(f"  created {manifest['created']} by ytrec {manifest['ytrec_version']} (schema {manifest['schema_version']})")
    print(f"  source: {manifest['source']['description']}")
    counts = manifest["counts"]
    print(f"  videos: {counts['videos']} (of {counts['source_rows']} source rows; {counts['skipped_rows']} skipped)")
    chosen = (manifest.get("index_selection") or {}).get("modalities", {})
    for name, meta in manifest["modalities"].items():
        why = f" ({chosen[name]['reason']})" if chosen.get(name, {}).get("reason") else ""
        print(f"  {name}: {meta['dimension']}-d, {meta['index']} store, {meta['metric']}{why}")
    if encoder:
        print(f"  thumbnail encoder: {json.dumps(encoder['config'])}")
    print(f"  title model: {text.get('model')} (prefixes: {text.get('passage_prefix', '')!r} / {text.get('query_prefix', '')!r})")
    print(f"  fusion: {manifest['fusion']['method']} weights {manifest['fusion']['weights']}")
    if args.verify:
        print("  all file checksums verified")
