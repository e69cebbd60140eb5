import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ytrec.encoders.thumbnail import AutoencoderConfig, ThumbnailEncoder
from ytrec.errors import ArtifactError


@pytest.fixture
def encoder(trained) -> ThumbnailEncoder:
    return ThumbnailEncoder.load(trained[0], device="cpu")


def test_load_restores_config_and_info(encoder, trained, tiny):
    assert encoder.config == tiny
    assert encoder.info["best_epoch"] == trained[1].best_epoch


def test_encode_gives_unit_float32_rows(encoder, images):
    z = encoder.encode(images, batch_size=16)
    assert z.dtype == np.float32 and z.shape == (40, 16)
    assert np.allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    # Batching does not matter beyond float rounding: conv kernels pick another blocking per batch size
    # (bitwise equal on AMD EPYC, not on Intel Xeon), so compare with a tolerance, never exactly.
    np.testing.assert_allclose(encoder.encode(images[:8]), z[:8], rtol=0, atol=1e-5)
    assert encoder.encode(images[:0]).shape == (0, 16)


def test_zero_latent_stays_zero_not_nan(encoder, images):
    last = encoder.model.encoder[-1]
    with torch.no_grad():  # every raw latent equals the catalog mean: zero once centred
        last.weight.zero_()
        last.bias.copy_(encoder.centre)
    z = encoder.encode(images[:3])
    assert not np.isnan(z).any() and np.all(z == 0)


def test_latents_are_centred_on_the_training_mean(encoder, images):
    """Training records the mean raw latent; encode subtracts it, so catalog latents spread out."""
    assert encoder.centre is not None and encoder.centre.shape == (16,)
    with torch.no_grad():
        raw = encoder.model.encode(torch.from_numpy(images).float() / 255)
    np.testing.assert_allclose(raw.mean(0).numpy(), encoder.centre.numpy(), atol=1e-4)
    z = encoder.encode(images)
    uncentred = torch.nn.functional.normalize(raw, dim=1).numpy()
    off_diagonal = ~np.eye(len(z), dtype=bool)
    assert (z @ z.T)[off_diagonal].mean() < (uncentred @ uncentred.T)[off_diagonal].mean()


def test_an_encoder_without_a_recorded_mean_is_not_centred(trained, images, tmp_path):
    folder = tmp_path / "old"
    shutil.copytree(trained[0], folder)
    info = json.loads((folder / "thumbnail_encoder.json").read_text())
    del info["latent_mean"]
    (folder / "thumbnail_encoder.json").write_text(json.dumps(info))
    old = ThumbnailEncoder.load(folder, device="cpu")
    assert old.centre is None
    with torch.no_grad():
        raw = old.model.encode(torch.from_numpy(images[:4]).float() / 255)
    np.testing.assert_allclose(old.encode(images[:4]), torch.nn.functional.normalize(raw, dim=1).numpy(), atol=1e-5)


def test_a_damaged_recorded_mean_is_one_clear_error(trained, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(trained[0], folder)
    info = json.loads((folder / "thumbnail_encoder.json").read_text())
    info["latent_mean"] = info["latent_mean"][:3]
    (folder / "thumbnail_encoder.json").write_text(json.dumps(info))
    with pytest.raises(ArtifactError, match="latent_mean is not 16 numbers"):
        ThumbnailEncoder.load(folder, device="cpu")


def test_encode_pil_matches_arrays(encoder, images):
    pil = [Image.fromarray(image.transpose(1, 2, 0)) for image in images[:4]]
    assert np.allclose(encoder.encode_pil(pil), encoder.encode(images[:4]), atol=1e-6)


def test_reconstruction_error_per_image(encoder, images):
    errors = encoder.reconstruction_error(images, batch_size=16)
    assert errors.dtype == np.float32 and errors.shape == (40,)
    assert np.all(errors >= 0)
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, images.shape, dtype=np.uint8)
    assert encoder.reconstruction_error(noise).mean() > 2 * errors.mean()  # drift shows


def test_wrong_shape_is_a_clear_value_error(encoder):
    with pytest.raises(ValueError, match=r"shape \(N, 3, 32, 32\)"):
        encoder.encode(np.zeros((2, 1, 32, 32), np.uint8))


@pytest.fixture
def copy(trained, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(trained[0], target)
    return target


def test_missing_checkpoint(tmp_path):
    with pytest.raises(ArtifactError, match="thumbnail_encoder.json does not exist"):
        ThumbnailEncoder.load(tmp_path / "nowhere")


def test_missing_weights(copy):
    (copy / "thumbnail_encoder.safetensors").unlink()
    with pytest.raises(ArtifactError, match="thumbnail_encoder.safetensors does not exist"):
        ThumbnailEncoder.load(copy)


def test_corrupt_weights(copy):
    path = copy / "thumbnail_encoder.safetensors"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ArtifactError, match="not a readable safetensors file"):
        ThumbnailEncoder.load(copy)


@pytest.mark.parametrize("text", ["{not json", "[]", '{"format": "ytrec.thumbnail_encoder", "version": 99}'])
def test_corrupt_description(copy, text: str):
    (copy / "thumbnail_encoder.json").write_text(text)
    with pytest.raises(ArtifactError, match="thumbnail_encoder.json"):
        ThumbnailEncoder.load(copy)


def test_weights_that_do_not_fit_the_config(copy):
    path = copy / "thumbnail_encoder.json"
    info = json.loads(path.read_text())
    info["model"]["latent_dim"] = 32
    path.write_text(json.dumps(info))
    with pytest.raises(ArtifactError, match="do not fit the model"):
        ThumbnailEncoder.load(copy)


def test_expected_config_mismatch(trained, tiny):
    other = AutoencoderConfig(**{**tiny.to_dict(), "channels": 1})
    expected_message = r"another model than expected \(found != expected: channels: 3 != 1\)"
    with pytest.raises(ArtifactError, match=expected_message):
        ThumbnailEncoder.load(trained[0], expect=other)
