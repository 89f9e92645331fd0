"""The zoo's EfficientNets and RegNets against torchvision's, setting by setting (needs torch
and torchvision).

tests/fixtures/torchvision_models.json pins each leaf module's type and output shape; what it
does not see is a setting that leaves shapes and counts alone: BatchNorm's eps and momentum,
Dropout's probability, StochasticDepth's probability and mode, a convolution's padding next
to its stride. Here the spec is exported to PyTorch and both models, ours and torchvision's
own builder (read from site-packages), run once on the meta device with forward hooks: every
leaf module that runs, in forward order, must agree in type and in those settings (the
spec's Flatten row aside: torchvision calls torch.flatten).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest
import torchvision_models

from convcalc.export import to_pytorch
from convcalc.spec import load_spec_file, zoo_names

FIXTURE = Path(__file__).parent / "fixtures" / "torchvision_models.json"
RECORDED = json.loads(FIXTURE.read_text(encoding="utf-8"))
BUILDERS = RECORDED["builders"]
EFFICIENTNETS = sorted(
    name for name in zoo_names() if name.startswith("efficientnet_") and name in BUILDERS
)
REGNETS = sorted(name for name in zoo_names() if name.startswith("regnet_") and name in BUILDERS)
HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"

pytestmark = [
    pytest.mark.torch,
    pytest.mark.skipif(
        not HAS_TORCH and not REQUIRE_TORCH,
        reason="PyTorch is not installed (pip install torch==2.13.0)",
    ),
]

# The attributes compared, by leaf type; any other leaf (an activation) is compared by type.
_SETTINGS = {
    "Conv2d": (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "padding_mode",
    ),
    "BatchNorm2d": ("num_features", "eps", "momentum", "affine", "track_running_stats"),
    "Dropout": ("p",),
    "StochasticDepth": ("p", "mode"),
    "Linear": ("in_features", "out_features"),
    "AdaptiveAvgPool2d": ("output_size",),
}


def _settings(module: Any) -> tuple[Any, ...]:
    kind = type(module).__name__
    values = [getattr(module, name) for name in _SETTINGS.get(kind, ())]
    if kind == "AdaptiveAvgPool2d" and isinstance(values[0], int):
        values[0] = (values[0], values[0])  # 1 and (1, 1) are one size
    has_bias = getattr(module, "bias", None) is not None if kind in ("Conv2d", "Linear") else None
    return (kind, *values, has_bias)


def _leaves_in_forward_order(model: Any, shape: tuple[int, ...]) -> list[tuple[Any, ...]]:
    import torch

    seen: list[tuple[Any, ...]] = []
    for module in model.modules():
        if not list(module.children()):
            module.register_forward_hook(lambda m, _i, _o: seen.append(_settings(m)))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(shape, device="meta"))
    return seen


def _installed_torchvision() -> Path:
    return torchvision_models.installed_or_skip(RECORDED["torchvision_version"])


def test_every_efficientnet_variant_is_compared() -> None:
    assert len(EFFICIENTNETS) == 11  # B0 to B7, V2 S, M and L


@pytest.mark.parametrize("name", EFFICIENTNETS)
def test_efficientnet_settings_equal_torchvision(name: str, tmp_path: Path) -> None:
    _compare_with_torchvision(name, tmp_path)


@pytest.mark.parametrize("name", REGNETS)
def test_regnet_settings_equal_torchvision(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Among them each grouped convolution's groups, which no shape shows. torchvision works
    out a RegNet's widths with tensors and reads them back, which the meta device cannot do,
    so that step runs on the CPU."""
    import torch

    regnet = torchvision_models.load_module(_installed_torchvision(), "regnet.py")
    work_out = regnet.BlockParams.from_init_params

    def on_cpu(**settings: Any) -> Any:
        with torch.device("cpu"):
            return work_out(**settings)

    monkeypatch.setattr(regnet.BlockParams, "from_init_params", staticmethod(on_cpu))
    _compare_with_torchvision(name, tmp_path)


def _compare_with_torchvision(name: str, tmp_path: Path) -> None:
    import torch

    package_dir = _installed_torchvision()
    record = BUILDERS[name]
    builder = getattr(torchvision_models.load_module(package_dir, record["file"]), name)
    network = load_spec_file(name)
    path = tmp_path / "exported.py"
    path.write_text(to_pytorch(network), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"exported_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    shape = tuple(record["input_shape"])
    with torch.device("meta"):
        ours = getattr(exported, exported.__all__[-1])()
        theirs = builder()
    expected = _leaves_in_forward_order(theirs, shape)
    assert len(expected) == len(record["torch"]["leaves"])
    # torchvision flattens with torch.flatten, a function, where the spec has a Flatten row.
    kinds = {leaf[0] for leaf in expected}
    assert [leaf for leaf in _leaves_in_forward_order(ours, shape) if leaf[0] in kinds] == expected
