"""Solving a layer for its unknown arguments, and TensorFlow's SAME/VALID padding."""

from __future__ import annotations

import importlib.util
import math
import os
import warnings
from itertools import product
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convcalc import ShapeError
from convcalc.analysis import UNKNOWN, solve, tf_padding, tf_padding_layers
from convcalc.layers import Conv1d, ConvTranspose1d, MaxPool1d, ZeroPad2d

HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
needs_torch = pytest.mark.skipif(
    not HAS_TORCH and not REQUIRE_TORCH,
    reason="PyTorch is not installed (pip install torch==2.13.0)",
)


def test_solve_padding_that_halves_64_at_stride_2() -> None:
    result = solve("Conv2d", (64, 64), (32, 32), kernel_size=3, stride=2, padding=UNKNOWN)
    assert [s.text() for s in result.axes[0].solutions] == ["padding=1"]
    assert result.arguments() == {"kernel_size": 3, "stride": 2, "padding": 1}
    assert result.lines() == [
        "every axis: 64 -> 32; out = ⌊(64 + 2·p − 1·(3 − 1) − 1) / 2⌋ + 1",
        "  padding=1  (output 32)",
    ]


def test_solve_kernel_and_stride_lists_every_pair_ranked() -> None:
    result = solve("Conv1d", 224, 7, kernel_size=UNKNOWN, stride=UNKNOWN)
    pairs = [(s["kernel_size"], s["stride"]) for s in result.axes[0].solutions]
    expected = [
        (k, s)
        for k, s in product(range(1, 33), range(1, 33))
        if k <= 224 and (224 - k) // s + 1 == 7
    ]
    assert pairs == sorted(expected)
    assert (32, 32) in pairs
    assert pairs[0] == (1, 32)


def test_solve_reports_why_and_the_nearest_sizes() -> None:
    result = solve("Conv2d", 64, 20, kernel_size=3, stride=2, padding=UNKNOWN)
    assert not result.solved
    assert (
        result.axes[0].reason == "no padding in 0..32 reaches 20 from 64; nearest: 31 (padding=0)"
    )
    assert [s.output for s in result.axes[0].nearest] == [31]
    result = solve("MaxPool1d", 10, 4, kernel_size=2, stride=UNKNOWN, ranges={"stride": (1, 8)})
    assert result.axes[0].reason == (
        "no stride in 1..8 reaches 4 from 10; nearest: 3 (stride=3) and 5 (stride=2)"
    )
    with pytest.raises(ShapeError, match=r"^MaxPool1d: no solution to take arguments from$"):
        result.arguments()


def test_solve_pooling_ceil_mode() -> None:
    result = solve("MaxPool2d", 8, 4, kernel_size=3, stride=2, ceil_mode=UNKNOWN)
    assert [s.text() for s in result.axes[0].solutions] == ["ceil_mode=True"]
    assert MaxPool1d(3, 2, ceil_mode=True).output_shape((1, 1, 8)) == (1, 1, 4)


def test_solve_transposed_padding_and_output_padding_together() -> None:
    result = solve(
        "ConvTranspose2d",
        16,
        32,
        kernel_size=3,
        stride=2,
        padding=UNKNOWN,
        output_padding=UNKNOWN,
    )
    assert [s.text() for s in result.axes[0].solutions] == ["padding=1, output_padding=1"]
    result = solve(
        "ConvTranspose1d", 16, 31, kernel_size=4, stride=2, padding=UNKNOWN, output_padding=UNKNOWN
    )
    assert [s.text() for s in result.axes[0].solutions] == ["padding=2, output_padding=1"]


def test_solve_upsample_scale_and_size() -> None:
    result = solve("Upsample", (5, 7), (15, 10), scale_factor=UNKNOWN)
    assert [s["scale_factor"] for s in result.axes[0].solutions] == [3.0]
    (scale,) = [s["scale_factor"] for s in result.axes[1].solutions]
    assert int(7.0 * scale) == 10
    assert int(7.0 * math.nextafter(scale, 0)) == 9  # the smallest double that lands on 10


def test_solve_per_axis_unknowns() -> None:
    result = solve(
        "Conv2d", (28, 30), (28, 15), kernel_size=(3, 3), stride=(1, 2), padding=(UNKNOWN, UNKNOWN)
    )
    assert [s.text() for s in result.axes[0].solutions] == ["padding=1"]
    assert [s.text() for s in result.axes[1].solutions] == ["padding=1"]
    assert result.lines()[0] == "H: 28 -> 28; out = ⌊(28 + 2·p − 1·(3 − 1) − 1) / 1⌋ + 1"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: solve("Conv2d", 8, 4, kernel_size=3, stride=2),
            "Conv2d: nothing to solve for; give one or more arguments as '?' (one of "
            "kernel_size, stride, padding, dilation)",
            id="nothing-unknown",
        ),
        pytest.param(
            lambda: solve("Conv2d", 8, 4, kernel_size=3, groups=UNKNOWN),
            "Conv2d: cannot solve with argument 'groups'; it takes kernel_size, stride, "
            "padding, dilation",
            id="not-an-axis-argument",
        ),
        pytest.param(
            lambda: solve("Linear", 8, 4, kernel_size=UNKNOWN),
            "cannot solve 'Linear': use Conv1d..3d, ConvTranspose1d..3d, MaxPool1d..3d, "
            "AvgPool1d..3d or Upsample",
            id="not-a-window-layer",
        ),
        pytest.param(
            lambda: solve(
                "Conv1d",
                8,
                4,
                kernel_size=UNKNOWN,
                stride=UNKNOWN,
                padding=UNKNOWN,
                dilation=UNKNOWN,
                ranges={"padding": (0, 100)},
            ),
            "Conv1d: searching 1,654,784 combinations of kernel_size, stride, padding, "
            "dilation is too many (at most 1,000,000); narrow a range or fix an argument",
            id="search-too-large",
        ),
        pytest.param(
            lambda: solve("Conv1d", 0, 4, kernel_size=UNKNOWN),
            "Conv1d: input size 0 must be positive integers",
            id="empty-input",
        ),
    ],
)
def test_solve_rejects_with_one_sentence(call: Any, message: str) -> None:
    with pytest.raises(ShapeError) as info:
        call()
    assert str(info.value) == message


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(1, 40),
    target=st.integers(1, 40),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 4),
    dilation=st.integers(1, 3),
)
def test_solved_paddings_are_exactly_those_the_layer_accepts(
    size: int, target: int, kernel: int, stride: int, dilation: int
) -> None:
    """Brute force through the layer class: the solutions are every padding in range that
    gives the target, in order, and nothing else."""
    result = solve(
        "Conv1d",
        size,
        target,
        kernel_size=kernel,
        stride=stride,
        dilation=dilation,
        padding=UNKNOWN,
        ranges={"padding": (0, 12)},
    )
    expected = []
    for p in range(13):
        try:
            out = Conv1d(1, 1, kernel, stride, p, dilation).output_shape((1, 1, size))[-1]
        except ShapeError:
            continue
        if out == target:
            expected.append(p)
    assert [s["padding"] for s in result.axes[0].solutions] == expected
    if not expected:
        assert result.axes[0].reason is not None


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 12), target=st.integers(1, 30), stride=st.integers(1, 3))
def test_solved_transposed_convolutions_hit_the_target(size: int, target: int, stride: int) -> None:
    result = solve(
        "ConvTranspose1d",
        size,
        target,
        kernel_size=UNKNOWN,
        stride=stride,
        padding=UNKNOWN,
        output_padding=UNKNOWN,
        ranges={"kernel_size": (1, 6), "padding": (0, 4), "output_padding": (0, 3)},
    )
    found = {
        (s["padding"], s["kernel_size"], s["output_padding"]) for s in result.axes[0].solutions
    }
    expected = set()
    for p, k, op in product(range(5), range(1, 7), range(4)):
        try:
            layer = ConvTranspose1d(1, 1, k, stride, p, op)
            if layer.output_shape((1, 1, size))[-1] == target:
                expected.add((p, k, op))
        except ShapeError:
            pass
    assert found == expected


# --------------------------------------------------------------------------------------------
# TensorFlow padding


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "dilation", "pads", "out"),
    [
        pytest.param(5, 2, 2, 1, (0, 1), 3, id="5x5-stride2-extra-after"),
        pytest.param(224, 3, 2, 1, (0, 1), 112, id="224-k3-s2"),
        pytest.param(224, 7, 2, 1, (2, 3), 112, id="224-k7-s2"),
        pytest.param(5, 3, 2, 1, (1, 1), 3, id="5-k3-s2-symmetric"),
        pytest.param(6, 5, 2, 1, (1, 2), 3, id="6-k5-s2"),
        pytest.param(7, 3, 1, 2, (2, 2), 7, id="dilated-stride1"),
        pytest.param(8, 1, 3, 1, (0, 0), 3, id="pointwise-never-pads"),
    ],
)
def test_tf_same_padding(
    size: int, kernel: int, stride: int, dilation: int, pads: tuple[int, int], out: int
) -> None:
    plan = tf_padding(size, kernel, stride=stride, dilation=dilation)
    assert plan.pads == (pads,)
    assert plan.output_size == (math.ceil(size / stride),) == (out,)


def test_tf_same_asymmetric_spelling() -> None:
    plan = tf_padding((5, 5), 2, stride=2)
    assert plan.lines() == [
        "axis 0: TF SAME pads 0 before and 1 after (asymmetric: the extra pixel goes after); "
        "5 -> 3",
        "axis 1: TF SAME pads 0 before and 1 after (asymmetric: the extra pixel goes after); "
        "5 -> 3",
        "PyTorch: nn.ZeroPad2d((0, 1, 0, 1)) (or F.pad(x, (0, 1, 0, 1))), then the convolution "
        "with padding=0",
    ]
    pad, conv, _ = tf_padding_layers("Conv2d", (5, 5), kernel_size=2, stride=2)
    assert pad == ZeroPad2d((0, 1, 0, 1))
    assert conv == {"kernel_size": 2, "stride": 2, "padding": 0}
    none, conv, _ = tf_padding_layers("Conv2d", (5, 5), kernel_size=3, stride=2)
    assert none is None
    assert conv == {"kernel_size": 3, "stride": 2, "padding": 1}


def test_tf_valid_padding() -> None:
    plan = tf_padding(224, 11, stride=4, mode="VALID")
    assert plan.pads == ((0, 0),)
    assert plan.output_size == (54,)
    with pytest.raises(ShapeError) as info:
        tf_padding(3, 5, mode="valid")
    assert str(info.value) == (
        "TF VALID padding: input size 3 is smaller than the dilated kernel 5; use SAME "
        "padding or a smaller kernel"
    )


@pytest.mark.torch
@needs_torch
def test_tf_same_pad_and_conv_give_tensorflows_shape_under_torch() -> None:
    """The PyTorch spelling (ZeroPad then Conv with padding 0) has ceil(in/s) outputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

    for size, kernel, stride, dilation in product(
        range(1, 24), range(1, 6), range(1, 4), range(1, 3)
    ):
        pad, conv, plan = tf_padding_layers(
            "Conv2d", (size, size + 1), kernel_size=kernel, stride=stride, dilation=dilation
        )
        x = torch.zeros(1, 1, size, size + 1)
        if pad is not None:
            x = torch.nn.functional.pad(x, plan.torch_pad)
        y = torch.nn.Conv2d(1, 1, **conv)(x)
        expected = (math.ceil(size / stride), math.ceil((size + 1) / stride))
        assert tuple(y.shape[2:]) == expected == plan.output_size


# --------------------------------------------------------------------------------------------
# a '?' in a network spec


_SPEC = """\
input: [1, 3, 64, 64]
layers:
  - Conv2d: {out_channels: 8, kernel_size: 3, stride: 2, padding: '?'}
    id: stem
  - Conv2d: [16, '?']
  - Flatten
  - Linear: 10
"""


def test_solve_network_unknowns_by_whole_network_arithmetic() -> None:
    from convcalc.analysis import solve_network
    from convcalc.network import summarize
    from convcalc.spec import load_spec

    network = load_spec(_SPEC)
    result = solve_network(network, (28, 28), at="conv2d_2", ranges={"padding": (0, 3)})
    assert result.unknowns == (("stem", "padding"), ("conv2d_2", "kernel_size"))
    assert [values for values, _ in result.solutions] == [(0, 4), (1, 5), (2, 6), (3, 7)]
    for (padding, kernel), shape in result.solutions:
        text = _SPEC.replace("padding: '?'", f"padding: {padding}").replace("'?'", str(kernel))
        assert summarize(load_spec(text)).layer_rows()[1].output_shape == shape == (1, 16, 28, 28)
    assert result.lines()[:2] == [
        "stem.padding, conv2d_2.kernel_size such that conv2d_2 is 28x28:",
        "  padding=0, kernel_size=4",
    ]
    missed = solve_network(network, (1, 11), ranges={"padding": (0, 1), "kernel_size": (1, 2)})
    assert missed.solutions == ()
    assert missed.lines()[1] == (
        "  none in the ranges searched; nearest: padding=0, kernel_size=1 gives 1x10; "
        "padding=0, kernel_size=2 gives 1x10; padding=1, kernel_size=1 gives 1x10"
    )


def test_solve_network_needs_a_question_mark() -> None:
    from convcalc.analysis import solve_network
    from convcalc.spec import load_spec_file

    with pytest.raises(ShapeError) as info:
        solve_network(load_spec_file("lenet"), (1, 10))
    assert str(info.value) == "lenet: no argument is '?'; write the one to solve as '?'"


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize(
    ("size", "kernel", "stride"),
    [
        pytest.param(5, 2, 2, id="5x5-s2-extra-after"),
        pytest.param(224, 3, 2, id="224-k3-s2"),
        pytest.param(224, 7, 2, id="224-k7-s2"),
        pytest.param(13, 6, 5, id="13-k6-s5"),
    ],
)
def test_exported_tf_same_network_gives_tensorflows_shape(
    size: int, kernel: int, stride: int
) -> None:
    """A network built with the pad layer and the convolution, exported as a PyTorch module,
    runs under PyTorch to ceil(in/s) on each axis."""
    from convcalc.export import to_pytorch
    from convcalc.network import LayerSpec, NetworkBuilder

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

    builder = NetworkBuilder(input_shape=(1, 3, size, size + 1), name="tf_same")
    pad, conv, plan = tf_padding_layers(
        "Conv2d", (size, size + 1), kernel_size=kernel, stride=stride
    )
    if pad is not None:
        builder.add(pad)
    builder.add(LayerSpec("Conv2d", (4,), tuple(conv.items())))
    namespace: dict[str, Any] = {}
    exec(compile(to_pytorch(builder.build()), "tf_same.py", "exec"), namespace)  # noqa: S102 - our export
    model = namespace["TfSame"]()
    with torch.no_grad():
        out = model(torch.zeros(1, 3, size, size + 1))
    expected = (math.ceil(size / stride), math.ceil((size + 1) / stride))
    assert tuple(out.shape) == (1, 4, *expected)
    assert plan.output_size == expected
