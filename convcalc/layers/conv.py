"""Convolutions and transposed convolutions (1-d to 3-d)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import prod
from typing import ClassVar

from ..arithmetic import (
    _transposed_size,
    _window_count,
    conv_macs,
    conv_transpose_macs,
    same_padding,
)
from ..errors import ShapeError
from ._base import (
    INT32_MAX,
    INT64_MAX,
    IntOrTuple,
    Layer,
    PaddingMode,
    Shape,
    _as_shape,
    _at_least,
    _at_most,
    _exactly,
    _expand,
    _fits,
    _int_or_tuple,
    _join,
    _non_negative,
    _ntuple,
    _positive,
    _require,
    _require_int,
    _set,
    _split,
    dims_text,
    pad_shape,
)

# --------------------------------------------------------------------------------------------
# convolutions


class _ConvNd(Layer):
    _kind = "conv"
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
        nd = self._nd
        # in_channels, out_channels and groups are integers: their annotations were checked.
        # An int becomes nd copies of itself, any sequence a tuple (its length is checked in
        # forward, as in PyTorch).
        kernel, stride, dilation, padding = (
            self.kernel_size,
            self.stride,
            self.dilation,
            self.padding,
        )
        cin, cout, groups = self.in_channels, self.out_channels, self.groups
        if (
            type(kernel) is int
            and type(stride) is int
            and type(dilation) is int
            and type(padding) is int
            and self.padding_mode == "zeros"
            and type(self.padding_mode) is str
            and groups > 0
            and not cin % groups
            and not cout % groups
            and kernel >= 0
            and cin >= 0
            and cout >= 0
            and cin * cout * kernel**nd < 2**60
        ):
            # The common case: single numbers, zeros padding, a weight far from int64.
            _SET_KERNEL(self, (kernel,) * nd)
            _SET_STRIDE(self, (stride,) * nd)
            _SET_DILATION(self, (dilation,) * nd)
            _SET_PADDING(self, (padding,) * nd)
            return
        _SET_KERNEL(
            self, (kernel,) * nd if type(kernel) is int else _sizes(kernel, "kernel_size", self)
        )
        _SET_STRIDE(self, (stride,) * nd if type(stride) is int else _sizes(stride, "stride", self))
        _SET_DILATION(
            self, (dilation,) * nd if type(dilation) is int else _sizes(dilation, "dilation", self)
        )
        if type(padding) is int:
            _SET_PADDING(self, (padding,) * nd)
        elif not isinstance(padding, str):
            _SET_PADDING(self, _sizes(padding, "padding", self))
        _check_groups(self)
        name = self._name
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
        if self.padding_mode not in _PADDING_MODES:
            raise ShapeError(
                f"{name}: padding_mode {self.padding_mode!r} is not one of "
                "'zeros', 'reflect', 'replicate', 'circular'"
            )
        _set(self, "padding_mode", str(PaddingMode(self.padding_mode)))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        k: tuple[int, ...] = self.kernel_size  # type: ignore[assignment]
        per_group = self.in_channels // self.groups
        shapes: dict[str, Shape] = {"weight": (self.out_channels, per_group, *k)}
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
            return tuple(
                same_padding(kk, dilation=d[i]) if i < len(d) else (0, 0) for i, kk in enumerate(k)
            )
        p: tuple[int, ...] = self.padding  # type: ignore[assignment]
        return tuple((pp, pp) for pp in p)

    def check_arguments(self) -> None:
        self._check_arguments(empty=False)

    def _check_arguments(self, *, empty: bool) -> None:
        """``empty``: the input has no elements because its batch or channels are 0, and
        PyTorch takes a shortcut that skips the kernels' own checks (dilation 0 passes)."""
        name, nd = self._name, self._nd
        kernel = _exactly(self.kernel_size, nd, "kernel_size", name)
        stride = _expand(self.stride, nd, "stride", name)
        dilation = _expand(self.dilation, nd, "dilation", name)
        if self.padding_mode == PaddingMode.ZEROS and not isinstance(self.padding, str):
            padding = _expand(self.padding, nd, "padding", name)
            _non_negative(name, "padding", padding)
        _positive(name, "kernel_size", kernel)
        _positive(name, "stride", stride)
        (_non_negative if empty else _positive)(name, "dilation", dilation)
        _require(self.out_channels > 0, f"{name}: out_channels must be positive, got 0")
        _at_most(name, "stride", stride, INT64_MAX, "an int64 argument")
        _at_most(name, "dilation", dilation, INT64_MAX, "an int64 argument")
        if self.padding_mode == PaddingMode.ZEROS and not isinstance(self.padding, str):
            # PyTorch doubles the padding in int64 arithmetic, so half the range is left.
            _at_most(name, "padding", padding, INT64_MAX // 2, "the convolution's padding")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        # The common case, worked out directly: a batched input of plain non-empty integer
        # sizes, zeros padding of one number per axis, every argument per axis and far from
        # int32, and tensors far from int64. Anything else (or any failed check) goes to
        # _output_shape, which does every check in PyTorch's order, with the messages.
        nd = self._nd
        shape = input_shape
        if type(shape) is tuple and len(shape) == nd + 2 and self.padding_mode == "zeros":
            kernel: tuple[int, ...] = self.kernel_size  # type: ignore[assignment]
            stride: tuple[int, ...] = self.stride  # type: ignore[assignment]
            dilation: tuple[int, ...] = self.dilation  # type: ignore[assignment]
            padding = self.padding
            batch, channels = shape[0], shape[1]
            if (
                type(padding) is tuple
                and len(kernel) == nd
                and len(stride) == nd
                and len(padding) == nd
                and len(dilation) == nd
                and type(batch) is int
                and type(channels) is int
                and batch > 0
                and channels == self.in_channels
                and channels > 0
                and self.out_channels > 0
            ):
                out = []
                elements = batch * channels
                for size, k, s, p, d in zip(shape[2:], kernel, stride, padding, dilation):  # noqa: B905
                    if (
                        type(size) is not int
                        or not 0 < size < _SMALL
                        or not 0 < k < _SMALL
                        or not 0 < s < _SMALL
                        or not 0 < d < _SMALL
                        or not 0 <= p < _SMALL
                    ):
                        break
                    padded = size + 2 * p
                    span = d * (k - 1) + 1
                    if padded < span:
                        break
                    out.append((padded - span) // s + 1)
                    elements *= size
                else:
                    if (
                        elements < _SMALL_TENSOR
                        and batch * self.out_channels * prod(out) < _SMALL_TENSOR
                    ):
                        return (batch, self.out_channels, *out)
        return self._output_shape(input_shape)

    def _output_shape(self, input_shape: Iterable[int]) -> Shape:
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
        kernel = _exactly(self.kernel_size, nd, "kernel_size", name)
        stride = _expand(self.stride, nd, "stride", name)
        dilation = _expand(self.dilation, nd, "dilation", name)
        if pads is None:
            if self.padding == "same":
                pads = tuple(
                    same_padding(k, dilation=d) for k, d in zip(kernel, dilation, strict=True)
                )
            elif self.padding == "valid":
                pads = ((0, 0),) * nd
            else:
                padding: tuple[int, ...] = self.padding  # type: ignore[assignment]
                pads = tuple((p, p) for p in _expand(padding, nd, "padding", name))
        # An input without elements (no batch or no channels) takes PyTorch's empty path.
        empty = batch == 0 or channels == 0
        self._check_arguments(empty=empty)
        _check_channels(name, shape, channels, self.in_channels, batch is None)
        padded = tuple(s + b + a for s, (b, a) in zip(spatial, pads, strict=True))
        span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
        if any(p < e for p, e in zip(padded, span, strict=True)):
            raise ShapeError(
                f"{name}: input {dims_text(spatial)} padded to {dims_text(padded)} is smaller "
                f"than the dilated kernel {dims_text(span)}; use a smaller kernel or "
                "dilation, more padding, or a larger input"
            )
        _require(
            empty or 0 not in spatial,
            f"{name}: input {dims_text(shape)} has an empty spatial dimension",
        )
        out = tuple(_window_count(p, e, s) for p, e, s in zip(padded, span, stride, strict=True))
        # PyTorch quirk: a zero-channel input to a zero-in_channels conv gives zero channels.
        out_channels = 0 if channels == 0 else self.out_channels
        return _fits(_join(batch, (out_channels, *out)), name)

    def macs(self, input_shape: Iterable[int], *, training: bool = False) -> int:
        out = self.output_shape(input_shape, training=training)
        batched = len(out) == self._nd + 2
        return conv_macs(
            out[0] if batched else 1,
            self.in_channels,
            out[1:] if batched else out,
            self.kernel_size,  # type: ignore[arg-type]
            groups=self.groups,
        )


_PADDING_MODES = frozenset(mode.value for mode in PaddingMode)
# The slots' own setters: the records are frozen to everyone else.
_SET_KERNEL = _ConvNd.__dict__["kernel_size"].__set__
_SET_STRIDE = _ConvNd.__dict__["stride"].__set__
_SET_DILATION = _ConvNd.__dict__["dilation"].__set__
_SET_PADDING = _ConvNd.__dict__["padding"].__set__


def _sizes(value: object, name: str, layer: Layer) -> tuple[int, ...]:
    """A per-axis argument given as a sequence: a tuple of its integers."""
    return _ntuple(_int_or_tuple(value, name, layer._name), 1)


# Sizes and arguments below these take the fast path: no int32 or int64 bound is near.
_SMALL = 2**30
_SMALL_TENSOR = 2**60


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


def _check_channels(name: str, shape: Shape, channels: int, expected: int, unbatched: bool) -> None:
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
    _kind = "transpose"
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
            _set(self, "padding", _ntuple(_int_or_tuple(self.padding, "padding", name), self._nd))
        _check_groups(self)
        _set(self, "padding_mode", str(PaddingMode.ZEROS))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        k: tuple[int, ...] = self.kernel_size  # type: ignore[assignment]
        per_group = self.out_channels // self.groups
        shapes: dict[str, Shape] = {"weight": (self.in_channels, per_group, *k)}
        if self.bias:
            shapes["bias"] = (self.out_channels,)
        return shapes

    def output_padding_for(
        self, input_shape: Iterable[int], output_size: Sequence[int]
    ) -> tuple[int, ...]:
        """The ``output_padding`` that ``forward(input, output_size=...)`` chooses.

        Raises :class:`ShapeError` when ``output_size`` is out of reach, with the range.
        """
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        if isinstance(self.padding, str):
            raise ShapeError(
                f"{name}: padding {self.padding!r} is not supported; transposed "
                "convolutions need numeric padding"
            )
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
        low = tuple(
            _transposed_size(size, k, s, p, d, 0)
            for size, s, p, k, d in zip(spatial, stride, padding, kernel, dilation, strict=False)
        )
        high = tuple(lo + s - 1 for lo, s in zip(low, stride, strict=False))
        if any(not lo <= t <= hi for t, lo, hi in zip(target, low, high, strict=True)):
            raise ShapeError(
                f"{name}: no output_padding reaches output size {dims_text(target)} from input "
                f"{dims_text(spatial)}: reachable sizes range from {dims_text(low)} to "
                f"{dims_text(high)}; change the stride, padding or kernel size"
            )
        return tuple(t - lo for t, lo in zip(target, low, strict=True))

    def check_arguments(self) -> None:
        self._checked(self.output_padding)  # type: ignore[arg-type]

    def _checked(
        self, output_padding: tuple[int, ...], *, empty: bool = False
    ) -> tuple[tuple[int, ...], ...]:
        """``empty``: a batch of 0 takes PyTorch's empty path, which skips the kernels' own
        checks: dilation 0 and an output_padding as large as the stride pass."""
        name, nd = self._name, self._nd
        if isinstance(self.padding, str):
            raise ShapeError(
                f"{name}: padding {self.padding!r} is not supported; transposed "
                "convolutions need numeric padding"
            )
        kernel = _exactly(self.kernel_size, nd, "kernel_size", name)
        stride = _expand(self.stride, nd, "stride", name)
        padding = _expand(self.padding, nd, "padding", name)
        dilation = _expand(self.dilation, nd, "dilation", name)
        output_padding = _expand(output_padding, nd, "output_padding", name)
        _non_negative(name, "padding", padding)
        _non_negative(name, "output_padding", output_padding)
        _positive(name, "kernel_size", kernel)
        _positive(name, "stride", stride)
        (_non_negative if empty else _positive)(name, "dilation", dilation)
        _require(self.in_channels > 0, f"{name}: in_channels must be positive, got 0")
        for what, values in (
            ("stride", stride),
            ("padding", padding),
            ("dilation", dilation),
            ("output_padding", output_padding),
        ):
            _at_most(name, what, values, INT64_MAX, "an int64 argument")
        if empty:
            return kernel, stride, padding, dilation, output_padding
        # The native transposed kernels take 32-bit strides and dilations.
        _at_most(name, "stride", stride, INT32_MAX, "PyTorch's transposed kernel (int32)")
        _at_most(name, "dilation", dilation, INT32_MAX, "PyTorch's transposed kernel (int32)")
        for op, s, d in zip(output_padding, stride, dilation, strict=True):
            if not (op < s or op < d):
                raise ShapeError(
                    f"{name}: output_padding {dims_text(output_padding)} must be smaller than "
                    f"the stride {dims_text(stride)} or the dilation {dims_text(dilation)} on "
                    f"every axis; use output_padding < {max(s, d)}"
                )
        return kernel, stride, padding, dilation, output_padding

    def output_shape(
        self,
        input_shape: Iterable[int],
        output_size: Sequence[int] | None = None,
        *,
        training: bool = False,
    ) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        if isinstance(self.padding, str):
            raise ShapeError(
                f"{name}: padding {self.padding!r} is not supported; transposed "
                "convolutions need numeric padding"
            )
        if output_size is not None:
            output_padding = self.output_padding_for(shape, output_size)
        else:
            output_padding = self.output_padding  # type: ignore[assignment]
        batch, channels, spatial = _split(shape, nd, name)
        empty = batch == 0
        kernel, stride, padding, dilation, output_padding = self._checked(
            output_padding, empty=empty
        )
        _check_channels(name, shape, channels, self.in_channels, batch is None)
        _require(
            empty or 0 not in spatial,
            f"{name}: input {dims_text(shape)} has an empty spatial dimension",
        )
        out = tuple(
            _transposed_size(size, k, s, p, d, op)
            for size, s, p, d, k, op in zip(
                spatial, stride, padding, dilation, kernel, output_padding, strict=True
            )
        )
        if any(o < (0 if empty else 1) for o in out):
            raise ShapeError(
                f"{name}: output {dims_text(out)} from input {dims_text(spatial)} is too small: "
                f"padding {dims_text(padding)} removes more than the layer adds; use less "
                "padding"
            )
        return _fits(_join(batch, (self.out_channels, *out)), name)

    def macs(
        self,
        input_shape: Iterable[int],
        output_size: Sequence[int] | None = None,
        *,
        training: bool = False,
    ) -> int:
        shape = _as_shape(input_shape, self._name)
        self.output_shape(shape, output_size, training=training)
        batched = len(shape) == self._nd + 2
        return conv_transpose_macs(
            shape[0] if batched else 1,
            shape[1:] if batched else shape,
            self.out_channels,
            self.kernel_size,  # type: ignore[arg-type]
            groups=self.groups,
        )


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
