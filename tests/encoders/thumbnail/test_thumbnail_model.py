import pytest
import torch

from ytrec.encoders.thumbnail import PRESETS, AutoencoderConfig
from ytrec.encoders.thumbnail.model import ConvAutoencoder


def _shapes(config: AutoencoderConfig) -> tuple[torch.Size, torch.Size]:
    """Latent and output shapes of one image, on the meta device: no memory, no arithmetic."""
    with torch.device("meta"):
        model = ConvAutoencoder(config)
        x = torch.empty(1, *config.image_shape)
        return model.encode(x).shape, model(x).shape


def test_original_preset_shapes_and_size():
    config = PRESETS["original"]
    latent, out = _shapes(config)
    assert latent == (1, 64) and out == (1, 1, 360, 480)
    with torch.device("meta"):
        model = ConvAutoencoder(config)
    assert model.bottleneck_shape == (64, 90, 120)
    widths = [m.out_channels for m in model.encoder if isinstance(m, torch.nn.Conv2d)]
    strides = [m.stride[0] for m in model.encoder if isinstance(m, torch.nn.Conv2d)]
    assert widths == [16, 16, 32, 32, 64, 64] and strides == [1, 1, 2, 1, 2, 1]
    # 71,792 conv + 44,236,864 encoder Linear + 44,928,000 decoder Linear + 71,729 deconv
    assert sum(p.numel() for p in model.parameters()) == 89_308_385


@pytest.mark.parametrize(
    "config",
    [
        PRESETS["default"],
        PRESETS["tiny"],
        AutoencoderConfig(width=37, height=21, channels=1, base_width=2, latent_dim=3),
    ],
    ids=["default", "tiny", "odd-sizes"],
)
def test_reconstruction_matches_input_size(config: AutoencoderConfig):
    model = ConvAutoencoder(config)
    x = torch.rand(2, *config.image_shape)
    out = model(x)
    assert model.encode(x).shape == (2, config.latent_dim)
    assert out.shape == x.shape
    assert 0.0 <= out.min() and out.max() <= 1.0  # sigmoid output
