import pytest

from ytrec.encoders.thumbnail import PRESETS, AutoencoderConfig, TrainConfig


def test_original_preset_is_the_notebook_model():
    assert PRESETS["original"] == AutoencoderConfig(
        width=480, height=360, channels=1, base_width=16, latent_dim=64
    )


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_model_config_round_trips(name: str):
    config = PRESETS[name]
    assert AutoencoderConfig.from_dict(config.to_dict()) == config


def test_train_config_round_trips_and_fills_defaults():
    config = TrainConfig(epochs=3, mask_ratio=0.5, mask_patch=1, device="cpu")
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert TrainConfig.from_dict({"epochs": 3}) == TrainConfig(epochs=3)


def test_from_dict_names_bad_keys():
    with pytest.raises(ValueError, match="unknown field.*colour"):
        AutoencoderConfig.from_dict({**PRESETS["tiny"].to_dict(), "colour": 1})
    with pytest.raises(ValueError, match="missing field.*latent_dim"):
        AutoencoderConfig.from_dict({"width": 32, "height": 32, "channels": 3, "base_width": 4})


@pytest.mark.parametrize(
    "kwargs",
    [{"channels": 2}, {"width": 2}, {"latent_dim": 0}, {"base_width": -1}],
)
def test_invalid_model_config(kwargs):
    with pytest.raises(ValueError):
        AutoencoderConfig(**{**PRESETS["tiny"].to_dict(), **kwargs})


@pytest.mark.parametrize(
    "kwargs",
    [{"epochs": 0}, {"lr": 0}, {"noise_std": -0.1}, {"mask_ratio": 1.0}, {"val_fraction": 0.0},
     {"contrastive_weight": -1.0}, {"contrastive_temperature": 0.0}],
)
def test_invalid_train_config(kwargs):
    with pytest.raises(ValueError):
        TrainConfig(**kwargs)


def test_diff_says_what_differs():
    other = AutoencoderConfig(**{**PRESETS["tiny"].to_dict(), "latent_dim": 8})
    assert PRESETS["tiny"].diff(other) == ["latent_dim: 16 != 8"]
    assert TrainConfig(epochs=5).resume_diff(TrainConfig(epochs=9, device="cuda")) == []
    assert TrainConfig(lr=0.1).resume_diff(TrainConfig()) == ["lr: 0.1 != 0.001"]


def test_a_small_catalog_trains_for_more_epochs_unless_told():
    from ytrec.encoders.thumbnail.config import DEFAULT_EPOCHS, MIN_STEPS

    assert TrainConfig().epochs_for(batches=1000) == DEFAULT_EPOCHS  # a large catalog: the default
    six = TrainConfig().epochs_for(batches=6)  # the sample: 324 training thumbnails, batch 64
    assert six * 6 >= MIN_STEPS and (six - 1) * 6 < MIN_STEPS
    assert TrainConfig(epochs=3).epochs_for(batches=1) == 3  # given epochs are exact
    with pytest.raises(ValueError):
        TrainConfig(epochs=0)
