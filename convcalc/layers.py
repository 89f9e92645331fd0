"""One frozen record class per ``torch.nn`` layer, named and called exactly like PyTorch's.

``Conv2d(64, 32, 3, groups=8)`` means what it means in PyTorch: the same class names, the
same positional order, keywords and defaults. Each layer answers, as PyTorch would see it:

* ``output_shape(input_shape)``: the output tensor's shape, or :class:`ShapeError` where
  PyTorch's ``forward`` would fail;
* ``param_count``: trainable parameters (``sum(p.numel() for p in m.parameters())``), with
  ``parameter_shapes``, ``weight_shape`` and ``bias_shape`` (``None`` where absent);
* ``buffer_shapes``: registered buffers (running statistics of norm layers);
* ``macs(input_shape)``: multiply-accumulates, under the convention stated in
  :mod:`convcalc.arithmetic`.

A ``Shape`` is ``tuple[int, ...]`` exactly as PyTorch sees the tensor: batched ``(N, C, H, W)``
or unbatched ``(C, H, W)`` where PyTorch accepts both. The output keeps the batchedness of the
input. Configurations PyTorch rejects in ``__init__`` raise :class:`ShapeError` at
construction; those it rejects in ``forward`` raise it from ``output_shape``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from enum import StrEnum
from math import prod
from typing import Any, ClassVar

from ._record import Record, field, record_fields
from .arithmetic import (
    conv_macs,
    conv_transpose_macs,
    linear_macs,
    same_padding,
)
from .errors import ShapeError

Shape = tuple[int, ...]
IntOrTuple = int | tuple[int, ...]

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "SELU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AlphaDropout",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "FeatureAlphaDropout",
    "Flatten",
    "Fold",
    "GroupNorm",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Identity",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "Layer",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "LogSigmoid",
    "LogSoftmax",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "Mish",
    "PReLU",
    "PaddingMode",
    "PixelShuffle",
    "PixelUnshuffle",
    "RMSNorm",
    "ReLU",
    "ReLU6",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "Shape",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanh",
    "Tanhshrink",
    "Unflatten",
    "Unfold",
    "Upsample",
    "UpsampleMode",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


class PaddingMode(StrEnum):
    """How a convolution pads its input (``padding_mode``)."""

    ZEROS = "zeros"
    REFLECT = "reflect"
    REPLICATE = "replicate"
    CIRCULAR = "circular"


class UpsampleMode(StrEnum):
    """Interpolation algorithms of ``Upsample`` (``mode``)."""

    NEAREST = "nearest"
    LINEAR = "linear"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    TRILINEAR = "trilinear"
    AREA = "area"
    NEAREST_EXACT = "nearest-exact"
    LANCZOS = "lanczos"


_DIMS = ("D", "H", "W")


# --------------------------------------------------------------------------------------------
# helpers


def dims_text(values: Iterable[int]) -> str:
    """``(4, 4)`` -> ``'4x4'``: how sizes read in messages and on the command line."""
    return "x".join(str(v) for v in values) or "()"


def _axis_names(nd: int) -> tuple[str, ...]:
    return _DIMS[3 - nd :] if nd <= 3 else tuple(f"dim{i}" for i in range(nd))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_or_tuple(value: object, name: str, owner: str) -> IntOrTuple:
    """Keep an int as it is and turn any sequence of ints into a tuple (hashable, frozen)."""
    if _is_int(value):
        return value  # type: ignore[return-value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = tuple(value)
        if all(_is_int(v) for v in items):
            return items
    raise ShapeError(f"{owner}: {name} must be an integer or a tuple of integers, got {value!r}")


def _ntuple(value: IntOrTuple, n: int) -> tuple[int, ...]:
    """PyTorch's ``_ntuple``: an int is repeated ``n`` times, a tuple is kept as it is."""
    return (value,) * n if isinstance(value, int) else tuple(value)


def _expand(values: tuple[int, ...], nd: int, name: str, owner: str) -> tuple[int, ...]:
    """A length-1 tuple broadcasts to ``nd`` values, as PyTorch's C++ ops accept."""
    if len(values) == nd:
        return values
    if len(values) == 1:
        return values * nd
    raise ShapeError(
        f"{owner}: {name} has {len(values)} values {values}, but a {nd}-d layer needs 1 or {nd}"
    )


def _exactly(values: tuple[int, ...], nd: int, name: str, owner: str) -> tuple[int, ...]:
    if len(values) != nd:
        raise ShapeError(
            f"{owner}: {name} has {len(values)} values {values}, but a {nd}-d layer needs {nd}"
        )
    return values


def _as_shape(shape: Iterable[int], owner: str) -> Shape:
    try:
        result = tuple(shape)
    except TypeError:
        raise ShapeError(f"{owner}: input shape must be a sequence of integers, got {shape!r}")
    for size in result:
        if not _is_int(size):
            raise ShapeError(f"{owner}: input shape {result} must hold integers, got {size!r}")
        if size < 0:
            raise ShapeError(f"{owner}: input shape {dims_text(result)} has a negative size")
    return result


def _check_rank(shape: Shape, ranks: Sequence[int], owner: str, what: str) -> None:
    if len(shape) not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise ShapeError(
            f"{owner}: expected a {expected}-d input ({what}), got {len(shape)}-d input "
            f"{dims_text(shape)}"
        )


def _split(shape: Shape, nd: int, owner: str) -> tuple[int | None, int, Shape]:
    """Split a ``(N, C, *spatial)`` or ``(C, *spatial)`` shape; ``N`` is None if unbatched."""
    _check_rank(shape, (nd + 1, nd + 2), owner, _layout(nd))
    if len(shape) == nd + 2:
        return shape[0], shape[1], shape[2:]
    return None, shape[0], shape[1:]


def _layout(nd: int) -> str:
    spatial = ", ".join(_axis_names(nd))
    return f"(N, C, {spatial}) or (C, {spatial})"


def _join(batch: int | None, rest: Iterable[int]) -> Shape:
    return ((batch,) if batch is not None else ()) + tuple(rest)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ShapeError(message)


def _non_batch_nonzero(shape: Shape, batched: bool, owner: str) -> None:
    rest = shape[1:] if batched else shape
    if 0 in rest:
        raise ShapeError(
            f"{owner}: input {dims_text(shape)} has an empty dimension; only the batch "
            "dimension may be 0"
        )


# --------------------------------------------------------------------------------------------
# the base class


class Layer(Record):
    """What every layer answers. Subclasses are frozen records with PyTorch's fields."""

    @property
    def _name(self) -> str:
        return type(self).__name__

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        """The shape ``forward`` returns for an input of ``input_shape``."""
        raise NotImplementedError

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        """Shapes of the trainable parameters, by PyTorch's attribute names."""
        return {}

    @property
    def buffer_shapes(self) -> dict[str, Shape]:
        """Shapes of the registered buffers (running statistics)."""
        return {}

    @property
    def weight_shape(self) -> Shape | None:
        return self.parameter_shapes.get("weight")

    @property
    def bias_shape(self) -> Shape | None:
        return self.parameter_shapes.get("bias")

    @property
    def param_count(self) -> int:
        """``sum(p.numel() for p in module.parameters())``."""
        return sum(prod(shape) for shape in self.parameter_shapes.values())

    @property
    def buffer_count(self) -> int:
        return sum(prod(shape) for shape in self.buffer_shapes.values())

    def macs(self, input_shape: Iterable[int]) -> int:
        """Multiply-accumulates for one forward pass (0 where the convention counts none)."""
        self.output_shape(input_shape)
        return 0

    def _check_tensors(self) -> None:
        """PyTorch allocates parameters in ``__init__``: a negative size fails there."""
        for name, shape in {**self.parameter_shapes, **self.buffer_shapes}.items():
            if any(size < 0 for size in shape):
                raise ShapeError(
                    f"{self._name}: {name} would have shape {shape} with a negative size; "
                    "channel, feature and kernel sizes must be zero or more"
                )


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _normalise_int_fields(layer: Layer, *names: str) -> None:
    for name in names:
        value = getattr(layer, name)
        if value is not None:
            _set(layer, name, _int_or_tuple(value, name, layer._name))


def _require_int(layer: Layer, *names: str) -> None:
    for name in names:
        value = getattr(layer, name)
        if not _is_int(value):
            raise ShapeError(f"{layer._name}: {name} must be an integer, got {value!r}")


# --------------------------------------------------------------------------------------------
# F.pad


def pad_shape(shape: Shape, pad: Sequence[int], mode: str, owner: str) -> Shape:
    """The shape ``torch.nn.functional.pad(x, pad, mode)`` returns.

    ``pad`` holds (before, after) pairs from the last dimension backwards. Negative values
    crop. ``reflect`` needs each pad smaller than its dimension, ``circular`` at most equal.
    """
    if len(pad) % 2:
        raise ShapeError(f"{owner}: padding {tuple(pad)} must have an even number of values")
    pairs = len(pad) // 2
    if pairs > len(shape):
        raise ShapeError(
            f"{owner}: padding {tuple(pad)} pads {pairs} dimensions, but the input "
            f"{dims_text(shape)} has only {len(shape)}"
        )
    out = list(shape)
    if mode != "constant":
        if not 1 <= pairs <= 3:
            raise ShapeError(f"{owner}: {mode} padding takes 1 to 3 (before, after) pairs, got "
                             f"{tuple(pad)}")
        _check_rank(shape, (pairs + 1, pairs + 2), owner, f"{mode} padding of {pairs} dims")
    if mode in ("reflect", "replicate"):
        _non_batch_nonzero(shape, len(shape) == pairs + 2, owner)
    for i in range(pairs):
        axis = len(shape) - 1 - i
        size = shape[axis]
        before, after = pad[2 * i], pad[2 * i + 1]
        if mode == "constant":
            if size + min(before, 0) + min(after, 0) < 0:
                raise ShapeError(
                    f"{owner}: cropping ({before}, {after}) removes more than the {size} "
                    f"elements of dimension {axis}"
                )
        elif mode == "reflect" and (before >= size or after >= size):
            raise ShapeError(
                f"{owner}: reflect padding ({before}, {after}) must be smaller than the "
                f"input size {size} of dimension {axis}; use padding < {size}, or "
                "padding_mode 'replicate'"
            )
        elif mode == "circular" and (before > size or after > size):
            raise ShapeError(
                f"{owner}: circular padding ({before}, {after}) wraps around dimension "
                f"{axis} of size {size} more than once; use padding <= {size}"
            )
        new = size + before + after
        if new < 0:
            raise ShapeError(
                f"{owner}: padding ({before}, {after}) leaves dimension {axis} of size "
                f"{size} with {new} elements"
            )
        out[axis] = new
    padded = out[len(out) - pairs :]
    if mode in ("reflect", "replicate") and not any(size >= 1 for size in padded):
        # The reflection and replication kernels need at least one padded axis non-empty.
        raise ShapeError(f"{owner}: padding {tuple(pad)} leaves input {dims_text(shape)} "
                         f"with no elements ({dims_text(out)})")
    if mode == "circular":
        _check_circular_copies(shape, tuple(out), pad, owner)
    return tuple(out)


def _check_circular_copies(shape: Shape, out: Shape, pad: Sequence[int], owner: str) -> None:
    """Circular padding copies the wrapped edges within the output tensor. When cropping on
    one side and padding on the other makes such a copy read the very elements it writes,
    PyTorch refuses it, but only where both slices are contiguous memory: nothing precedes
    the axis but size-1 dimensions."""
    if prod(out) == 0:
        return
    for i in range(len(pad) // 2):
        axis = len(shape) - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        size = out[axis]
        if prod(out[:axis]) != 1:
            continue
        copies = []
        if before > 0:
            copies.append((before, 0, size - before - max(after, 0)))
        if after > 0:
            copies.append((after, size - after, max(before, 0)))
        for length, dest, src in copies:
            if 0 < abs(dest - src) < length:
                raise ShapeError(
                    f"{owner}: circular padding ({before}, {after}) of dimension {axis} "
                    f"would wrap onto itself after cropping {shape[axis]} elements; "
                    "crop and pad less"
                )


# --------------------------------------------------------------------------------------------
# convolutions


class _ConvNd(Layer):
    in_channels: int
    out_channels: int
    kernel_size: IntOrTuple
    stride: IntOrTuple = 1
    padding: IntOrTuple | str = 0
    dilation: IntOrTuple = 1
    groups: int = 1
    bias: bool = True
    padding_mode: str = "zeros"

    _nd: ClassVar[int] = 0

    def __post_init__(self) -> None:
        name = self._name
        _require_int(self, "in_channels", "out_channels", "groups")
        for attr in ("kernel_size", "stride", "dilation"):
            _set(self, attr, _ntuple(_int_or_tuple(getattr(self, attr), attr, name), self._nd))
        if not isinstance(self.padding, str):
            _set(self, "padding", _ntuple(_int_or_tuple(self.padding, "padding", name),
                                          self._nd))
        _check_groups(self)
        if isinstance(self.padding, str):
            if self.padding not in ("same", "valid"):
                raise ShapeError(
                    f"{name}: padding {self.padding!r} is not a size; use an integer, a "
                    "tuple, 'same' or 'valid'"
                )
            if self.padding == "same" and any(s != 1 for s in self.stride):  # type: ignore[union-attr]
                raise ShapeError(
                    f"{name}: padding='same' needs stride 1, got stride "
                    f"{dims_text(self.stride)}; give the padding as a number instead"  # type: ignore[arg-type]
                )
        if self.padding_mode not in PaddingMode.__members__.values():
            raise ShapeError(
                f"{name}: padding_mode {self.padding_mode!r} is not one of "
                "'zeros', 'reflect', 'replicate', 'circular'"
            )
        _set(self, "padding_mode", str(PaddingMode(self.padding_mode)))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        k: tuple[int, ...] = self.kernel_size  # type: ignore[assignment]
        shapes = {"weight": (self.out_channels, self.in_channels // self.groups, *k)}
        if self.bias:
            shapes["bias"] = (self.out_channels,)
        return shapes

    def explicit_padding(self) -> tuple[tuple[int, int], ...]:
        """(before, after) padding per spatial axis, with ``'same'`` and ``'valid'`` resolved."""
        k: tuple[int, ...] = self.kernel_size  # type: ignore[assignment]
        d: tuple[int, ...] = self.dilation  # type: ignore[assignment]
        if self.padding == "valid":
            return ((0, 0),) * len(k)
        if self.padding == "same":
            # As PyTorch's module does: axes without their own dilation get no padding.
            return tuple(same_padding(kk, dilation=d[i]) if i < len(d) else (0, 0)
                         for i, kk in enumerate(k))
        p: tuple[int, ...] = self.padding  # type: ignore[assignment]
        return tuple((pp, pp) for pp in p)

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        pads: tuple[tuple[int, int], ...] | None = None
        if self.padding_mode != PaddingMode.ZEROS:
            # PyTorch pads with F.pad first (pairs from the last axis backwards), then convolves
            # with padding 0: the pad mode's own limits apply to the raw input.
            reversed_pad: list[int] = []
            for before, after in reversed(self.explicit_padding()):
                reversed_pad += [before, after]
            shape = pad_shape(shape, reversed_pad, str(self.padding_mode), name)
            pads = ((0, 0),) * nd
        batch, channels, spatial = _split(shape, nd, name)
        kernel = _exactly(self.kernel_size, nd, "kernel_size", name)  # type: ignore[arg-type]
        stride = _expand(self.stride, nd, "stride", name)  # type: ignore[arg-type]
        dilation = _expand(self.dilation, nd, "dilation", name)  # type: ignore[arg-type]
        if pads is None:
            if self.padding == "same":
                pads = tuple(same_padding(k, dilation=d)
                             for k, d in zip(kernel, dilation, strict=True))
            elif self.padding == "valid":
                pads = ((0, 0),) * nd
            else:
                pads = tuple((p, p) for p in _expand(self.padding, nd, "padding", name))
        _require(all(b >= 0 for b, _ in pads),
                 f"{name}: padding {self.padding} is negative; use 0 or more")
        _require(all(s > 0 for s in stride),
                 f"{name}: stride {dims_text(stride)} must be positive")
        _require(all(d >= 0 for d in dilation),
                 f"{name}: dilation {dims_text(dilation)} must be positive")
        _require(self.out_channels > 0, f"{name}: out_channels must be positive, got 0")
        _check_channels(name, shape, channels, self.in_channels, batch is None)
        padded = tuple(s + b + a for s, (b, a) in zip(spatial, pads, strict=True))
        span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        if any(p < e for p, e in zip(padded, span, strict=True)):
            raise ShapeError(
                f"{name}: input {dims_text(spatial)} padded to {dims_text(padded)} is smaller "
                f"than the dilated kernel {dims_text(span)}; use a smaller kernel or "
                "dilation, more padding, or a larger input"
            )
        _require(0 not in spatial, f"{name}: input {dims_text(shape)} has an empty spatial "
                 "dimension")
        _require(all(d > 0 for d in dilation),
                 f"{name}: dilation {dims_text(dilation)} must be positive")
        _require(all(k > 0 for k in kernel),
                 f"{name}: kernel_size {dims_text(kernel)} must be positive")
        out = tuple((p - e) // s + 1 for p, e, s in zip(padded, span, stride, strict=True))
        # PyTorch quirk: a zero-channel input to a zero-in_channels conv gives zero channels.
        out_channels = 0 if channels == 0 else self.out_channels
        return _join(batch, (out_channels, *out))

    def macs(self, input_shape: Iterable[int]) -> int:
        out = self.output_shape(input_shape)
        batched = len(out) == self._nd + 2
        return conv_macs(out[0] if batched else 1, self.in_channels, out[1:] if batched else out,
                         self.kernel_size, groups=self.groups)  # type: ignore[arg-type]


def _check_groups(layer: _ConvNd | _ConvTransposeNd) -> None:
    name = layer._name
    if layer.groups <= 0:
        raise ShapeError(f"{name}: groups must be a positive integer, got {layer.groups}")
    for attr in ("in_channels", "out_channels"):
        value = getattr(layer, attr)
        if value % layer.groups:
            raise ShapeError(
                f"{name}: {attr} {value} is not divisible by groups {layer.groups}; "
                f"use groups that divide both {layer.in_channels} and {layer.out_channels}"
            )


def _check_channels(name: str, shape: Shape, channels: int, expected: int,
                    unbatched: bool) -> None:
    if channels != expected:
        where = "first" if unbatched else "second"
        raise ShapeError(
            f"{name}: input {dims_text(shape)} has {channels} channels ({where} dimension), "
            f"but in_channels is {expected}"
        )


class Conv1d(_ConvNd):
    """``torch.nn.Conv1d``: input ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1


class Conv2d(_ConvNd):
    """``torch.nn.Conv2d``: input ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> Conv2d(64, 32, 3).output_shape((8, 64, 128, 128))
    (8, 32, 126, 126)
    >>> Conv2d(64, 32, 3, groups=8).weight_shape
    (32, 8, 3, 3)
    """

    _nd = 2


class Conv3d(_ConvNd):
    """``torch.nn.Conv3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


class _ConvTransposeNd(Layer):
    in_channels: int
    out_channels: int
    kernel_size: IntOrTuple
    stride: IntOrTuple = 1
    padding: IntOrTuple = 0
    output_padding: IntOrTuple = 0
    groups: int = 1
    bias: bool = True
    dilation: IntOrTuple = 1
    padding_mode: str = "zeros"

    _nd: ClassVar[int] = 0

    def __post_init__(self) -> None:
        name = self._name
        if self.padding_mode != "zeros":
            raise ShapeError(
                f"{name}: padding_mode {self.padding_mode!r} is not supported; transposed "
                "convolutions only pad with 'zeros'"
            )
        _require_int(self, "in_channels", "out_channels", "groups")
        for attr in ("kernel_size", "stride", "output_padding", "dilation"):
            _set(self, attr, _ntuple(_int_or_tuple(getattr(self, attr), attr, name), self._nd))
        if not isinstance(self.padding, str):
            _set(self, "padding", _ntuple(_int_or_tuple(self.padding, "padding", name),
                                          self._nd))
        _check_groups(self)
        _set(self, "padding_mode", str(PaddingMode.ZEROS))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        k: tuple[int, ...] = self.kernel_size  # type: ignore[assignment]
        shapes = {"weight": (self.in_channels, self.out_channels // self.groups, *k)}
        if self.bias:
            shapes["bias"] = (self.out_channels,)
        return shapes

    def output_padding_for(self, input_shape: Iterable[int],
                           output_size: Sequence[int]) -> tuple[int, ...]:
        """The ``output_padding`` that ``forward(input, output_size=...)`` chooses.

        Raises :class:`ShapeError` when ``output_size`` is out of reach, with the range.
        """
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        if isinstance(self.padding, str):
            raise ShapeError(f"{name}: padding {self.padding!r} is not supported; transposed "
                             "convolutions need numeric padding")
        batch, _, spatial = _split(shape, nd, name)
        target = tuple(output_size)
        if len(target) == nd + (2 if batch is not None else 1):
            target = target[len(target) - nd :]
        if len(target) != nd:
            raise ShapeError(
                f"{name}: output_size {tuple(output_size)} must have {nd} values (or "
                f"{nd + (2 if batch is not None else 1)} with the leading dimensions)"
            )
        stride, padding, kernel, dilation = (
            _at_least(getattr(self, attr), nd, attr, name)
            for attr in ("stride", "padding", "kernel_size", "dilation")
        )
        low = tuple((size - 1) * s - 2 * p + d * (k - 1) + 1
                    for size, s, p, k, d in zip(spatial, stride, padding, kernel, dilation,
                                                strict=False))
        high = tuple(lo + s - 1 for lo, s in zip(low, stride, strict=False))
        if any(not lo <= t <= hi for t, lo, hi in zip(target, low, high, strict=True)):
            raise ShapeError(
                f"{name}: no output_padding reaches output size {dims_text(target)} from input "
                f"{dims_text(spatial)}: reachable sizes range from {dims_text(low)} to "
                f"{dims_text(high)}; change the stride, padding or kernel size"
            )
        return tuple(t - lo for t, lo in zip(target, low, strict=True))

    def output_shape(self, input_shape: Iterable[int],
                     output_size: Sequence[int] | None = None) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        if isinstance(self.padding, str):
            raise ShapeError(f"{name}: padding {self.padding!r} is not supported; transposed "
                             "convolutions need numeric padding")
        if output_size is not None:
            output_padding = self.output_padding_for(shape, output_size)
        else:
            output_padding = self.output_padding  # type: ignore[assignment]
        batch, channels, spatial = _split(shape, nd, name)
        kernel = _exactly(self.kernel_size, nd, "kernel_size", name)  # type: ignore[arg-type]
        stride = _expand(self.stride, nd, "stride", name)  # type: ignore[arg-type]
        padding = _expand(self.padding, nd, "padding", name)  # type: ignore[arg-type]
        dilation = _expand(self.dilation, nd, "dilation", name)  # type: ignore[arg-type]
        output_padding = _expand(output_padding, nd, "output_padding", name)
        _require(all(p >= 0 for p in padding),
                 f"{name}: padding {dims_text(padding)} is negative; use 0 or more")
        _require(all(p >= 0 for p in output_padding),
                 f"{name}: output_padding {dims_text(output_padding)} is negative; use 0 or more")
        _require(all(s > 0 for s in stride),
                 f"{name}: stride {dims_text(stride)} must be positive")
        _require(all(d > 0 for d in dilation),
                 f"{name}: dilation {dims_text(dilation)} must be positive")
        _require(self.in_channels > 0, f"{name}: in_channels must be positive, got 0")
        _check_channels(name, shape, channels, self.in_channels, batch is None)
        _require(0 not in spatial, f"{name}: input {dims_text(shape)} has an empty spatial "
                 "dimension")
        for op, s, d in zip(output_padding, stride, dilation, strict=True):
            if not (op < s or op < d):
                raise ShapeError(
                    f"{name}: output_padding {dims_text(output_padding)} must be smaller than "
                    f"the stride {dims_text(stride)} or the dilation {dims_text(dilation)} on "
                    f"every axis; use output_padding < {max(s, d)}"
                )
        _require(all(k > 0 for k in kernel),
                 f"{name}: kernel_size {dims_text(kernel)} must be positive")
        out = tuple(
            (size - 1) * s - 2 * p + d * (k - 1) + op + 1
            for size, s, p, d, k, op in zip(spatial, stride, padding, dilation, kernel,
                                            output_padding, strict=True)
        )
        if any(o < 1 for o in out):
            raise ShapeError(
                f"{name}: output {dims_text(out)} from input {dims_text(spatial)} is too small: "
                f"padding {dims_text(padding)} removes more than the layer adds; use less "
                "padding"
            )
        return _join(batch, (self.out_channels, *out))

    def macs(self, input_shape: Iterable[int], output_size: Sequence[int] | None = None) -> int:
        shape = _as_shape(input_shape, self._name)
        self.output_shape(shape, output_size)
        batched = len(shape) == self._nd + 2
        return conv_transpose_macs(shape[0] if batched else 1, shape[1:] if batched else shape,
                                   self.out_channels, self.kernel_size,  # type: ignore[arg-type]
                                   groups=self.groups)


def _at_least(values: tuple[int, ...], nd: int, name: str, owner: str) -> tuple[int, ...]:
    if len(values) < nd:
        raise ShapeError(
            f"{owner}: {name} has {len(values)} values {values}, but a {nd}-d layer needs {nd}"
        )
    return values


class ConvTranspose1d(_ConvTransposeNd):
    """``torch.nn.ConvTranspose1d``: input ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1


class ConvTranspose2d(_ConvTransposeNd):
    """``torch.nn.ConvTranspose2d``: input ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> ConvTranspose2d(32, 64, 3).output_shape((8, 32, 126, 126))
    (8, 64, 128, 128)
    """

    _nd = 2


class ConvTranspose3d(_ConvTransposeNd):
    """``torch.nn.ConvTranspose3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


# --------------------------------------------------------------------------------------------
# pooling


def _pool_spatial(
    name: str,
    spatial: Shape,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil_mode: bool,
) -> Shape:
    """Output sizes of max/avg pooling, with PyTorch's checks (kernel, stride, pad, output)."""
    _require(all(k > 0 for k in kernel), f"{name}: kernel_size {dims_text(kernel)} must be "
             "positive")
    _require(all(s > 0 for s in stride), f"{name}: stride {dims_text(stride)} must be positive")
    _require(all(d > 0 for d in dilation),
             f"{name}: dilation {dims_text(dilation)} must be positive")
    _require(all(p >= 0 for p in padding),
             f"{name}: padding {dims_text(padding)} is negative; use 0 or more")
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        half = dims_text(k // 2 for k in kernel)
        raise ShapeError(
            f"{name}: padding {dims_text(padding)} is more than half the kernel size "
            f"{dims_text(kernel)}; use padding <= {half}"
        )
    out = []
    for size, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True):
        span = d * (k - 1) + 1
        o = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
        if ceil_mode and (o - 1) * s >= size + p:
            o -= 1
        out.append(o)
    if any(o < 1 for o in out):
        raise ShapeError(
            f"{name}: input {dims_text(spatial)} is too small for kernel {dims_text(kernel)}"
            f" (padding {dims_text(padding)}, dilation {dims_text(dilation)}): the output "
            f"would be {dims_text(out)}; use a smaller kernel or a larger input"
        )
    return tuple(out)


class _MaxPoolNd(Layer):
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0
    dilation: IntOrTuple = 1
    return_indices: bool = False
    ceil_mode: bool = False

    _nd: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if self.stride is None:
            _set(self, "stride", self.kernel_size)
        _normalise_int_fields(self, "kernel_size", "stride", "padding", "dilation")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        fit = _exactly if nd == 1 else _expand
        kernel, stride, padding, dilation = (
            fit(_ntuple(getattr(self, attr), 1), nd, attr, name)
            for attr in ("kernel_size", "stride", "padding", "dilation")
        )
        batch, channels, spatial = _split(shape, nd, name)
        _non_batch_nonzero(shape, batch is not None, name)
        out = _pool_spatial(name, spatial, kernel, stride, padding, dilation, self.ceil_mode)
        return _join(batch, (channels, *out))


class MaxPool1d(_MaxPoolNd):
    """``torch.nn.MaxPool1d``: input ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1


class MaxPool2d(_MaxPoolNd):
    """``torch.nn.MaxPool2d``: input ``(N, C, H, W)`` or ``(C, H, W)``.

    >>> MaxPool2d(3, stride=2, ceil_mode=True).output_shape((1, 1, 7, 8))
    (1, 1, 3, 4)
    """

    _nd = 2


class MaxPool3d(_MaxPoolNd):
    """``torch.nn.MaxPool3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


class _AvgPoolNd(Layer):
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None

    _nd: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if self.stride is None:
            _set(self, "stride", self.kernel_size)
        _normalise_int_fields(self, "kernel_size", "stride", "padding")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        fit = _exactly if nd == 1 else _expand
        kernel, stride, padding = (
            fit(_ntuple(getattr(self, attr), 1), nd, attr, name)
            for attr in ("kernel_size", "stride", "padding")
        )
        _require(self.divisor_override != 0, f"{name}: divisor_override must not be 0")
        batch, channels, spatial = _split(shape, nd, name)
        _non_batch_nonzero(shape, batch is not None, name)
        if nd == 3:
            _kernel_within_input(name, spatial, kernel)
        out = _pool_spatial(name, spatial, kernel, stride, padding, (1,) * nd, self.ceil_mode)
        return _join(batch, (channels, *out))


def _kernel_within_input(name: str, spatial: Shape, kernel: tuple[int, ...]) -> None:
    # avg_pool3d checks the unpadded input against the kernel; padding does not help.
    if any(size < k for size, k in zip(spatial, kernel, strict=True)):
        raise ShapeError(
            f"{name}: input {dims_text(spatial)} is smaller than the kernel "
            f"{dims_text(kernel)} (3-d average pooling ignores padding here); use a smaller "
            "kernel"
        )


class AvgPool1d(Layer):
    """``torch.nn.AvgPool1d``: input ``(N, C, L)`` or ``(C, L)`` (no ``divisor_override``)."""

    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self) -> None:
        if self.stride is None:
            _set(self, "stride", self.kernel_size)
        _normalise_int_fields(self, "kernel_size", "stride", "padding")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        kernel, stride, padding = (
            _exactly(_ntuple(getattr(self, attr), 1), 1, attr, name)
            for attr in ("kernel_size", "stride", "padding")
        )
        batch, channels, spatial = _split(shape, 1, name)
        _non_batch_nonzero(shape, batch is not None, name)
        out = _pool_spatial(name, spatial, kernel, stride, padding, (1,), self.ceil_mode)
        return _join(batch, (channels, *out))


class AvgPool2d(_AvgPoolNd):
    """``torch.nn.AvgPool2d``: input ``(N, C, H, W)`` or ``(C, H, W)``."""

    _nd = 2


class AvgPool3d(_AvgPoolNd):
    """``torch.nn.AvgPool3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


class _LPPoolNd(Layer):
    norm_type: float
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    ceil_mode: bool = False

    _nd: ClassVar[int] = 0

    def __post_init__(self) -> None:
        _normalise_int_fields(self, "kernel_size", "stride")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        # avg_pool with padding 0 (max_pool when norm_type is inf), then a scale by the
        # kernel area, which needs exactly nd kernel sizes.
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        if nd == 1 and not math.isinf(self.norm_type):
            _require(isinstance(self.kernel_size, int),
                     f"{name}: kernel_size must be a single integer, got {self.kernel_size}")
        kernel = _exactly(_ntuple(self.kernel_size, nd), nd, "kernel_size", name)
        fit = _exactly if nd == 1 else _expand
        stride = fit(_ntuple(self.kernel_size if self.stride is None else self.stride, 1), nd,
                     "stride", name)
        batch, channels, spatial = _split(shape, nd, name)
        _non_batch_nonzero(shape, batch is not None, name)
        if nd == 3 and not math.isinf(self.norm_type):
            _kernel_within_input(name, spatial, kernel)
        out = _pool_spatial(name, spatial, kernel, stride, (0,) * nd, (1,) * nd,
                            self.ceil_mode)
        return _join(batch, (channels, *out))


class LPPool1d(_LPPoolNd):
    """``torch.nn.LPPool1d(norm_type, kernel_size, stride=None, ceil_mode=False)``."""

    _nd = 1


class LPPool2d(_LPPoolNd):
    """``torch.nn.LPPool2d(norm_type, kernel_size, stride=None, ceil_mode=False)``."""

    _nd = 2


class LPPool3d(_LPPoolNd):
    """``torch.nn.LPPool3d(norm_type, kernel_size, stride=None, ceil_mode=False)``."""

    _nd = 3


class _AdaptivePoolNd(Layer):
    output_size: int | None | tuple[int | None, ...]

    _nd: ClassVar[int] = 0
    _max: ClassVar[bool] = False

    def __post_init__(self) -> None:
        value = self.output_size
        if isinstance(value, Sequence) and not isinstance(value, str):
            _set(self, "output_size", tuple(value))
        elif value is not None and not _is_int(value):
            raise ShapeError(f"{self._name}: output_size must be an integer or a tuple of "
                             f"integers, got {value!r}")

    def target_size(self, spatial: Shape) -> Shape:
        name, nd = self._name, self._nd
        size = self.output_size
        if size is None or isinstance(size, int):
            if size is None:
                raise ShapeError(f"{name}: output_size None keeps nothing; give sizes")
            return (size,) * nd
        if len(size) != nd:
            raise ShapeError(f"{name}: output_size {size} must have {nd} values")
        return tuple(s if s is not None else i for s, i in zip(size, spatial, strict=True))

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        if isinstance(self.output_size, tuple) and len(shape) <= len(self.output_size):
            raise ShapeError(
                f"{name}: input {dims_text(shape)} needs at least {len(self.output_size) + 1} "
                "dimensions"
            )
        if not self._max and nd > 1 and len(shape) >= nd:
            spatial = shape[len(shape) - nd :]
            if self.target_size(spatial) == (1,) * nd:
                # An all-ones average is a mean over the last axes: any leading dimensions,
                # empty ones included, pass through.
                return (*shape[: len(shape) - nd], *(1,) * nd)
        batch, channels, spatial = _split(shape, nd, name)
        if not self._max and nd == 1 and self.target_size(spatial) == (1,):
            return _join(batch, (channels, 1))
        if self._max or nd == 3:
            rest = shape[1:]
            if 0 in rest:
                raise ShapeError(f"{name}: input {dims_text(shape)} has an empty dimension; "
                                 "only the first (batch) dimension may be 0")
        _require(0 not in spatial, f"{name}: input {dims_text(shape)} has an empty spatial "
                 "dimension")
        out = self.target_size(spatial)
        if any(o is None or not _is_int(o) for o in out):
            raise ShapeError(f"{name}: output_size {self.output_size} must hold integers")
        _require(all(o >= 0 for o in out),
                 f"{name}: output_size {dims_text(out)} must not be negative")
        return _join(batch, (channels, *out))


class AdaptiveAvgPool1d(_AdaptivePoolNd):
    """``torch.nn.AdaptiveAvgPool1d(output_size)``."""

    _nd = 1


class AdaptiveAvgPool2d(_AdaptivePoolNd):
    """``torch.nn.AdaptiveAvgPool2d(output_size)``; a ``None`` entry keeps the input size."""

    _nd = 2


class AdaptiveAvgPool3d(_AdaptivePoolNd):
    """``torch.nn.AdaptiveAvgPool3d(output_size)``; a ``None`` entry keeps the input size."""

    _nd = 3


class _AdaptiveMaxPoolNd(_AdaptivePoolNd):
    return_indices: bool = False

    _max = True


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """``torch.nn.AdaptiveMaxPool1d(output_size, return_indices=False)``."""

    _nd = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """``torch.nn.AdaptiveMaxPool2d(output_size, return_indices=False)``."""

    _nd = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """``torch.nn.AdaptiveMaxPool3d(output_size, return_indices=False)``."""

    _nd = 3


class _MaxUnpoolNd(Layer):
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0

    _nd: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if self.stride is None:
            _set(self, "stride", self.kernel_size)
        _normalise_int_fields(self, "kernel_size", "stride", "padding")

    def output_shape(self, input_shape: Iterable[int],
                     output_size: Sequence[int] | None = None) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        kernel, stride, padding = (
            _at_least(_ntuple(getattr(self, attr), nd), nd, attr, name)
            for attr in ("kernel_size", "stride", "padding")
        )
        batch, channels, spatial = _split(shape, nd, name)
        default = tuple((size - 1) * s + k - 2 * p
                        for size, k, s, p in zip(spatial, kernel, stride, padding, strict=False))
        if output_size is None:
            out = default
        else:
            target = tuple(output_size)
            if len(target) == nd + 2:
                target = target[2:]
            if len(target) != nd:
                raise ShapeError(f"{name}: output_size {tuple(output_size)} must have {nd} or "
                                 f"{nd + 2} values")
            for t, d, s in zip(target, default, stride, strict=False):
                if not d - s < t < d + s:
                    raise ShapeError(
                        f"{name}: output_size {dims_text(target)} is out of reach: each size "
                        f"must lie strictly between default {dims_text(default)} ± stride "
                        f"{dims_text(stride)}"
                    )
            out = target
        if any(o < 0 for o in out):
            raise ShapeError(f"{name}: output {dims_text(out)} would be negative; use less "
                             "padding")
        if nd == 3:
            _require(all(s > 0 for s in stride),
                     f"{name}: stride {dims_text(stride)} must be positive")
        return _join(batch, (channels, *out))


class MaxUnpool1d(_MaxUnpoolNd):
    """``torch.nn.MaxUnpool1d(kernel_size, stride=None, padding=0)``."""

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """``torch.nn.MaxUnpool2d(kernel_size, stride=None, padding=0)``."""

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """``torch.nn.MaxUnpool3d(kernel_size, stride=None, padding=0)``."""

    _nd = 3


# --------------------------------------------------------------------------------------------
# resampling


_INTERPOLATING = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


class Upsample(Layer):
    """``torch.nn.Upsample``: input ``(N, C, *spatial)`` with 1 to 3 spatial axes (no
    unbatched form: a 3-d tensor is read as ``(N, C, L)``).

    Sizes from ``scale_factor`` are ``int(float(L) * scale)`` in IEEE double.

    >>> Upsample(scale_factor=1.5).output_shape((1, 3, 5, 7))
    (1, 3, 7, 10)
    """

    size: int | tuple[int, ...] | None = None
    scale_factor: float | tuple[float, ...] | None = None
    mode: str = "nearest"
    align_corners: bool | None = None
    recompute_scale_factor: bool | None = None

    def __post_init__(self) -> None:
        name = self._name
        if isinstance(self.size, Sequence) and not isinstance(self.size, str):
            _set(self, "size", tuple(self.size))
        scale = self.scale_factor
        if isinstance(scale, Sequence) and not isinstance(scale, str):
            _set(self, "scale_factor", tuple(_as_float(v, name) for v in scale))
        elif scale is not None:
            value = _as_float(scale, name)
            # nn.Upsample stores a zero scale as None ("either size or scale_factor").
            _set(self, "scale_factor", value if value else None)

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        mode = self.mode
        nd = len(shape) - 2
        if mode in ("nearest", "area", "nearest-exact") and self.align_corners is not None:
            raise ShapeError(f"{name}: align_corners only applies to the interpolating modes "
                             "linear, bilinear, bicubic and trilinear; leave it unset for "
                             f"{mode!r}")
        if self.size is not None and self.scale_factor is not None:
            raise ShapeError(f"{name}: give size or scale_factor, not both")
        if self.size is None and self.scale_factor is None:
            raise ShapeError(f"{name}: give size or a non-zero scale_factor")
        spatial = shape[2:] if nd > 0 else ()
        out: tuple[int, ...]
        if self.size is not None:
            if isinstance(self.size, tuple):
                if len(self.size) != nd:
                    raise ShapeError(f"{name}: size {self.size} has {len(self.size)} values, but "
                                     f"the input {dims_text(shape)} has {max(nd, 0)} spatial "
                                     "dimensions")
                if not all(_is_int(v) for v in self.size):
                    raise ShapeError(f"{name}: size {self.size} must hold integers")
                out = self.size
            else:
                _require(_is_int(self.size), f"{name}: size must be an integer, got "
                         f"{self.size!r}")
                out = (self.size,) * max(nd, 0)
            if self.recompute_scale_factor:
                raise ShapeError(f"{name}: recompute_scale_factor has no meaning with an "
                                 "explicit size; leave it unset")
        else:
            scales = self.scale_factor
            if isinstance(scales, tuple):
                if len(scales) != nd:
                    raise ShapeError(f"{name}: scale_factor {scales} has {len(scales)} values, "
                                     f"but the input {dims_text(shape)} has {max(nd, 0)} "
                                     "spatial dimensions")
            else:
                scales = (scales,) * max(nd, 0)  # type: ignore[assignment]
            if any(not math.isfinite(s) for s in scales):  # type: ignore[union-attr]
                raise ShapeError(f"{name}: scale_factor {self.scale_factor} must be finite")
            out = tuple(int(float(size) * s) for size, s in zip(spatial, scales,  # type: ignore[arg-type]
                                                                strict=False))
        if not 1 <= nd <= 3:
            raise ShapeError(f"{name}: expected a 3-d, 4-d or 5-d input (N, C, *spatial), got "
                             f"{len(shape)}-d input {dims_text(shape)}")
        if mode not in UpsampleMode.__members__.values():
            raise ShapeError(f"{name}: mode {mode!r} is not one of "
                             + ", ".join(repr(str(m)) for m in UpsampleMode))
        if mode in _INTERPOLATING and _INTERPOLATING[mode] != nd:
            raise ShapeError(f"{name}: mode {mode!r} needs {_INTERPOLATING[mode]} spatial "
                             f"dimensions, got input {dims_text(shape)}")
        if mode == "lanczos":
            raise ShapeError(f"{name}: mode 'lanczos' needs antialias=True, which "
                             "nn.Upsample cannot pass; use F.interpolate")
        if mode == "area":
            return _area(shape, out)
        if shape[1] == 0:
            raise ShapeError(f"{name}: input {dims_text(shape)} has no channels")
        if 0 in spatial or any(o <= 0 for o in out):
            raise ShapeError(f"{name}: input {dims_text(spatial)} and output {dims_text(out)} "
                             "sizes must be positive; use a larger size or scale_factor")
        return (*shape[:2], *out)


def _area(shape: Shape, out: tuple[int, ...]) -> Shape:
    """Mode 'area' is adaptive average pooling to the output size."""
    pool = (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d)[len(shape) - 3]
    return pool(out).output_shape(shape)


def _as_float(value: object, owner: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise ShapeError(f"{owner}: scale_factor must be a number, got {value!r}")


class UpsamplingNearest2d(Layer):
    """``torch.nn.UpsamplingNearest2d(size=None, scale_factor=None)``."""

    size: int | tuple[int, ...] | None = None
    scale_factor: float | tuple[float, ...] | None = None

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        return Upsample(self.size, self.scale_factor, "nearest").output_shape(input_shape)


class UpsamplingBilinear2d(Layer):
    """``torch.nn.UpsamplingBilinear2d(size=None, scale_factor=None)`` (align_corners=True)."""

    size: int | tuple[int, ...] | None = None
    scale_factor: float | tuple[float, ...] | None = None

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        return Upsample(self.size, self.scale_factor, "bilinear", True).output_shape(input_shape)


class PixelShuffle(Layer):
    """``torch.nn.PixelShuffle(r)``: ``(*, C*r*r, H, W) -> (*, C, H*r, W*r)``.

    >>> PixelShuffle(3).output_shape((2, 18, 4, 5))
    (2, 2, 12, 15)
    """

    upscale_factor: int

    def __post_init__(self) -> None:
        _require_int(self, "upscale_factor")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name, r = self._name, self.upscale_factor
        shape = _as_shape(input_shape, name)
        _require(len(shape) >= 3, f"{name}: input {dims_text(shape)} needs at least 3 "
                 "dimensions (*, C, H, W)")
        _require(r > 0, f"{name}: upscale_factor must be positive, got {r}")
        *lead, c, h, w = shape
        if c % (r * r):
            raise ShapeError(f"{name}: channels {c} are not divisible by upscale_factor² = "
                             f"{r * r}; use a multiple of {r * r} channels")
        return (*lead, c // (r * r), h * r, w * r)


class PixelUnshuffle(Layer):
    """``torch.nn.PixelUnshuffle(r)``: ``(*, C, H*r, W*r) -> (*, C*r*r, H, W)``."""

    downscale_factor: int

    def __post_init__(self) -> None:
        _require_int(self, "downscale_factor")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name, r = self._name, self.downscale_factor
        shape = _as_shape(input_shape, name)
        _require(len(shape) >= 3, f"{name}: input {dims_text(shape)} needs at least 3 "
                 "dimensions (*, C, H, W)")
        _require(r > 0, f"{name}: downscale_factor must be positive, got {r}")
        *lead, c, h, w = shape
        for axis, size in (("height", h), ("width", w)):
            if size % r:
                raise ShapeError(f"{name}: {axis} {size} is not divisible by downscale_factor "
                                 f"{r}")
        if prod(shape) == 0:
            return shape  # PyTorch's CPU kernel returns an empty input unchanged.
        return (*lead, c * r * r, h // r, w // r)


class Unfold(Layer):
    """``torch.nn.Unfold``: ``(N, C, H, W) -> (N, C*kh*kw, L)``, ``L`` = number of blocks.

    >>> Unfold(3).output_shape((2, 3, 10, 12))
    (2, 27, 80)
    """

    kernel_size: IntOrTuple
    dilation: IntOrTuple = 1
    padding: IntOrTuple = 0
    stride: IntOrTuple = 1

    def __post_init__(self) -> None:
        _normalise_int_fields(self, "kernel_size", "dilation", "padding", "stride")

    def blocks(self, spatial: Sequence[int]) -> tuple[int, ...]:
        """Sliding-block positions per axis: ``(size + 2p - d(k-1) - 1) // s + 1``."""
        args = [_exactly(_ntuple(getattr(self, a), 2), 2, a, self._name)
                for a in ("kernel_size", "dilation", "padding", "stride")]
        return tuple((size + 2 * p - d * (k - 1) - 1) // s + 1
                     for size, k, d, p, s in zip(spatial, *args, strict=True))

    def _checked(self) -> tuple[tuple[int, ...], ...]:
        name = self._name
        k, d, p, s = (_exactly(_ntuple(getattr(self, a), 2), 2, a, name)
                      for a in ("kernel_size", "dilation", "padding", "stride"))
        _require(all(v > 0 for v in k), f"{name}: kernel_size {dims_text(k)} must be positive")
        _require(all(v > 0 for v in d), f"{name}: dilation {dims_text(d)} must be positive")
        _require(all(v >= 0 for v in p), f"{name}: padding {dims_text(p)} is negative; use 0 "
                 "or more")
        _require(all(v > 0 for v in s), f"{name}: stride {dims_text(s)} must be positive")
        return k, d, p, s

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        k, _, _, _ = self._checked()
        batch, channels, spatial = _split(shape, 2, name)
        _non_batch_nonzero(shape, batch is not None, name)
        blocks = self.blocks(spatial)
        if any(b < 1 for b in blocks):
            raise ShapeError(f"{name}: input {dims_text(spatial)} is too small for the kernel: "
                             f"{dims_text(blocks)} blocks; use a smaller kernel or more padding")
        return _join(batch, (channels * prod(k), prod(blocks)))


class Fold(Layer):
    """``torch.nn.Fold``: ``(N, C*kh*kw, L) -> (N, C, *output_size)``."""

    output_size: IntOrTuple
    kernel_size: IntOrTuple
    dilation: IntOrTuple = 1
    padding: IntOrTuple = 0
    stride: IntOrTuple = 1

    def __post_init__(self) -> None:
        _normalise_int_fields(self, "output_size", "kernel_size", "dilation", "padding",
                              "stride")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        unfold = Unfold(self.kernel_size, self.dilation, self.padding, self.stride)
        k, _, _, _ = unfold._checked()
        size = _exactly(_ntuple(self.output_size, 2), 2, "output_size", name)
        _check_rank(shape, (2, 3), name, "(N, C·kh·kw, L) or (C·kh·kw, L)")
        _non_batch_nonzero(shape, len(shape) == 3, name)
        *lead, columns, length = shape
        area = prod(k)
        if columns % area:
            raise ShapeError(f"{name}: input dimension {columns} is not divisible by the kernel "
                             f"area {area} (= {dims_text(k)})")
        blocks = unfold.blocks(size)
        if length != prod(blocks):
            raise ShapeError(
                f"{name}: input has {length} blocks, but output_size {dims_text(size)} gives "
                f"{' * '.join(map(str, blocks))} = {prod(blocks)}"
            )
        return (*lead, columns // area, *size)


# --------------------------------------------------------------------------------------------
# reshaping and dense layers


def _normalise_dim(dim: int, rank: int, name: str) -> int:
    bound = max(rank, 1)
    if not -bound <= dim < bound:
        raise ShapeError(f"{name}: dimension {dim} is out of range for a {rank}-d input "
                         f"(use {-bound} to {bound - 1})")
    return dim % bound


class Flatten(Layer):
    """``torch.nn.Flatten(start_dim=1, end_dim=-1)``.

    >>> Flatten().output_shape((64, 50, 4, 4))
    (64, 800)
    """

    start_dim: int = 1
    end_dim: int = -1

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        start = _normalise_dim(self.start_dim, len(shape), name)
        end = _normalise_dim(self.end_dim, len(shape), name)
        if start > end:
            raise ShapeError(f"{name}: start_dim {self.start_dim} comes after end_dim "
                             f"{self.end_dim} for a {len(shape)}-d input")
        if not shape:
            return (1,)
        return (*shape[:start], prod(shape[start : end + 1]), *shape[end + 1 :])


class Unflatten(Layer):
    """``torch.nn.Unflatten(dim, unflattened_size)``; one size may be -1."""

    dim: int
    unflattened_size: tuple[int, ...]

    def __post_init__(self) -> None:
        _set(self, "unflattened_size", tuple(self.unflattened_size))

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) > 0, f"{name}: cannot unflatten a 0-d input")
        dim = _normalise_dim(self.dim, len(shape), name)
        sizes = self.unflattened_size
        _require(len(sizes) > 0, f"{name}: unflattened_size must not be empty")
        size = shape[dim]
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise ShapeError(f"{name}: unflattened_size {sizes} may hold at most one -1 and no "
                             "other negative size")
        known = prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or size % known:
                raise ShapeError(f"{name}: cannot infer the -1 in {sizes} for dimension {dim} "
                                 f"of size {size}")
            sizes = tuple(size // known if s == -1 else s for s in sizes)
        elif known != size:
            raise ShapeError(f"{name}: sizes {sizes} multiply to {known}, not to the size {size} "
                             f"of dimension {dim}")
        return (*shape[:dim], *sizes, *shape[dim + 1 :])


class Linear(Layer):
    """``torch.nn.Linear(in_features, out_features, bias=True)``: ``(*, in) -> (*, out)``.

    >>> Linear(800, 500).param_count
    400500
    """

    in_features: int
    out_features: int
    bias: bool = True

    def __post_init__(self) -> None:
        _require_int(self, "in_features", "out_features")
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        shapes = {"weight": (self.out_features, self.in_features)}
        if self.bias:
            shapes["bias"] = (self.out_features,)
        return shapes

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) >= 1, f"{name}: input must have at least 1 dimension, got a "
                 "0-d input")
        if shape[-1] != self.in_features:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} ends in {shape[-1]} features, but "
                f"in_features is {self.in_features}; use Linear({shape[-1]}, "
                f"{self.out_features})"
            )
        return (*shape[:-1], self.out_features)

    def macs(self, input_shape: Iterable[int]) -> int:
        shape = _as_shape(input_shape, self._name)
        self.output_shape(shape)
        return linear_macs(shape, self.out_features)


class Identity(Layer):
    """``torch.nn.Identity``: returns its input; any arguments are ignored."""

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        return _as_shape(input_shape, self._name)


# --------------------------------------------------------------------------------------------
# normalisation


class _BatchNormNd(Layer):
    num_features: int
    eps: float = 1e-5
    momentum: float | None = 0.1
    affine: bool = True
    track_running_stats: bool = True
    bias: bool = field(default=True, kw_only=True)

    _ranks: ClassVar[tuple[int, ...]] = ()

    def __post_init__(self) -> None:
        _require_int(self, "num_features")
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        if not self.affine:
            return {}
        shapes = {"weight": (self.num_features,)}
        if self.bias:
            shapes["bias"] = (self.num_features,)
        return shapes

    @property
    def buffer_shapes(self) -> dict[str, Shape]:
        if not self.track_running_stats:
            return {}
        c = self.num_features
        return {"running_mean": (c,), "running_var": (c,), "num_batches_tracked": ()}

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _check_rank(shape, self._ranks, name, "batched (N, C, ...)")
        if shape[0] * prod(shape[2:]) == 1:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has one value per channel, which a "
                "training-mode batch norm cannot normalise; use a larger batch or spatial size"
            )
        # An empty input returns before the channel count is compared.
        if (self.affine or self.track_running_stats) and shape[1] != self.num_features \
                and prod(shape):
            raise ShapeError(f"{name}: input {dims_text(shape)} has {shape[1]} channels, but "
                             f"num_features is {self.num_features}")
        return shape


class BatchNorm1d(_BatchNormNd):
    """``torch.nn.BatchNorm1d``: input ``(N, C)`` or ``(N, C, L)``."""

    _ranks = (2, 3)


class BatchNorm2d(_BatchNormNd):
    """``torch.nn.BatchNorm2d``: input ``(N, C, H, W)``.

    >>> BatchNorm2d(64).param_count, BatchNorm2d(64).buffer_count
    (128, 129)
    """

    _ranks = (4,)


class BatchNorm3d(_BatchNormNd):
    """``torch.nn.BatchNorm3d``: input ``(N, C, D, H, W)``."""

    _ranks = (5,)


class _InstanceNormNd(_BatchNormNd):
    affine: bool = False
    track_running_stats: bool = False

    _nd: ClassVar[int] = 0

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        batch, channels, spatial = _split(shape, self._nd, name)
        if channels != self.num_features and (self.affine or self.track_running_stats):
            raise ShapeError(f"{name}: input {dims_text(shape)} has {channels} channels, but "
                             f"num_features is {self.num_features}")
        if prod(spatial) == 1:
            raise ShapeError(f"{name}: input {dims_text(shape)} has one spatial element, which "
                             "a training-mode instance norm cannot normalise")
        return shape


class InstanceNorm1d(_InstanceNormNd):
    """``torch.nn.InstanceNorm1d``: input ``(N, C, L)`` or ``(C, L)``."""

    _nd = 1


class InstanceNorm2d(_InstanceNormNd):
    """``torch.nn.InstanceNorm2d``: input ``(N, C, H, W)`` or ``(C, H, W)``."""

    _nd = 2


class InstanceNorm3d(_InstanceNormNd):
    """``torch.nn.InstanceNorm3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


class GroupNorm(Layer):
    """``torch.nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True)``."""

    num_groups: int
    num_channels: int
    eps: float = 1e-5
    affine: bool = True
    bias: bool = field(default=True, kw_only=True)

    def __post_init__(self) -> None:
        _require_int(self, "num_groups", "num_channels")
        if self.num_groups == 0 or self.num_channels % self.num_groups:
            raise ShapeError(f"{self._name}: num_channels {self.num_channels} is not divisible "
                             f"by num_groups {self.num_groups}")
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        if not self.affine:
            return {}
        shapes = {"weight": (self.num_channels,)}
        if self.bias:
            shapes["bias"] = (self.num_channels,)
        return shapes

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) >= 2, f"{name}: input {dims_text(shape)} needs at least 2 "
                 "dimensions (N, C, ...)")
        channels = shape[1]
        if (shape[0] * channels // self.num_groups) * prod(shape[2:]) == 1:
            raise ShapeError(f"{name}: input {dims_text(shape)} gives each group a single "
                             "value, which a training-mode group norm cannot normalise")
        _require(self.num_groups > 0, f"{name}: num_groups must be positive, got "
                 f"{self.num_groups}")
        if channels % self.num_groups:
            raise ShapeError(f"{name}: input channels {channels} are not divisible by "
                             f"num_groups {self.num_groups}")
        if self.affine and channels != self.num_channels:
            raise ShapeError(f"{name}: input {dims_text(shape)} has {channels} channels, but "
                             f"num_channels is {self.num_channels}")
        return shape


def _normalized_shape(value: object, owner: str) -> tuple[int, ...]:
    if _is_int(value):
        return (value,)  # type: ignore[return-value]
    result = _int_or_tuple(value, "normalized_shape", owner)
    return result if isinstance(result, tuple) else (result,)


class LayerNorm(Layer):
    """``torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)``."""

    normalized_shape: IntOrTuple
    eps: float = 1e-5
    elementwise_affine: bool = True
    bias: bool = True

    def __post_init__(self) -> None:
        _set(self, "normalized_shape", _normalized_shape(self.normalized_shape, self._name))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        if not self.elementwise_affine:
            return {}
        shape: Shape = self.normalized_shape  # type: ignore[assignment]
        shapes = {"weight": shape}
        if self.bias:
            shapes["bias"] = shape
        return shapes

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        return _check_trailing(self._name, _as_shape(input_shape, self._name),
                               self.normalized_shape)  # type: ignore[arg-type]


def _check_trailing(name: str, shape: Shape, normalized: tuple[int, ...]) -> Shape:
    _require(len(normalized) > 0, f"{name}: normalized_shape must hold at least one size")
    if shape[len(shape) - len(normalized) :] != normalized or len(shape) < len(normalized):
        raise ShapeError(f"{name}: input {dims_text(shape)} must end in normalized_shape "
                         f"{dims_text(normalized)}")
    return shape


class RMSNorm(Layer):
    """``torch.nn.RMSNorm(normalized_shape, eps=None, elementwise_affine=True)``."""

    normalized_shape: IntOrTuple
    eps: float | None = None
    elementwise_affine: bool = True

    def __post_init__(self) -> None:
        _set(self, "normalized_shape", _normalized_shape(self.normalized_shape, self._name))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        shape: Shape = self.normalized_shape  # type: ignore[assignment]
        return {"weight": shape} if self.elementwise_affine else {}

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        return _check_trailing(self._name, _as_shape(input_shape, self._name),
                               self.normalized_shape)  # type: ignore[arg-type]


class LocalResponseNorm(Layer):
    """``torch.nn.LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0)``: input of 3+ dims."""

    size: int
    alpha: float = 1e-4
    beta: float = 0.75
    k: float = 1.0

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        shape = _as_shape(input_shape, self._name)
        _require(len(shape) >= 3, f"{self._name}: input {dims_text(shape)} needs at least 3 "
                 "dimensions (N, C, ...)")
        return shape


# --------------------------------------------------------------------------------------------
# dropout and activations


class _DropoutNd(Layer):
    p: float = 0.5
    inplace: bool = False

    _ranks: ClassVar[tuple[int, ...] | None] = None
    _min_rank: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if not 0 <= self.p <= 1:
            raise ShapeError(f"{self._name}: probability p must be between 0 and 1, "
                             f"got {self.p}")

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        shape = _as_shape(input_shape, self._name)
        if self._ranks is not None:
            _check_rank(shape, self._ranks, self._name, "batched or unbatched")
        # A feature dropout draws one mask value per channel; p of 0 or 1 and empty inputs
        # return before the mask is drawn, so only then does the rank not matter.
        if 0 < self.p < 1 and prod(shape) > 0 and len(shape) < self._min_rank:
            raise ShapeError(f"{self._name}: input {dims_text(shape)} needs at least "
                             f"{self._min_rank} dimensions")
        return shape


class Dropout(_DropoutNd):
    """``torch.nn.Dropout(p=0.5)``: any input shape."""



class Dropout1d(_DropoutNd):
    """``torch.nn.Dropout1d(p=0.5)``: input ``(N, C, L)`` or ``(C, L)``."""

    _ranks = (2, 3)


class Dropout2d(_DropoutNd):
    """``torch.nn.Dropout2d(p=0.5)``: input ``(N, C, H, W)`` or ``(C, H, W)``.

    PyTorch only warns about other ranks, but a feature dropout needs at least 2 dimensions.
    """

    _min_rank = 2


class Dropout3d(_DropoutNd):
    """``torch.nn.Dropout3d(p=0.5)``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    PyTorch only warns about other ranks; an unbatched input gains a batch dimension first, so
    any input of 1 or more dimensions passes.
    """

    _min_rank = 1


class AlphaDropout(_DropoutNd):
    """``torch.nn.AlphaDropout(p=0.5)``: any input shape."""



class FeatureAlphaDropout(_DropoutNd):
    """``torch.nn.FeatureAlphaDropout(p=0.5)``: input of at least 2 dimensions."""

    _min_rank = 2


class _ShapePreserving(Layer):

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        return _as_shape(input_shape, self._name)


class ReLU(_ShapePreserving):
    """``torch.nn.ReLU(inplace=False)``: shape-preserving."""

    inplace: bool = False


class ReLU6(_ShapePreserving):
    """``torch.nn.ReLU6(inplace=False)``: shape-preserving."""

    inplace: bool = False


class LeakyReLU(_ShapePreserving):
    """``torch.nn.LeakyReLU(negative_slope=0.01, inplace=False)``: shape-preserving."""

    negative_slope: float = 0.01
    inplace: bool = False


class ELU(_ShapePreserving):
    """``torch.nn.ELU(alpha=1.0, inplace=False)``: shape-preserving."""

    alpha: float = 1.0
    inplace: bool = False


class CELU(_ShapePreserving):
    """``torch.nn.CELU(alpha=1.0, inplace=False)``: shape-preserving."""

    alpha: float = 1.0
    inplace: bool = False


class SELU(_ShapePreserving):
    """``torch.nn.SELU(inplace=False)``: shape-preserving."""

    inplace: bool = False


class GELU(_ShapePreserving):
    """``torch.nn.GELU(approximate='none')``: shape-preserving."""

    approximate: str = "none"


class SiLU(_ShapePreserving):
    """``torch.nn.SiLU(inplace=False)``: shape-preserving."""

    inplace: bool = False


class Mish(_ShapePreserving):
    """``torch.nn.Mish(inplace=False)``: shape-preserving."""

    inplace: bool = False


class Sigmoid(_ShapePreserving):
    """``torch.nn.Sigmoid()``: shape-preserving."""


class Tanh(_ShapePreserving):
    """``torch.nn.Tanh()``: shape-preserving."""


class Hardswish(_ShapePreserving):
    """``torch.nn.Hardswish(inplace=False)``: shape-preserving."""

    inplace: bool = False


class Hardsigmoid(_ShapePreserving):
    """``torch.nn.Hardsigmoid(inplace=False)``: shape-preserving."""

    inplace: bool = False


class Hardtanh(_ShapePreserving):
    """``torch.nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)``: shape-preserving."""

    min_val: float = -1.0
    max_val: float = 1.0
    inplace: bool = False


class Softplus(_ShapePreserving):
    """``torch.nn.Softplus(beta=1.0, threshold=20.0)``: shape-preserving."""

    beta: float = 1.0
    threshold: float = 20.0


class Softsign(_ShapePreserving):
    """``torch.nn.Softsign()``: shape-preserving."""


class Tanhshrink(_ShapePreserving):
    """``torch.nn.Tanhshrink()``: shape-preserving."""


class LogSigmoid(_ShapePreserving):
    """``torch.nn.LogSigmoid()``: shape-preserving."""


class Hardshrink(_ShapePreserving):
    """``torch.nn.Hardshrink(lambd=0.5)``: shape-preserving."""

    lambd: float = 0.5


class Softshrink(_ShapePreserving):
    """``torch.nn.Softshrink(lambd=0.5)``: shape-preserving."""

    lambd: float = 0.5


class _SoftmaxLike(Layer):
    dim: int | None = None

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        shape = _as_shape(input_shape, self._name)
        if self.dim is not None:
            _normalise_dim(self.dim, len(shape), self._name)
        return shape


class Softmax(_SoftmaxLike):
    """``torch.nn.Softmax(dim=None)``."""



class LogSoftmax(_SoftmaxLike):
    """``torch.nn.LogSoftmax(dim=None)``."""



class Softmin(_SoftmaxLike):
    """``torch.nn.Softmin(dim=None)``."""



class GLU(Layer):
    """``torch.nn.GLU(dim=-1)``: halves dimension ``dim``, which must be even."""

    dim: int = -1

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) > 0, f"{name}: input must have at least 1 dimension")
        dim = _normalise_dim(self.dim, len(shape), name)
        if shape[dim] % 2:
            raise ShapeError(f"{name}: dimension {dim} of input {dims_text(shape)} has odd size "
                             f"{shape[dim]}; GLU halves it, so it must be even")
        return (*shape[:dim], shape[dim] // 2, *shape[dim + 1 :])


class PReLU(Layer):
    """``torch.nn.PReLU(num_parameters=1, init=0.25)``: one slope, or one per channel."""

    num_parameters: int = 1
    init: float = 0.25

    def __post_init__(self) -> None:
        _require_int(self, "num_parameters")
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        return {"weight": (self.num_parameters,)}

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        if self.num_parameters != 1:
            _require(len(shape) > 0, f"{name}: a 0-d input cannot have per-channel slopes")
            channels = shape[1] if len(shape) > 1 else 1
            if channels != self.num_parameters:
                raise ShapeError(f"{name}: num_parameters {self.num_parameters} does not match "
                                 f"the {channels} channels of input {dims_text(shape)}")
        return shape


# --------------------------------------------------------------------------------------------
# padding layers


class _PadNd(Layer):
    padding: IntOrTuple

    _nd: ClassVar[int] = 0
    _mode: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        value = _int_or_tuple(self.padding, "padding", self._name)
        _set(self, "padding", _ntuple(value, 2 * self._nd))

    def output_shape(self, input_shape: Iterable[int]) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        if self._mode == "circular":
            _check_rank(shape, (self._nd + 1, self._nd + 2), name, _layout(self._nd))
        return pad_shape(shape, self.padding, self._mode, name)  # type: ignore[arg-type]


class _ConstantPadNd(_PadNd):
    value: float = 0.0


class ZeroPad1d(_PadNd):
    """``torch.nn.ZeroPad1d``: pads the last 1 dimension in ``constant`` mode."""

    _nd = 1
    _mode = "constant"


class ConstantPad1d(_ConstantPadNd):
    """``torch.nn.ConstantPad1d``: pads the last 1 dimension in ``constant`` mode."""

    _nd = 1
    _mode = "constant"


class ReflectionPad1d(_PadNd):
    """``torch.nn.ReflectionPad1d``: pads the last 1 dimension in ``reflect`` mode."""

    _nd = 1
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """``torch.nn.ReplicationPad1d``: pads the last 1 dimension in ``replicate`` mode."""

    _nd = 1
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """``torch.nn.CircularPad1d``: pads the last 1 dimension in ``circular`` mode."""

    _nd = 1
    _mode = "circular"


class ZeroPad2d(_PadNd):
    """``torch.nn.ZeroPad2d``: pads the last 2 dimensions in ``constant`` mode."""

    _nd = 2
    _mode = "constant"


class ConstantPad2d(_ConstantPadNd):
    """``torch.nn.ConstantPad2d``: pads the last 2 dimensions in ``constant`` mode."""

    _nd = 2
    _mode = "constant"


class ReflectionPad2d(_PadNd):
    """``torch.nn.ReflectionPad2d``: pads the last 2 dimensions in ``reflect`` mode."""

    _nd = 2
    _mode = "reflect"


class ReplicationPad2d(_PadNd):
    """``torch.nn.ReplicationPad2d``: pads the last 2 dimensions in ``replicate`` mode."""

    _nd = 2
    _mode = "replicate"


class CircularPad2d(_PadNd):
    """``torch.nn.CircularPad2d``: pads the last 2 dimensions in ``circular`` mode."""

    _nd = 2
    _mode = "circular"


class ZeroPad3d(_PadNd):
    """``torch.nn.ZeroPad3d``: pads the last 3 dimensions in ``constant`` mode."""

    _nd = 3
    _mode = "constant"


class ConstantPad3d(_ConstantPadNd):
    """``torch.nn.ConstantPad3d``: pads the last 3 dimensions in ``constant`` mode."""

    _nd = 3
    _mode = "constant"


class ReflectionPad3d(_PadNd):
    """``torch.nn.ReflectionPad3d``: pads the last 3 dimensions in ``reflect`` mode."""

    _nd = 3
    _mode = "reflect"


class ReplicationPad3d(_PadNd):
    """``torch.nn.ReplicationPad3d``: pads the last 3 dimensions in ``replicate`` mode."""

    _nd = 3
    _mode = "replicate"


class CircularPad3d(_PadNd):
    """``torch.nn.CircularPad3d``: pads the last 3 dimensions in ``circular`` mode."""

    _nd = 3
    _mode = "circular"


def layer_types() -> dict[str, type[Layer]]:
    """Every public layer class by its PyTorch name."""
    return {
        name: obj for name in __all__
        if isinstance(obj := globals()[name], type) and issubclass(obj, Layer)
        and obj is not Layer
    }


def layer_fields(layer: Layer) -> dict[str, Any]:
    """A layer's constructor arguments, as stored (normalised to tuples)."""
    return record_fields(layer)
