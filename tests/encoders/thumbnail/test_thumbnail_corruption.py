import pytest
import torch

from ytrec.encoders.thumbnail.corruption import corrupt, patch_mask


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_noise_changes_input_with_the_asked_strength():
    clean = torch.full((4, 3, 64, 64), 0.5)
    for std in (0.05, 0.2):
        noisy = corrupt(clean, std, 0.0, 8, _gen())
        assert (noisy - clean).std().item() == pytest.approx(std, rel=0.05)
    assert torch.equal(clean, torch.full((4, 3, 64, 64), 0.5))  # input untouched


@pytest.mark.parametrize("ratio,patch", [(0.25, 8), (0.5, 4), (0.1, 1)])
def test_mask_zeroes_exactly_the_asked_share(ratio: float, patch: int):
    clean = torch.full((3, 3, 32, 32), 0.7)
    noisy = corrupt(clean, 0.0, ratio, patch, _gen())
    zeroed = (noisy == 0).float().mean(dim=(1, 2, 3))
    assert torch.allclose(zeroed, torch.full((3,), ratio), atol=1 / 1024)
    assert torch.equal((noisy == 0)[:, 0], (noisy == 0)[:, 2])  # same mask on every channel


def test_mask_covers_whole_patches_and_fits_odd_sizes():
    mask = patch_mask(2, 21, 37, 0.5, 8, _gen())
    assert mask.shape == (2, 1, 21, 37)
    blocks = mask[:, 0, :16, :32].reshape(2, 2, 8, 4, 8)
    assert torch.all(blocks.amax(dim=(2, 4)) == blocks.amin(dim=(2, 4)))


def test_no_corruption_is_identity_and_output_is_clipped():
    clean = torch.rand(2, 1, 16, 16)
    assert torch.equal(corrupt(clean, 0.0, 0.0, 4, _gen()), clean)
    noisy = corrupt(clean, 1.0, 0.0, 4, _gen())
    assert noisy.min() >= 0 and noisy.max() <= 1


def test_same_generator_seed_same_corruption():
    clean = torch.rand(2, 3, 16, 16)
    a = corrupt(clean, 0.1, 0.3, 4, _gen(1))
    assert torch.equal(a, corrupt(clean, 0.1, 0.3, 4, _gen(1)))
    assert not torch.equal(a, corrupt(clean, 0.1, 0.3, 4, _gen(2)))
