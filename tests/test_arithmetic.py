"""The per-axis formulas: worked examples from the spec, and the laws they obey."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convcalc import ShapeError
from convcalc.arithmetic import (
    adaptive_pool_window,
    conv_macs,
    conv_output_size,
    conv_param_count,
    conv_transpose_macs,
    conv_transpose_output_size,
    conv_transpose_param_count,
    flops,
    interpolate_output_size,
    linear_macs,
    output_padding_for,
    output_padding_range,
    pool_output_size,
    same_padding,
    unpool_output_size,
    unused_input,
)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "expected"),
    [
        pytest.param(28, 5, 1, 0, 1, 24, id="lenet-conv1"),
        pytest.param(12, 5, 1, 0, 1, 8, id="lenet-conv2"),
        pytest.param(224, 7, 2, 3, 1, 112, id="resnet-stem"),
        pytest.param(7, 3, 1, 2, 2, 7, id="dilated-same"),
        pytest.param(5, 2, 1, 0, 1, 4, id="seed-5x5-k2"),
        pytest.param(5, 2, 2, 0, 1, 2, id="seed-5x5-k2-stride2"),
        pytest.param(5, 2, 1, 1, 1, 6, id="seed-5x5-k2-pad1"),
        pytest.param(5, 2, 1, 0, 2, 3, id="seed-5x5-k2-dilation2"),
        pytest.param(128, 3, 1, 0, 1, 126, id="seed-conv2d-64-32-3"),
        pytest.param(50, 3, 2, 0, 1, 24, id="conv1d-16-33-3-stride2"),
        pytest.param(32, 3, 2, 4, 3, 17, id="spec-2.3-height"),
        pytest.param(32, 5, 1, 2, 1, 32, id="spec-2.3-width"),
        pytest.param(9, 3, 2, 1, 1, 5, id="conv3d-depth"),
        pytest.param(5, 3, 2, 1, 1, 3, id="seed-stride2-pad1"),
        pytest.param(3, 3, 1, 1, 2, 1, id="dilated-kernel-exactly-fits"),
    ],
)
def test_conv_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int, expected: int
) -> None:
    assert (
        conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
        == expected
    )


def test_conv_output_size_rejects_kernel_larger_than_input() -> None:
    with pytest.raises(ShapeError) as info:
        conv_output_size(4, 5)
    assert str(info.value) == (
        "padded input size 4 (= 4 + 2·0) is smaller than the dilated kernel size 5 "
        "(= 1·(5−1) + 1); use a smaller kernel or dilation, more padding, or a larger input"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stride": 0}, "stride must be a positive integer, got 0"),
        ({"dilation": 0}, "dilation must be a positive integer, got 0"),
        ({"padding": -1}, "padding must be zero or more, got -1"),
    ],
)
def test_conv_output_size_rejects_degenerate_arguments(
    kwargs: dict[str, int], message: str
) -> None:
    with pytest.raises(ShapeError, match=f"^{message}$"):
        conv_output_size(10, 3, **kwargs)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "output_padding", "dilation", "expected"),
    [
        pytest.param(126, 3, 1, 0, 0, 1, 128, id="seed-convT-32-64-3"),
        pytest.param(50, 3, 2, 4, 0, 1, 93, id="spec-3.2-height"),
        pytest.param(100, 5, 1, 2, 0, 1, 100, id="spec-3.2-width"),
        pytest.param(5, 3, 3, 0, 2, 1, 17, id="convT1d-stride3-op2"),
        pytest.param(5, 3, 1, 0, 2, 3, 13, id="convT1d-dilation3-op2"),
        pytest.param(5, 3, 2, 0, 0, 1, 11, id="convT2d-unbatched"),
        pytest.param(3, 3, 2, 1, 0, 1, 5, id="seed-undo-stride2"),
    ],
)
def test_conv_transpose_output_size(
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    output_padding: int,
    dilation: int,
    expected: int,
) -> None:
    assert (
        conv_transpose_output_size(
            size,
            kernel,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
        )
        == expected
    )


def test_conv_transpose_output_size_rejects_large_output_padding() -> None:
    with pytest.raises(ShapeError) as info:
        conv_transpose_output_size(4, 3, stride=2, output_padding=2)
    assert str(info.value) == (
        "output_padding 2 must be smaller than the stride (2) or the dilation (1); "
        "use output_padding < 2"
    )


def test_conv_transpose_output_size_rejects_empty_output() -> None:
    with pytest.raises(ShapeError, match="output size -1 is not positive"):
        conv_transpose_output_size(1, 3, padding=2)


def test_output_padding_for_seed() -> None:
    assert output_padding_range(3, 3, stride=2, padding=1) == (5, 6)
    assert output_padding_for(3, 5, 3, stride=2, padding=1) == 0
    assert output_padding_for(3, 6, 3, stride=2, padding=1) == 1


def test_output_padding_for_explains_unreachable_target() -> None:
    with pytest.raises(ShapeError) as info:
        output_padding_for(3, 7, 3, stride=2, padding=1)
    assert str(info.value) == (
        "no output_padding reaches size 7 from input size 3: with kernel 3, stride 2, "
        "padding 1 and dilation 1 it can reach only sizes 5 to 6; change the stride, "
        "padding or kernel"
    )


def test_output_padding_for_ignores_dilation_for_the_range() -> None:
    """PyTorch's range is [min, min + stride - 1]: dilation does not widen it."""
    with pytest.raises(ShapeError, match="it can reach only 10;"):
        output_padding_for(4, 11, 3, dilation=3)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation", "ceil_mode", "expected"),
    [
        pytest.param(24, 2, None, 0, 1, False, 12, id="lenet-pool"),
        pytest.param(7, 3, 2, 0, 1, False, 3, id="floor"),
        pytest.param(8, 3, 2, 0, 1, True, 4, id="ceil-keeps-window"),
        pytest.param(5, 2, 2, 1, 1, True, 3, id="ceil-drops-window-in-right-pad"),
        pytest.param(6, 2, 2, 1, 1, True, 4, id="ceil-keeps-window-starting-in-input"),
        pytest.param(5, 2, None, 1, 3, False, 2, id="dilated"),
        pytest.param(5, 3, 2, 1, 1, False, 3, id="avgpool-3-2-1"),
    ],
)
def test_pool_output_size(
    size: int,
    kernel: int,
    stride: int | None,
    padding: int,
    dilation: int,
    ceil_mode: bool,
    expected: int,
) -> None:
    assert (
        pool_output_size(
            size, kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode
        )
        == expected
    )


def test_pool_output_size_rejects_padding_over_half_kernel() -> None:
    with pytest.raises(ShapeError) as info:
        pool_output_size(10, 2, padding=2)
    assert str(info.value) == "padding 2 is more than half the kernel size 2; use padding <= 1"


def test_pool_output_size_rejects_window_larger_than_input() -> None:
    with pytest.raises(
        ShapeError, match="input size 2 with padding 0 is smaller than the pooling window 3"
    ):
        pool_output_size(2, 3)


def test_adaptive_pool_windows_overlap_as_pytorch() -> None:
    assert [adaptive_pool_window(i, 10, 3) for i in range(3)] == [(0, 4), (3, 7), (6, 10)]
    assert [adaptive_pool_window(i, 5, 8) for i in range(8)] == [
        (0, 1),
        (0, 2),
        (1, 2),
        (1, 3),
        (2, 4),
        (3, 4),
        (3, 5),
        (4, 5),
    ]


@pytest.mark.parametrize(
    ("size", "scale", "expected"),
    [
        pytest.param(100, 0.58, 57, id="binary-below-58"),
        pytest.param(90, 0.7, 62, id="binary-below-63"),
        pytest.param(100, 0.29, 28, id="binary-below-29"),
        pytest.param(50, 0.58, 28, id="binary-50"),
        pytest.param(5, 1.5, 7, id="scale-1.5"),
        pytest.param(7, 1.5, 10, id="scale-1.5-width"),
    ],
)
def test_interpolate_output_size_truncates_in_binary(
    size: int, scale: float, expected: int
) -> None:
    assert interpolate_output_size(size, scale) == expected


def test_same_padding_puts_odd_extra_at_the_end() -> None:
    assert same_padding(3) == (1, 1)
    assert same_padding(4) == (1, 2)
    assert same_padding(2, dilation=2) == (1, 1)
    assert same_padding(5, dilation=3) == (6, 6)


def test_unpool_output_size() -> None:
    assert unpool_output_size(4, 2, stride=2) == 8
    assert unpool_output_size(5, 3, stride=2, padding=1) == 9


def test_param_counts_from_the_spec() -> None:
    assert conv_param_count(64, 32, (3, 3)) == 18_464
    assert conv_param_count(64, 32, (3, 3), groups=8) == 2_336
    assert conv_param_count(64, 64, (3, 3), groups=64) == 640
    assert conv_param_count(64, 32, (1, 1)) == 2_080
    assert conv_param_count(16, 33, (3,)) == 1_617
    assert conv_transpose_param_count(32, 64, (3, 3)) == 18_496
    assert conv_transpose_param_count(32, 64, (3, 3), groups=4) == 4_672


def test_mac_convention() -> None:
    """One MAC per weight use, times the batch; bias not counted; FLOPs are 2 x MACs."""
    assert conv_macs(8, 64, (32, 126, 126), (3, 3)) == 8 * 32 * 126 * 126 * 64 * 9
    assert conv_macs(1, 64, (64, 10, 10), (3, 3), groups=64) == 64 * 100 * 9
    assert conv_transpose_macs(2, (4, 5, 5), 6, (3, 3), groups=2) == 2 * 4 * 25 * 3 * 9
    assert linear_macs((64, 800), 500) == 64 * 800 * 500
    assert flops(21) == 42


def test_unused_input_counts_rows_floor_division_drops() -> None:
    assert unused_input(6, 3, stride=2) == 1
    assert unused_input(7, 3, stride=2) == 0
    assert unused_input(128, 3) == 0


sizes = st.integers(1, 64)
kernels = st.integers(1, 9)
strides = st.integers(1, 5)
paddings = st.integers(0, 5)
dilations = st.integers(1, 4)


@given(sizes, kernels, strides, paddings, dilations)
def test_conv_output_size_counts_window_positions(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    """The closed form equals a brute-force count of window start positions."""
    span = dilation * (kernel - 1) + 1
    positions = [
        start
        for start in range(0, size + 2 * padding, stride)
        if start + span <= size + 2 * padding
    ]
    if not positions:
        with pytest.raises(ShapeError):
            conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    else:
        assert conv_output_size(
            size, kernel, stride=stride, padding=padding, dilation=dilation
        ) == len(positions)


@given(sizes, kernels, dilations)
def test_same_padding_keeps_the_size(size: int, kernel: int, dilation: int) -> None:
    """'same' padding at stride 1 keeps the length, for any kernel and dilation."""
    left, right = same_padding(kernel, dilation=dilation)
    padded = size + left + right
    assert padded - dilation * (kernel - 1) == size


@given(sizes, kernels, strides, paddings, dilations)
def test_conv_transpose_undoes_conv(
    size: int, kernel: int, stride: int, padding: int, dilation: int
) -> None:
    """A transposed conv with the same arguments restores the size when the stride divides
    evenly, and output_padding_for recovers the dropped remainder otherwise."""
    try:
        out = conv_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)
    except ShapeError:
        return
    remainder = unused_input(size, kernel, stride=stride, padding=padding, dilation=dilation)
    low, _ = output_padding_range(out, kernel, stride=stride, padding=padding, dilation=dilation)
    assert low == size - remainder
    if remainder == 0 and low >= 1:
        assert (
            conv_transpose_output_size(
                out, kernel, stride=stride, padding=padding, dilation=dilation
            )
            == size
        )
    if low >= 1:
        assert (
            output_padding_for(out, size, kernel, stride=stride, padding=padding, dilation=dilation)
            == remainder
        )


@given(
    st.integers(1, 16),
    st.integers(1, 8),
    st.integers(1, 8),
    st.lists(st.integers(1, 7), min_size=1, max_size=3),
)
def test_grouped_weights_are_dense_over_groups(
    groups: int, in_mult: int, out_mult: int, kernel: list[int]
) -> None:
    """A grouped convolution's weights are the dense count divided by groups."""
    cin, cout = groups * in_mult, groups * out_mult
    dense = conv_param_count(cin, cout, kernel, bias=False)
    assert conv_param_count(cin, cout, kernel, groups=groups, bias=False) * groups == dense


@given(sizes, kernels, strides, st.integers(0, 4), dilations, st.booleans())
def test_pool_last_window_starts_inside(
    size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> None:
    """Every pooling window starts inside the input or its left padding."""
    try:
        out = pool_output_size(
            size, kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode
        )
    except ShapeError:
        return
    assert (out - 1) * stride < size + padding
    floor = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    assert out in ((floor, floor + 1) if ceil_mode else (floor,))
