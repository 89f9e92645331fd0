"""RegNet X and Y: the widths the regnet spec works out from each builder's generating
parameters (depth, w_0, w_a, w_m, group_width, se_ratio) are torchvision's.

The spec computes in float64 where torchvision's ``BlockParams.from_init_params`` computes in
float32; both round half to even. The live test checks that this gives torchvision's integers
for every builder, and the recorded test that the network built from them has torchvision's
stages (tests/fixtures/torchvision_models.json, recorded by scripts/record_trace_fixtures.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import torchvision_models

import convcalc
from convcalc import SpecError
from convcalc.network import Summary, summarize
from convcalc.spec import load_spec_file, zoo_names, zoo_text
from convcalc.spec._expand import _Loader
from convcalc.spec._yaml import _parse
from convcalc.spec._zoo import ALIASES

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "torchvision_models.json").read_text(encoding="utf-8")
)
REGNETS = sorted(name for name in FIXTURE["builders"] if name.startswith("regnet_"))
HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
ZOO = str(Path(convcalc.__file__).parent / "zoo")


def _computed(name: str) -> dict[str, Any]:
    """The regnet spec's parameters, worked out for a builder's settings."""
    family, preset, _ = ALIASES[name]
    loader = _Loader(f"zoo:{family}", params=preset, base=ZOO)
    loader.load(_parse(zoo_text(family), f"zoo:{family}"), family)
    return loader.top_values


def _stages(summary: Summary) -> list[tuple[int, int]]:
    """Each AnyStage's output width and number of blocks, in order."""
    stages = [row for row in summary.rows if row.type == "AnyStage"]
    blocks = [row for row in summary.rows if row.type == "ResBottleneckBlock"]
    return [
        (stage.output_shape[1], sum(b.name.startswith(f"{stage.name}.") for b in blocks))
        for stage in stages
    ]


def _recorded_stages(leaves: list[tuple[str, str, list[int]]]) -> list[tuple[int, int]]:
    """The same from torchvision's leaf modules, named trunk_output.block{s}.block{s}-{i}.*:
    a stage's width is its blocks' output channels (their final ReLU, ``activation``)."""
    widths: dict[int, int] = {}
    blocks: dict[int, set[int]] = {}
    for name, _, shape in leaves:
        found = re.fullmatch(r"trunk_output\.block(\d+)\.block\d+-(\d+)\.activation", name)
        if found:
            stage, index = int(found[1]), int(found[2])
            widths[stage] = shape[1]
            blocks.setdefault(stage, set()).add(index)
    return [(widths[s], len(blocks[s])) for s in sorted(widths)]


def test_every_torchvision_regnet_is_a_zoo_name() -> None:
    assert len(REGNETS) == 15
    assert set(REGNETS) <= set(zoo_names())
    assert {ALIASES[name][0] for name in REGNETS} == {"regnet"}


@pytest.mark.parametrize("name", REGNETS)
def test_regnet_stages_equal_the_recorded_network(name: str) -> None:
    leaves = FIXTURE["builders"][name]["torch"]["leaves"]
    expected = _recorded_stages(leaves)
    computed = _computed(name)
    assert list(zip(computed["widths"], computed["depths"], strict=True)) == expected
    assert _stages(summarize(load_spec_file(name))) == expected
    # RegNetY has squeeze-excitation in every block, RegNetX in none.
    se = [row for row in summarize(load_spec_file(name)).rows if row.type == "SqueezeExcitation"]
    assert len(se) == (sum(depth for _, depth in expected) if "_y_" in name else 0)


def test_regnet_group_compatibility_moves_widths() -> None:
    """torchvision makes each stage's width a multiple of its group width (make_divisible), and
    a group width no wider than the stage: regnet_x_400mf's first stage quantises to 24 channels
    and widens to 32 (groups of 16), regnet_x_1_6gf's 80 narrows to 72 (groups of 24), and
    regnet_x_8gf's first stage of 80 takes groups of 80, not 120. The recorded networks check
    every width above; this pins the step that moves them."""
    x400 = _computed("regnet_x_400mf")
    assert (x400["stage_widths"][0], x400["widths"][0]) == (24, 32)
    x16 = _computed("regnet_x_1_6gf")
    assert (x16["stage_widths"][0], x16["widths"][0]) == (80, 72)
    x8 = _computed("regnet_x_8gf")
    assert (x8["stage_widths"][0], x8["group_widths"][0], x8["group_widths"][1]) == (80, 80, 120)
    for name in REGNETS:
        computed = _computed(name)
        assert all(
            w % g == 0 for w, g in zip(computed["widths"], computed["group_widths"], strict=True)
        )


needs_torch = pytest.mark.skipif(
    not HAS_TORCH and not REQUIRE_TORCH,
    reason="PyTorch is not installed (pip install torch==2.13.0)",
)


def _torchvision_regnet() -> Any:
    """torchvision's regnet.py, loaded from where pip installed it (imports torch)."""
    return torchvision_models.load_module(torchvision_models.installed_or_skip(), "regnet.py")


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize("name", REGNETS)
def test_regnet_widths_equal_torchvision_block_params(name: str) -> None:
    """torchvision's BlockParams.from_init_params, run on the builder's numbers: the same
    stage widths, depths and group widths as the spec's float64 arithmetic."""
    regnet = _torchvision_regnet()
    preset = ALIASES[name][1]
    block_params = regnet.BlockParams.from_init_params(
        **{**preset, "se_ratio": preset["se_ratio"] or None}
    )
    computed = _computed(name)
    assert list(computed["widths"]) == block_params.widths
    assert list(computed["depths"]) == block_params.depths
    assert list(computed["group_widths"]) == block_params.group_widths


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"w_a": 30, "w_m": 3, "bottleneck_multiplier": 2}, id="integers"),
        pytest.param({"bottleneck_multiplier": 0.5, "group_width": 7}, id="narrow-odd-groups"),
        pytest.param({"depth": 1}, id="one-block"),
        pytest.param({"w_0": 64, "w_a": 0, "depth": 5}, id="one-width"),
        pytest.param({"se_ratio": 0}, id="no-se"),
    ],
)
def test_regnet_designs_off_the_builders_equal_torchvision(settings: dict[str, Any]) -> None:
    """`--set` on the family spec designs another RegNet: torchvision's RegNet built from
    BlockParams.from_init_params with the same numbers has the same parameters and the same
    leaf modules' output shapes (forward hooks, on a 1x3x64x64 input)."""
    import torch

    regnet = _torchvision_regnet()
    numbers = {**ALIASES["regnet_y_400mf"][1], **settings}
    model = regnet.RegNet(
        regnet.BlockParams.from_init_params(**{**numbers, "se_ratio": numbers["se_ratio"] or None})
    ).eval()
    leaves: list[tuple[str, tuple[int, ...]]] = []
    for module in model.modules():
        if not list(module.children()):
            module.register_forward_hook(
                lambda m, _, out: leaves.append((type(m).__name__, tuple(out.shape)))
            )
    with torch.no_grad():
        model(torch.zeros(1, 3, 64, 64))
    summary = summarize(load_spec_file("regnet", params=settings, input_shape=(1, 3, 64, 64)))
    assert summary.totals.params == sum(p.numel() for p in model.parameters())
    types = {kind for kind, _ in leaves}
    assert [(r.type, r.output_shape) for r in summary.layer_rows() if r.type in types] == leaves


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"w_0": 30}, id="w0-not-a-multiple-of-8"),
        pytest.param({"w_0": 0}, id="w0-zero"),
        pytest.param({"w_m": 1.0}, id="wm-one"),
        pytest.param({"w_a": -5.0}, id="wa-negative"),
    ],
)
def test_regnet_refuses_what_torchvision_refuses(settings: dict[str, Any]) -> None:
    """BlockParams.from_init_params raises "Invalid RegNet settings" before any arithmetic:
    so does the spec, where the widths would otherwise divide by zero or take a log of a
    negative number, or come out without complaint (w_0 = 30)."""
    with pytest.raises(SpecError, match=r"^zoo:regnet:\d+:\d+: checks\[0\]: Invalid RegNet"):
        load_spec_file("regnet", params=settings)


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize(
    "settings",
    [{"w_0": 30}, {"w_0": 0}, {"w_m": 1.0}, {"w_a": -5.0}, {"w_0": 16}, {"w_a": 0.0}],
    ids=["w0-30", "w0-0", "wm-1", "wa-negative", "w0-16", "wa-0"],
)
def test_regnet_accepts_and_refuses_as_torchvision(settings: dict[str, Any]) -> None:
    regnet = _torchvision_regnet()
    numbers = {**ALIASES["regnet_y_400mf"][1], **settings}
    try:
        regnet.BlockParams.from_init_params(**{**numbers, "se_ratio": numbers["se_ratio"] or None})
    except ValueError:
        refused = True
    else:
        refused = False
    try:
        load_spec_file("regnet", params=settings)
    except SpecError:
        assert refused
    else:
        assert not refused
