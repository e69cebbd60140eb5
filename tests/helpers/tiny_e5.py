"""A tiny random-weight model shaped like multilingual-e5, built offline in well under a second.

XLM-RoBERTa architecture with a Unigram (sentencepiece-style) tokenizer whose pieces cover some
English, Sinhala and Tamil words plus their characters, saved in sentence-transformers format
(Transformer -> mean Pooling -> Normalize) in a folder named like an e5 model, so the e5 code path
(prefix detection, prefixes reaching the model, mean pooling, fingerprint) runs for real.
Its vectors mean nothing; tests may only rely on them being deterministic for a given seed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

TINY_E5_NAME = "multilingual-e5-tiny"
MAX_SEQ_LENGTH = 64
_CORPUS = (
    "passage: query: the best cricket highlights of sri lanka today news song live video "
    "funny comedy cooking recipe travel vlog music official trailer "
    "ශ්‍රී ලංකාව ක්‍රිකට් පුවත් සිංදු ආදරය විහිළු "
    "இலங்கை கிரிக்கெட் செய்திகள் பாடல் சமையல் "
    "0123456789 - | ! ? . , : ( ) #"
)


def build_tiny_e5(parent: Path, seed: int = 0, name: str = TINY_E5_NAME) -> Path:
    """Write the model to ``parent / name`` and return that directory."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizer

    out = parent / name
    tokenizer = XLMRobertaTokenizer(vocab=_vocab())
    torch.manual_seed(seed)
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=MAX_SEQ_LENGTH + 2,  # XLM-R positions start after the padding index
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    with tempfile.TemporaryDirectory(prefix="tiny-e5-hf-") as hf_dir:
        XLMRobertaModel(config).eval().save_pretrained(hf_dir)
        tokenizer.save_pretrained(hf_dir)
        transformer = Transformer(hf_dir, max_seq_length=MAX_SEQ_LENGTH)
        pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
        SentenceTransformer(modules=[transformer, pooling, Normalize()], device="cpu").save(str(out))
    return out


def _vocab() -> list[tuple[str, float]]:
    """Unigram pieces: XLM-R's special tokens first (same ids), then words, then characters."""
    specials = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    words = dict.fromkeys("▁" + word for word in _CORPUS.split())
    chars = dict.fromkeys(char for char in _CORPUS if not char.isspace())
    pieces = [(word, -2.0) for word in words] + [("▁", -3.0)]
    pieces += [(char, -5.0) for char in chars if char not in words]
    return specials + pieces + [("<mask>", 0.0)]
