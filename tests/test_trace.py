"""convcalc.trace against PyTorch: the test models of tests/trace_models.py, checked against
answers recorded from PyTorch 2.13 (tests/fixtures/trace_cases.json) and, when PyTorch is
installed, against PyTorch itself."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from trace_models import CASES

import convcalc
from convcalc.errors import TraceError, UntraceableError
from convcalc.trace import TraceSummary

FIXTURES = Path(__file__).parent / "fixtures" / "trace_cases.json"
RECORDED: dict[str, Any] = json.loads(FIXTURES.read_text(encoding="utf-8"))
HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"

GOOD = sorted(name for name, answer in RECORDED["cases"].items() if answer["ok"])
BAD = sorted(name for name, answer in RECORDED["cases"].items() if not answer["ok"])


def run(name: str, folder: Path) -> TraceSummary:
    case = CASES[name]
    path = folder / f"{name}.py"
    path.write_text(case["source"], encoding="utf-8")
    return convcalc.trace(
        path,
        cls=case["cls"],
        inputs=case["inputs"],
        init=case.get("init"),
        mode=case.get("mode", "eval"),
    )


def ours(summary: TraceSummary, recorded: dict[str, Any]) -> dict[str, Any]:
    """The summary in the fixture's terms. PyTorch's hooks see the modules without children;
    a row of a module with children it does not call (attention's out_proj) is no leaf
    there."""
    names = {name for name, _ in recorded.get("leaves", [])}
    leaves = [
        [r.name, list(r.output_shape)] for r in summary.rows if not r.is_block and r.name in names
    ]
    return {
        "ok": True,
        "outputs": [list(s) for s in summary.outputs],
        "params": summary.totals.params,
        "trainable": summary.totals.trainable_params,
        "leaves": leaves,
    }


def failure(name: str, folder: Path) -> TraceError:
    with pytest.raises(TraceError) as info:
        run(name, folder)
    return info.value


def test_fixtures_come_from_pytorch_2_13() -> None:
    assert RECORDED["torch_version"].startswith("2.13.0")
    assert set(RECORDED["cases"]) == set(CASES)
    assert len(GOOD) >= 7
    assert len(BAD) >= 7


@pytest.mark.parametrize("name", GOOD)
def test_trace_agrees_with_recorded_pytorch(name: str, tmp_path: Path) -> None:
    """Output shapes, parameter counts and every leaf module's output shape, in call order."""
    assert ours(run(name, tmp_path), RECORDED["cases"][name]) == RECORDED["cases"][name]


@pytest.mark.parametrize("name", BAD)
def test_trace_fails_where_pytorch_fails(name: str, tmp_path: Path) -> None:
    """Same line, and PyTorch's own message inside ours."""
    error = failure(name, tmp_path)
    recorded = RECORDED["cases"][name]
    assert type(error) is TraceError
    assert error.line == recorded["line"]
    assert recorded["error"] in str(error)


def test_trace_lenet_rows_and_lines(tmp_path: Path) -> None:
    summary = run("lenet_blitz", tmp_path)
    assert summary.output_shape == (1, 10)
    assert [(r.name, r.type, r.output_shape, r.params) for r in summary.rows] == [
        ("conv1", "Conv2d", (1, 6, 28, 28), 156),
        ("conv2", "Conv2d", (1, 16, 10, 10), 2416),
        ("fc1", "Linear", (1, 120), 48120),
        ("fc2", "Linear", (1, 84), 10164),
        ("fc3", "Linear", (1, 10), 850),
    ]
    assert summary.totals.macs == 117600 + 240000 + 48000 + 10080 + 840
    forward = [(line.line, line.shapes) for line in summary.lines if line.line < 24]
    assert forward == [
        (16, (("x", (1, 6, 14, 14)),)),
        (17, (("x", (1, 16, 5, 5)),)),
        (18, (("x", (1, 400)),)),
        (19, (("x", (1, 120)),)),
        (20, (("x", (1, 84)),)),
        (21, (("x", (1, 10)),)),
        (22, (("return", (1, 10)),)),
    ]
    assert [line.calls for line in summary.lines if line.line in (16, 21)] == [(0,), (4,)]


def test_trace_cifar_resnet_blocks(tmp_path: Path) -> None:
    summary = run("cifar_resnet20", tmp_path)
    blocks = [(r.name, r.type, r.depth, r.params) for r in summary.rows if r.is_block][:2]
    assert blocks == [
        ("layer1", "Sequential", 0, 3 * 2 * (16 * 16 * 9 + 32)),
        ("layer1.0", "BasicBlock", 1, 2 * (16 * 16 * 9 + 32)),
    ]
    assert [r.name for r in summary.rows if r.depth == 0] == [
        "conv1",
        "bn1",
        "layer1",
        "layer2",
        "layer3",
        "linear",
    ]
    assert summary.totals.params == sum(r.params for r in summary.rows if r.depth == 0)


def test_trace_linear_bug_message(tmp_path: Path) -> None:
    error = failure("bug_linear", tmp_path)
    assert str(error) == (
        f"{tmp_path / 'bug_linear.py'}:16: self.fc (nn.Linear(1050, 10)) on [64, 1568] = 32×7×7 "
        "from the view on line 15 fails in PyTorch: mat1 and mat2 shapes cannot be multiplied "
        "(64x1568 and 1050x10); `nn.Linear(1050, 10)` on line 10 should be "
        "`nn.Linear(1568, 10)`"
    )


def test_trace_grayscale_bug_message(tmp_path: Path) -> None:
    error = failure("bug_grayscale", tmp_path)
    assert str(error) == (
        f"{tmp_path / 'bug_grayscale.py'}:11: self.features.0 (nn.Conv2d(3, 6, 5)) on "
        "[4, 1, 32, 32] (input 1) fails in PyTorch: Given groups=1, weight of size [6, 3, 5, 5], "
        "expected input[4, 1, 32, 32] to have 3 channels, but got 1 channels instead; the input "
        "has 1 channel: give a 3-channel input, or `nn.Conv2d(3, 6, 5)` on line 7 should be "
        "`nn.Conv2d(1, 6, 5)`"
    )


def test_trace_view_bug_message(tmp_path: Path) -> None:
    error = failure("bug_view", tmp_path)
    assert str(error) == (
        f"{tmp_path / 'bug_view.py'}:14: view(-1, 400) on [64, 32, 7, 7] from self.pool on "
        "line 13 fails in PyTorch: shape '[-1, 400]' is invalid for input of size 100352; "
        "view(-1, 400) should be view(-1, 1568) or flatten(1) (each of the 64 samples has "
        "32×7×7 = 1568 values)"
    )


def test_trace_keyword_bug_message(tmp_path: Path) -> None:
    error = failure("bug_keyword", tmp_path)
    assert str(error) == (
        f"{tmp_path / 'bug_keyword.py'}:7: nn.Conv2d(...): Conv2d.__init__() got an "
        "unexpected keyword argument 'kernel'"
    )


def test_trace_value_dependent_branch_stops_with_exit_3(tmp_path: Path) -> None:
    path = tmp_path / "branchy.py"
    path.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(4, 4)\n\n"
        "    def forward(self, x):\n        if x.sum() > 0:\n            x = self.fc(x)\n"
        "        return x\n",
        encoding="utf-8",
    )
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(path, inputs=[(2, 4)])
    assert str(info.value) == (
        f"{path}:10: cannot trace: the truth value of a tensor depends on the tensor's values, "
        "which convcalc does not have"
    )
    assert info.value.exit_code == 3


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("name", sorted(CASES))
def test_trace_agrees_with_live_pytorch(name: str, tmp_path: Path) -> None:
    live = _live(name, tmp_path)
    assert live == RECORDED["cases"][name]
    if live["ok"]:
        assert ours(run(name, tmp_path), live) == live
    else:
        assert live["error"] in str(failure(name, tmp_path))


def _live(name: str, folder: Path) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent.parent / "scripts"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns that NumPy is missing
            recorder = importlib.import_module("record_trace_cases")
            answer: dict[str, Any] = recorder.record(name, CASES[name], folder)
            return answer
    finally:
        sys.path.pop(0)


def test_pytorch_is_installed_where_required() -> None:
    if REQUIRE_TORCH:
        assert HAS_TORCH, "CONVCALC_REQUIRE_TORCH=1 but torch is not importable"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param(
            "bug_no_flatten",
            "12: self.fc (nn.Linear(8 * 14 * 14, 10)) on [16, 8, 14, 14] from self.features.1 on "
            "line 11 fails in PyTorch: mat1 and mat2 shapes cannot be multiplied (1792x14 and "
            "1568x10); the input is not flattened: add `x = torch.flatten(x, 1)` before this "
            "line (it gives 1568 features, as in_features 1568 expects)",
            id="forgotten-flatten",
        ),
        pytest.param(
            "bug_pool",
            "14: self.body.5 (nn.MaxPool2d(2)) on [1, 8, 1, 1] from self.body.4 on line 14 fails "
            "in PyTorch: Given input size: (8x1x1). Calculated output size: (8x0x0). Output size "
            "is too small; the input has shrunk to nothing by this point: give a larger input, or "
            "downsample less before this layer",
            id="pool-to-zero",
        ),
        pytest.param(
            "bug_skip",
            "18: torch.cat on [1, 8, 24, 24] from self.up on line 17; [1, 8, 25, 25] from "
            "self.down on line 15 fails in PyTorch: Sizes of tensors must match except in "
            "dimension 1. Expected size 24 but got size 25 for tensor number 1 in the list.; "
            "crop or pad one tensor to the other's size before the cat (F.pad, or "
            "F.interpolate(x, size=skip.shape[2:])), or give an input size that every "
            "downsampling divides exactly",
            id="unet-skip",
        ),
    ],
)
def test_trace_bug_messages_name_the_fix(name: str, message: str, tmp_path: Path) -> None:
    assert str(failure(name, tmp_path)) == f"{tmp_path / name}.py:{message}"


def test_trace_takes_source_text() -> None:
    from trace_models import BUG_LINEAR, LENET_BLITZ

    summary = convcalc.trace(LENET_BLITZ, inputs=[(1, 1, 32, 32)])
    assert (summary.output_shape, summary.totals.params) == ((1, 10), 61706)
    assert summary.lines[0].file == "<source>"
    with pytest.raises(TraceError) as info:
        convcalc.trace(BUG_LINEAR, inputs=[(64, 1, 28, 28)])
    assert str(info.value).startswith("<source>:16: self.fc (nn.Linear(1050, 10)) on [64, 1568]")
