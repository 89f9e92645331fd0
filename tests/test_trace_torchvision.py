"""convcalc.trace on torchvision's own model files, read where pip installed them.

Every classification CNN builder of torchvision 0.28 (``resnet18`` ... ``regnet_y_128gf``)
and its vision transformers (``vit_b_16`` ...), traced through its builder function with
``weights=None``: output shape and parameter count agree with PyTorch's, recorded by
``scripts/record_trace_torchvision.py`` and, with PyTorch installed, checked live for a
sample. Skipped when torchvision is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import convcalc

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "trace_torchvision.json"
RECORDED: dict[str, Any] = json.loads(FIXTURES.read_text(encoding="utf-8"))
BUILDERS = RECORDED["builders"]
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _script() -> Any:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        return importlib.import_module("record_trace_torchvision")
    finally:
        sys.path.pop(0)


SCRIPT = _script()
FOLDER: Path | None = SCRIPT.models_folder()
pytestmark = pytest.mark.skipif(
    FOLDER is None,
    reason="torchvision is not installed (pip install --no-deps torchvision==0.28.0)",
)


def test_fixtures_cover_every_classification_cnn_builder() -> None:
    assert RECORDED["torch_version"].startswith("2.13.0")
    assert FOLDER is not None
    version = (FOLDER.parent / "version.py").read_text(encoding="utf-8")
    assert "__version__ = '0.28.0" in version
    assert sorted(name for _, name in SCRIPT.builders(FOLDER)) == sorted(BUILDERS)
    assert len(BUILDERS) >= 60


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_trace_torchvision_builder(name: str) -> None:
    assert FOLDER is not None
    answer = BUILDERS[name]
    summary = convcalc.trace(
        FOLDER / f"{answer['file']}.py", cls=name, inputs=[answer["input"]], mode="eval"
    )
    assert list(summary.output_shape) == answer["output"]
    assert summary.totals.params == answer["params"]


LIVE = ["resnet18", "mobilenet_v3_small", "regnet_x_400mf", "shufflenet_v2_x0_5", "googlenet"]


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("name", LIVE)
def test_trace_torchvision_live(name: str) -> None:
    assert FOLDER is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that NumPy is missing
        live = SCRIPT.record_one(FOLDER, BUILDERS[name]["file"], name)
    assert live == BUILDERS[name]
