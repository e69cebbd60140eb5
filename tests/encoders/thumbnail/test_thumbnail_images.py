import numpy as np
import pytest
from PIL import Image

from ytrec.encoders.thumbnail import PRESETS, AutoencoderConfig, pil_to_array
from ytrec.encoders.thumbnail.images import check_images


def _thumbnail(colour: tuple[int, int, int], mode: str = "RGB") -> Image.Image:
    return Image.new("RGB", (320, 180), colour).convert(mode)


def test_rgb_thumbnails_resized_to_model_size():
    array = pil_to_array([_thumbnail((255, 0, 0)), _thumbnail((0, 0, 255), "RGBA")], PRESETS["default"])
    assert array.dtype == np.uint8 and array.shape == (2, 3, 64, 112)
    assert tuple(array[0, :, 10, 10]) == (255, 0, 0)
    assert tuple(array[1, :, 10, 10]) == (0, 0, 255)


def test_grayscale_for_one_channel_models():
    config = AutoencoderConfig(width=48, height=36, channels=1, base_width=2, latent_dim=4)
    array = pil_to_array([_thumbnail((255, 255, 255)), _thumbnail((0, 0, 0), "P")], config)
    assert array.shape == (2, 1, 36, 48)
    assert array[0].min() == 255 and array[1].max() == 0


def test_empty_list_gives_empty_array():
    assert pil_to_array([], PRESETS["tiny"]).shape == (0, 3, 32, 32)


@pytest.mark.parametrize(
    "bad",
    [np.zeros((2, 32, 32, 3), np.uint8), np.zeros((2, 3, 32, 32), np.float32), [[0]]],
    ids=["channels-last", "float", "list"],
)
def test_wrong_input_gets_a_clear_message(bad):
    with pytest.raises(ValueError, match=r"uint8 array of shape \(N, 3, 32, 32\).*pil_to_array"):
        check_images(bad, PRESETS["tiny"])
