"""Networks built in Python: propagation, inference of size arguments, merges, totals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convcalc import Conv2d, Layer, Linear, MaxPool2d, ShapeError
from convcalc.network import (
    Add,
    Concat,
    LayerSpec,
    Mul,
    NetworkBuilder,
    dtype_size,
    sequential,
    summarize,
)

LENET: list[Layer | LayerSpec | str] = [
    LayerSpec("Conv2d", (20, 5)),
    "ReLU",
    LayerSpec("MaxPool2d", (2,)),
    LayerSpec("Conv2d", (), (("out_channels", 50), ("kernel_size", 5))),
    "ReLU",
    LayerSpec("MaxPool2d", (2,)),
    "Flatten",
    LayerSpec("Linear", (500,)),
    "ReLU",
    LayerSpec("Linear", (10,)),
]


def test_lenet_known_answer() -> None:
    """The seed: 520 + 25,050 + 400,500 + 5,010 = 431,080 parameters."""
    summary = summarize(sequential(LENET, input_shape=(64, 1, 28, 28), name="lenet"))
    rows = summary.layer_rows()
    assert [r.params for r in rows if r.params] == [520, 25_050, 400_500, 5_010]
    assert rows[7].layer == Linear(800, 500)
    assert summary.output_shape == (64, 10)
    assert summary.totals.params == 431_080
    assert summary.totals.macs == 64 * (
        20 * 24 * 24 * 25 + 50 * 8 * 8 * 20 * 25 + 800 * 500 + 500 * 10
    )


def test_torchinfo_lenet_known_answer() -> None:
    """torchinfo's LeNet-style net (1x28x28): 260 + 5,020 + 16,050 + 510 = 21,840."""
    net = sequential(
        [
            Conv2d(1, 10, 5),
            MaxPool2d(2),
            "ReLU",
            Conv2d(10, 20, 5),
            "Dropout2d",
            MaxPool2d(2),
            "ReLU",
            "Flatten",
            Linear(320, 50),
            "ReLU",
            "Dropout",
            Linear(50, 10),
        ],
        input_shape=(1, 1, 28, 28),
    )
    summary = summarize(net)
    assert [r.params for r in summary.rows if r.params] == [260, 5_020, 16_050, 510]
    assert summary.totals.params == 21_840


def test_inferred_size_argument_must_agree_when_given() -> None:
    net = sequential(
        [*LENET[:7], LayerSpec("Linear", (), (("in_features", 500), ("out_features", 500)))],
        input_shape=(64, 1, 28, 28),
    )
    with pytest.raises(ShapeError) as info:
        summarize(net)
    assert str(info.value) == (
        "layer 8 (linear_8) Linear: in_features is 500, but the incoming tensor flattens to "
        "800 (= 50×4×4); leave in_features out to infer it, or make it 800"
    )


def test_group_norm_infers_num_channels() -> None:
    net = sequential([LayerSpec("GroupNorm", (4,))], input_shape=(2, 16, 8, 8))
    assert summarize(net).layer_rows()[0].params == 32


def test_builder_skip_connection_and_concat() -> None:
    b = NetworkBuilder(input_shape=(1, 3, 32, 32))
    stem = b.add(LayerSpec("Conv2d", (16, 3), (("padding", 1),)))
    down = b.add(LayerSpec("MaxPool2d", (2,)))
    up = b.add(LayerSpec("ConvTranspose2d", (16, 2), (("stride", 2),)))
    b.add(Concat(1), inputs=[up, stem])
    b.add(Add(), inputs=[-1, stem])  # broadcasting fails: 32 channels vs 16
    with pytest.raises(ShapeError, match="do not broadcast"):
        summarize(b.build())
    assert down == "maxpool2d_2"


@pytest.mark.parametrize(
    ("merge", "shapes", "expected"),
    [
        (Add(), [(2, 8, 4, 4), (2, 8, 4, 4)], (2, 8, 4, 4)),
        (Mul(), [(2, 8, 4, 4), (2, 8, 1, 1)], (2, 8, 4, 4)),
        (Add(), [(8, 4, 4), (2, 1, 4, 1)], (2, 8, 4, 4)),
        (Concat(1), [(2, 8, 4, 4), (2, 3, 4, 4)], (2, 11, 4, 4)),
        (Concat(-1), [(2, 8, 4, 4), (2, 8, 4, 1)], (2, 8, 4, 5)),
    ],
)
def test_merges(
    merge: Add | Mul | Concat, shapes: list[tuple[int, ...]], expected: tuple[int, ...]
) -> None:
    assert merge.output_shape(shapes) == expected


def test_concat_names_the_mismatched_dimension() -> None:
    with pytest.raises(ShapeError) as info:
        Concat(1).output_shape([(1, 64, 56, 56), (1, 64, 57, 57)])
    assert str(info.value) == (
        "Concat: tensors 1x64x56x56 and 1x64x57x57 differ in dimension 2 (56 vs 57); only "
        "dimension 1 may differ"
    )


def test_dtype_sizes() -> None:
    assert [dtype_size(d) for d in ("float32", "float16", "bfloat16", "int8")] == [4, 2, 2, 1]
    with pytest.raises(ShapeError, match="unknown dtype 'float13'"):
        dtype_size("float13")


@given(
    st.lists(st.sampled_from(["conv", "relu", "pool", "bn"]), min_size=1, max_size=12),
    st.integers(1, 4),
    st.integers(8, 64),
)
def test_summary_totals_equal_the_sum_of_rows(kinds: list[str], batch: int, size: int) -> None:
    """torchinfo's invariant: the totals are the sums of the per-layer rows."""
    specs = {
        "conv": LayerSpec("Conv2d", (8, 3), (("padding", 1),)),
        "relu": LayerSpec("ReLU"),
        "pool": LayerSpec("MaxPool2d", (2,), (("ceil_mode", True),)),
        "bn": LayerSpec("BatchNorm2d"),
    }
    try:
        summary = summarize(
            sequential([specs[k] for k in kinds], input_shape=(batch, 3, size, size))
        )
    except ShapeError:
        return
    rows = summary.layer_rows()
    assert summary.totals.params == sum(r.params for r in rows)
    assert summary.totals.macs == sum(r.macs for r in rows)
    assert (
        summary.totals.trainable_params + summary.totals.non_trainable_params
        == summary.totals.params
    )
    assert summary.output_shape == rows[-1].output_shape
