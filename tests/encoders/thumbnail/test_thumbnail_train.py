import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from ytrec.encoders.thumbnail import AutoencoderConfig, TrainResult, train_autoencoder
from ytrec.encoders.thumbnail import checkpoint
from ytrec.encoders.thumbnail import train as train_module
from ytrec.errors import ArtifactError


def _losses(result: TrainResult) -> list[tuple[float, float]]:
    return [(h["train_loss"], h["val_loss"]) for h in result.history]


def _state_weights(out: Path) -> dict[str, torch.Tensor]:
    tensors = load_file(out / "training_state.safetensors")
    return {k.removeprefix("model."): v for k, v in tensors.items() if k.startswith("model.")}


def test_training_reduces_validation_loss(trained):
    _, result = trained
    val = [h["val_loss"] for h in result.history]
    assert [h["epoch"] for h in result.history] == [1, 2, 3, 4, 5, 6]
    assert result.best_val_loss == min(val) < 0.9 * val[0]
    assert result.best_epoch == 1 + val.index(min(val))
    assert result.images_per_second > 0
    assert all(h["seconds"] > 0 for h in result.history)


def test_outputs_written_next_to_checkpoint(trained, tiny, fast):
    out, result = trained
    assert result.checkpoint == out / "thumbnail_encoder.safetensors"
    info = json.loads((out / "thumbnail_encoder.json").read_text())
    assert info["model"] == tiny.to_dict() and info["train"] == fast.to_dict()
    assert info["best_epoch"] == result.best_epoch and len(info["history"]) == 6
    assert info["images_per_second"] == result.images_per_second
    for name in ("loss_curve.png", "reconstructions.png"):
        with Image.open(out / name) as image:
            assert image.format == "PNG" and image.width > 100 and image.height > 100


def test_best_epoch_is_the_one_kept(images, tiny, fast, tmp_path, monkeypatch):
    scripted = iter([0.5, 0.3, 0.4])
    monkeypatch.setattr(train_module, "_validate", lambda *args: next(scripted))
    result = train_autoencoder(images, tiny, dataclasses.replace(fast, epochs=3), tmp_path / "three")
    assert result.best_epoch == 2 and result.best_val_loss == 0.3
    monkeypatch.undo()
    train_autoencoder(images, tiny, dataclasses.replace(fast, epochs=2), tmp_path / "two")
    best = load_file(tmp_path / "three" / "thumbnail_encoder.safetensors")
    after_two = _state_weights(tmp_path / "two")
    after_three = _state_weights(tmp_path / "three")
    assert all(torch.equal(best[k], after_two[k]) for k in best)
    assert not all(torch.equal(best[k], after_three[k]) for k in best)


def test_same_seed_same_model_other_seed_other_model(images, tiny, fast, tmp_path, trained):
    out, result = trained
    again = train_autoencoder(images, tiny, fast, tmp_path / "again")
    assert _losses(again) == _losses(result)
    first, second = _state_weights(out), _state_weights(tmp_path / "again")
    assert all(torch.equal(first[k], second[k]) for k in first)
    other = train_autoencoder(images, tiny, dataclasses.replace(fast, epochs=1, seed=1), tmp_path / "other")
    assert other.history[0]["val_loss"] != result.history[0]["val_loss"]


def test_resume_continues_exactly_where_it_stopped(images, tiny, fast, tmp_path, trained):
    _, full = trained
    out = tmp_path / "resumed"
    first = train_autoencoder(images, tiny, dataclasses.replace(fast, epochs=2), out)
    assert [h["epoch"] for h in first.history] == [1, 2]
    resumed = train_autoencoder(images, tiny, fast, out, resume=True)
    assert [h["epoch"] for h in resumed.history] == [1, 2, 3, 4, 5, 6]
    assert _losses(resumed) == _losses(full)  # same as never stopping
    assert resumed.best_epoch == full.best_epoch
    done = train_autoencoder(images, tiny, fast, out, resume=True)  # nothing left to do
    assert _losses(done) == _losses(full)


def test_resume_refuses_what_it_cannot_continue(images, tiny, fast, make_images, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ArtifactError, match="no training state"):
        train_autoencoder(images, tiny, fast, out, resume=True)
    train_autoencoder(images, tiny, dataclasses.replace(fast, epochs=1), out)
    other_model = AutoencoderConfig(**{**tiny.to_dict(), "latent_dim": 8})
    with pytest.raises(ArtifactError, match="another model.*latent_dim: 16 != 8"):
        train_autoencoder(images, other_model, fast, out, resume=True)
    with pytest.raises(ArtifactError, match="other training settings.*lr"):
        train_autoencoder(images, tiny, dataclasses.replace(fast, lr=0.1), out, resume=True)
    with pytest.raises(ArtifactError, match="different set of thumbnails"):
        train_autoencoder(make_images(40, seed=5), tiny, fast, out, resume=True)
    (out / "training_state.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(ArtifactError, match="not a readable safetensors file"):
        train_autoencoder(images, tiny, fast, out, resume=True)


def test_bad_input_is_refused_before_training(tiny, fast, make_images, tmp_path):
    with pytest.raises(ValueError, match="uint8 array of shape"):
        train_autoencoder(np.zeros((4, 32, 32, 3), np.uint8), tiny, fast, tmp_path)
    with pytest.raises(ValueError, match="at least 2 thumbnails"):
        train_autoencoder(make_images(1), tiny, fast, tmp_path)
    assert not any(tmp_path.iterdir())


def test_restored_adam_moments_keep_the_parameter_layout(images, tiny, fast, tmp_path):
    """Fused CUDA Adam needs moments strided like their (channels_last) parameters."""
    out = tmp_path / "run"
    train_autoencoder(images, tiny, dataclasses.replace(fast, epochs=1), out)
    model = train_module._build_model(tiny, 0, torch.device("cpu"))
    optimizer = torch.optim.Adam(model.parameters())
    _, tensors = checkpoint.read_state(out)
    checkpoint.restore_state(out, tensors, model, optimizer, {})
    conv = model.encoder[2].weight
    assert conv.is_contiguous(memory_format=torch.channels_last) and not conv.is_contiguous()
    for param in model.parameters():
        for value in optimizer.state[param].values():
            if value.dim():
                assert value.stride() == param.stride()


def test_info_nce_rewards_matching_rows():
    a = torch.nn.functional.normalize(torch.randn(8, 16, generator=torch.Generator().manual_seed(0)), dim=1)
    matched = train_module.info_nce(a, a + 0.01, 0.1)
    shuffled = train_module.info_nce(a, a.roll(1, dims=0), 0.1)
    assert matched < 0.1 < shuffled


def test_contrastive_variant_trains_and_records_its_setting(images, tiny, fast, tmp_path, trained):
    """The contrastive term beside the reconstruction loss: it still learns to reconstruct, is
    recorded with the weights, and changes what is learnt (its quality is measured in README: Evaluation)."""
    from ytrec.encoders.thumbnail import ThumbnailEncoder

    config = dataclasses.replace(fast, contrastive_weight=0.05)
    result = train_autoencoder(images, tiny, config, tmp_path)
    assert result.best_val_loss < 0.9 * result.history[0]["val_loss"]
    saved = json.loads((tmp_path / "thumbnail_encoder.json").read_text())
    assert saved["train"]["contrastive_weight"] == 0.05
    contrastive = ThumbnailEncoder.load(tmp_path, device="cpu").encode(images)
    plain = ThumbnailEncoder.load(trained[0], device="cpu").encode(images)
    assert np.isfinite(contrastive).all() and not np.allclose(contrastive, plain, atol=1e-3)
