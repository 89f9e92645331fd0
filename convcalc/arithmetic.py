"""Size, parameter and MAC formulas for one spatial axis or one layer, as PyTorch computes them.

Plain functions over ints: the input comes first, options are keyword-only with PyTorch's
defaults, and each docstring gives the formula. A failed precondition raises
:class:`~convcalc.errors.ShapeError` with the numbers in the message.

Counting convention (MACs)
--------------------------
One multiply-accumulate is counted per use of a weight:

* convolution: ``N * C_out * prod(out_spatial) * (C_in / groups) * prod(kernel)``;
* transposed convolution, over *input* positions:
  ``N * C_in * prod(in_spatial) * (C_out / groups) * prod(kernel)``;
* linear: ``prod(leading dims) * in_features * out_features``.

``N`` is the batch (1 for an unbatched input). Bias additions, normalisation, activations,
pooling and resampling count zero. This is the convention of torchvision's published model
table, so whole-network totals can be checked against it. FLOPs are reported as ``2 * MACs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from .errors import ShapeError

__all__ = [
    "adaptive_pool_window",
    "conv_macs",
    "conv_output_size",
    "conv_param_count",
    "conv_transpose_macs",
    "conv_transpose_output_size",
    "conv_transpose_param_count",
    "flops",
    "interpolate_output_size",
    "linear_macs",
    "output_padding_for",
    "output_padding_range",
    "pool_output_size",
    "same_padding",
    "unpool_output_size",
    "unused_input",
]


def conv_output_size(
    size: int, kernel_size: int, *, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Length of one spatial axis after a convolution.

    out = (size + 2*padding - dilation*(kernel_size - 1) - 1) // stride + 1

    The dilated kernel ``dilation*(kernel_size - 1) + 1`` must fit in the padded input.

    >>> conv_output_size(28, 5)
    24
    >>> conv_output_size(224, 7, stride=2, padding=3)
    112
    """
    _require_positive(kernel_size=kernel_size, stride=stride, dilation=dilation)
    _require_non_negative(padding=padding)
    padded = size + 2 * padding
    span = dilation * (kernel_size - 1) + 1
    if padded < span:
        raise ShapeError(
            f"padded input size {padded} (= {size} + 2·{padding}) is smaller than the "
            f"dilated kernel size {span} (= {dilation}·({kernel_size}−1) + 1); use a smaller "
            "kernel or dilation, more padding, or a larger input"
        )
    return _window_count(padded, span, stride)


def conv_transpose_output_size(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> int:
    """Length of one spatial axis after a transposed convolution.

    out = (size - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1

    ``output_padding`` must be smaller than ``stride`` or ``dilation``, and the result positive.

    >>> conv_transpose_output_size(126, 3)
    128
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1)
    5
    """
    _require_positive(kernel_size=kernel_size, stride=stride, dilation=dilation)
    _require_non_negative(padding=padding, output_padding=output_padding)
    if not (output_padding < stride or output_padding < dilation):
        raise ShapeError(
            f"output_padding {output_padding} must be smaller than the stride ({stride}) or "
            f"the dilation ({dilation}); use output_padding < {max(stride, dilation)}"
        )
    out = _transposed_size(size, kernel_size, stride, padding, dilation, output_padding)
    if out < 1:
        raise ShapeError(
            f"output size {out} is not positive: padding {padding} removes more than the "
            f"transposed convolution adds to input size {size}; use less padding"
        )
    return out


def output_padding_range(
    size: int, kernel_size: int, *, stride: int = 1, padding: int = 0, dilation: int = 1
) -> tuple[int, int]:
    """The output sizes a transposed convolution can reach by choosing ``output_padding``.

    low = (size - 1)*stride - 2*padding + dilation*(kernel_size - 1) + 1;  high = low + stride - 1

    This is the range PyTorch accepts for ``forward(output_size=...)``: dilation does not
    widen it.

    >>> output_padding_range(3, 3, stride=2, padding=1)
    (5, 6)
    """
    low = _transposed_size(size, kernel_size, stride, padding, dilation, 0)
    return low, low + stride - 1


def output_padding_for(
    size: int,
    target: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> int:
    """The ``output_padding`` that makes a transposed convolution produce ``target``.

    output_padding = target - ((size - 1)*stride - 2*padding + dilation*(kernel_size - 1) + 1)

    It is what ``ConvTranspose*.forward(input, output_size=...)`` picks, and exists only when
    ``target`` lies in :func:`output_padding_range`.

    >>> output_padding_for(3, 5, 3, stride=2, padding=1)
    0
    >>> output_padding_for(3, 6, 3, stride=2, padding=1)
    1
    """
    _require_positive(kernel_size=kernel_size, stride=stride, dilation=dilation)
    _require_non_negative(padding=padding)
    low, high = output_padding_range(
        size, kernel_size, stride=stride, padding=padding, dilation=dilation
    )
    if not low <= target <= high:
        reach = f"only {low}" if low == high else f"only sizes {low} to {high}"
        raise ShapeError(
            f"no output_padding reaches size {target} from input size {size}: with kernel "
            f"{kernel_size}, stride {stride}, padding {padding} and dilation {dilation} it "
            f"can reach {reach}; change the stride, padding or kernel"
        )
    if low < 1:
        raise ShapeError(
            f"target size {target} is reachable only with a non-positive base size {low}; "
            "use less padding"
        )
    return target - low


def pool_output_size(
    size: int,
    kernel_size: int,
    *,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Length of one spatial axis after max or average pooling.

    out = (size + 2*padding - dilation*(kernel_size - 1) - 1 [+ stride - 1]) // stride + 1

    (the bracketed term only in ceil mode).

    In ceil mode the last window must start inside the input or its left padding:
    if ``(out - 1)*stride >= size + padding`` one window is dropped. ``stride`` defaults to
    ``kernel_size`` and padding may be at most half the kernel.

    >>> pool_output_size(24, 2)
    12
    >>> pool_output_size(8, 3, stride=2, ceil_mode=True)
    4
    """
    if stride is None:
        stride = kernel_size
    _require_positive(kernel_size=kernel_size, stride=stride, dilation=dilation)
    _require_non_negative(padding=padding)
    if padding > kernel_size // 2:
        raise ShapeError(
            f"padding {padding} is more than half the kernel size {kernel_size}; "
            f"use padding <= {kernel_size // 2}"
        )
    span = dilation * (kernel_size - 1) + 1
    out = _pooled_size(size, kernel_size, stride, padding, dilation, ceil_mode)
    if out < 1:
        raise ShapeError(
            f"input size {size} with padding {padding} is smaller than the pooling window "
            f"{span}; use a smaller kernel or a larger input"
        )
    return out


def adaptive_pool_window(index: int, size: int, output_size: int) -> tuple[int, int]:
    """The input range ``[start, end)`` that adaptive pooling reduces into output cell ``index``.

    start = floor(index*size / output_size);  end = ceil((index + 1)*size / output_size)

    >>> [adaptive_pool_window(i, 10, 3) for i in range(3)]
    [(0, 4), (3, 7), (6, 10)]
    """
    return index * size // output_size, -(-(index + 1) * size // output_size)


def unpool_output_size(
    size: int, kernel_size: int, *, stride: int | None = None, padding: int = 0
) -> int:
    """Default length of one axis after ``MaxUnpool``.

    out = (size - 1)*stride + kernel_size - 2*padding

    >>> unpool_output_size(4, 2, stride=2)
    8
    """
    if stride is None:
        stride = kernel_size
    return (size - 1) * stride + kernel_size - 2 * padding


def interpolate_output_size(size: int, scale_factor: float) -> int:
    """Length of one axis after ``Upsample`` / ``interpolate`` with a scale factor.

    out = int(float(size) * float(scale_factor))   (IEEE double, truncated)

    Decimal intuition misleads: ``100 * 0.58`` is ``57.99...`` in binary, so the result is 57.

    >>> interpolate_output_size(5, 1.5)
    7
    >>> interpolate_output_size(100, 0.58)
    57
    """
    return int(float(size) * float(scale_factor))


def same_padding(kernel_size: int, *, dilation: int = 1) -> tuple[int, int]:
    """Left and right padding that ``padding='same'`` adds on one axis (stride 1 only).

    total = dilation*(kernel_size - 1);  left = total // 2;  right = total - left

    An odd total puts the extra element at the end (right, bottom, back), as PyTorch does.

    >>> same_padding(3)
    (1, 1)
    >>> same_padding(4)
    (1, 2)
    """
    total = dilation * (kernel_size - 1)
    return total // 2, total - total // 2


def unused_input(
    size: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_right: int | None = None,
) -> int:
    """How many trailing padded positions no window of a convolution or pool reaches.

    unused = (size + padding + padding_right - span) mod stride
    span = dilation*(kernel_size - 1) + 1

    Floor division in the output formula silently drops them.

    >>> unused_input(6, 3, stride=2)
    1
    """
    right = padding if padding_right is None else padding_right
    span = dilation * (kernel_size - 1) + 1
    return (size + padding + right - span) % stride


def conv_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: Sequence[int],
    *,
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Trainable parameters of a convolution.

    params = out_channels * (in_channels // groups) * prod(kernel_size) + (out_channels if bias)

    >>> conv_param_count(64, 32, (3, 3))
    18464
    >>> conv_param_count(64, 32, (3, 3), groups=8)
    2336
    """
    return out_channels * (in_channels // groups) * prod(kernel_size) + (
        out_channels if bias else 0
    )


def conv_transpose_param_count(
    in_channels: int,
    out_channels: int,
    kernel_size: Sequence[int],
    *,
    groups: int = 1,
    bias: bool = True,
) -> int:
    """Trainable parameters of a transposed convolution (weight dims 0 and 1 swapped).

    params = in_channels * (out_channels // groups) * prod(kernel_size) + (out_channels if bias)

    >>> conv_transpose_param_count(32, 64, (3, 3))
    18496
    """
    return in_channels * (out_channels // groups) * prod(kernel_size) + (
        out_channels if bias else 0
    )


def conv_macs(
    batch: int,
    in_channels: int,
    output_shape: Sequence[int],
    kernel_size: Sequence[int],
    *,
    groups: int = 1,
) -> int:
    """Multiply-accumulates of a convolution; ``output_shape`` is ``(C_out, *spatial)``.

    macs = batch * C_out * prod(out_spatial) * (in_channels // groups) * prod(kernel_size)

    >>> conv_macs(1, 1, (20, 24, 24), (5, 5))
    288000
    """
    return batch * prod(output_shape) * (in_channels // groups) * prod(kernel_size)


def conv_transpose_macs(
    batch: int,
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: Sequence[int],
    *,
    groups: int = 1,
) -> int:
    """Multiply-accumulates of a transposed convolution, over input positions.

    macs = batch * C_in * prod(in_spatial) * (out_channels // groups) * prod(kernel_size)

    ``input_shape`` is ``(C_in, *spatial)``.

    >>> conv_transpose_macs(1, (2, 3, 3), 1, (3, 3))
    162
    """
    return batch * prod(input_shape) * (out_channels // groups) * prod(kernel_size)


def linear_macs(input_shape: Sequence[int], out_features: int) -> int:
    """Multiply-accumulates of ``Linear``: every leading position times ``in * out``.

    macs = prod(input_shape) * out_features

    >>> linear_macs((1, 800), 500)
    400000
    """
    return prod(input_shape) * out_features


def flops(macs: int) -> int:
    """Floating-point operations counted as two per multiply-accumulate.

    >>> flops(18464)
    36928
    """
    return 2 * macs


# The formulas themselves, unchecked: the public functions above and the layer classes,
# which check every axis together to word their errors, share them.


def _window_count(padded: int, span: int, stride: int) -> int:
    """Positions of a window ``span`` long, moved by ``stride`` over ``padded`` elements."""
    return (padded - span) // stride + 1


def _transposed_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int, output_padding: int
) -> int:
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _pooled_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> int:
    """Pooling windows on one axis; in ceil mode the last must start inside the input or
    the left padding."""
    span = dilation * (kernel - 1) + 1
    out = _window_count(size + 2 * padding + (stride - 1 if ceil_mode else 0), span, stride)
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _require_positive(**values: int) -> None:
    for name, value in values.items():
        if value < 1:
            raise ShapeError(f"{name} must be a positive integer, got {value}")


def _require_non_negative(**values: int) -> None:
    for name, value in values.items():
        if value < 0:
            raise ShapeError(f"{name} must be zero or more, got {value}")
