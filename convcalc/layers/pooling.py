"""Max, average, power-average, adaptive pooling and max unpooling."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import ClassVar

from ..arithmetic import _pooled_size, unpool_output_size
from ..errors import ShapeError
from ._base import (
    INT32_MAX,
    INT64_MAX,
    IntOrTuple,
    Layer,
    Shape,
    _as_shape,
    _at_least,
    _at_most,
    _exactly,
    _expand,
    _fits,
    _is_int,
    _join,
    _non_batch_nonzero,
    _non_negative,
    _normalise_int_fields,
    _ntuple,
    _positive,
    _require,
    _set,
    _split,
    dims_text,
)

# --------------------------------------------------------------------------------------------
# pooling


def _check_pool_arguments(
    name: str,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
) -> None:
    """PyTorch's pooling checks that do not depend on the input."""
    _positive(name, "kernel_size", kernel)
    _positive(name, "stride", stride)
    _positive(name, "dilation", dilation)
    _non_negative(name, "padding", padding)
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        half = dims_text(k // 2 for k in kernel)
        raise ShapeError(
            f"{name}: padding {dims_text(padding)} is more than half the kernel size "
            f"{dims_text(kernel)}; use padding <= {half}"
        )


def _pool_spatial(
    name: str,
    spatial: Shape,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil_mode: bool,
) -> Shape:
    """Output sizes of max/avg pooling: floor (or ceil) window counts, each at least 1."""
    out = [
        _pooled_size(size, k, s, p, d, ceil_mode)
        for size, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True)
    ]
    if any(o < 1 for o in out):
        raise ShapeError(
            f"{name}: input {dims_text(spatial)} is too small for kernel {dims_text(kernel)}"
            f" (padding {dims_text(padding)}, dilation {dims_text(dilation)}): the output "
            f"would be {dims_text(out)}; use a smaller kernel or a larger input"
        )
    return tuple(out)


def _default_stride(layer: _MaxPoolNd | _AvgPoolNd | AvgPool1d) -> None:
    """``stride=None`` means the kernel size, and so does an empty stride (``()`` or
    ``[]``): PyTorch's pooling ops read an empty list as "not given"."""
    stride = layer.stride
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        _set(layer, "stride", layer.kernel_size)


class _WindowPool(Layer):
    """Max, average and power-average pooling: a window slides over each spatial axis."""

    _kind = "pool"
    _nd: ClassVar[int] = 0

    def _window_arguments(self) -> tuple[tuple[int, ...], ...]:
        """Kernel, stride, padding and dilation, one value per axis."""
        raise NotImplementedError

    def _kernel_within_input(self) -> bool:
        return False

    def check_arguments(self) -> None:
        arguments = self._window_arguments()
        _check_pool_arguments(self._name, *arguments)
        # The pooling kernels take 32-bit sizes, except max_pool1d's own.
        if isinstance(self, MaxPool1d):
            high, where = INT64_MAX, "an int64 argument"
        else:
            high, where = INT32_MAX, "PyTorch's pooling kernel (int32)"
        for what, values in zip(
            ("kernel_size", "stride", "padding", "dilation"), arguments, strict=True
        ):
            _at_most(self._name, what, values, high, where)

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        kernel, stride, padding, dilation = self._window_arguments()
        self.check_arguments()
        batch, channels, spatial = _split(shape, nd, name)
        _non_batch_nonzero(shape, batch is not None, name)
        if self._kernel_within_input():
            _kernel_within_input(name, spatial, kernel)
        ceil_mode = bool(getattr(self, "ceil_mode", False))
        out = _pool_spatial(name, spatial, kernel, stride, padding, dilation, ceil_mode)
        return _join(batch, (channels, *out))

    def _per_axis(self, *attrs: str) -> tuple[tuple[int, ...], ...]:
        # max_pool1d and avg_pool1d take exactly one value; the 2-d and 3-d ops broadcast one.
        fit = _exactly if self._nd == 1 else _expand
        return tuple(
            fit(_ntuple(getattr(self, attr), 1), self._nd, attr, self._name) for attr in attrs
        )


class _MaxPoolNd(_WindowPool):
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0
    dilation: IntOrTuple = 1
    return_indices: bool = False
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        _default_stride(self)
        _normalise_int_fields(self, "kernel_size", "stride", "padding", "dilation")

    def _window_arguments(self) -> tuple[tuple[int, ...], ...]:
        return self._per_axis("kernel_size", "stride", "padding", "dilation")


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


class _AvgPoolNd(_WindowPool):
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None

    def __post_init__(self) -> None:
        _default_stride(self)
        _normalise_int_fields(self, "kernel_size", "stride", "padding")

    def _window_arguments(self) -> tuple[tuple[int, ...], ...]:
        return (*self._per_axis("kernel_size", "stride", "padding"), (1,) * self._nd)

    def _kernel_within_input(self) -> bool:
        return self._nd == 3

    def check_arguments(self) -> None:
        super().check_arguments()
        _require(self.divisor_override != 0, f"{self._name}: divisor_override must not be 0")


def _kernel_within_input(name: str, spatial: Shape, kernel: tuple[int, ...]) -> None:
    # avg_pool3d checks the unpadded input against the kernel; padding does not help.
    if any(size < k for size, k in zip(spatial, kernel, strict=True)):
        raise ShapeError(
            f"{name}: input {dims_text(spatial)} is smaller than the kernel "
            f"{dims_text(kernel)} (3-d average pooling ignores padding here); use a smaller "
            "kernel"
        )


class AvgPool1d(_WindowPool):
    """``torch.nn.AvgPool1d``: input ``(N, C, L)`` or ``(C, L)`` (no ``divisor_override``)."""

    _nd = 1

    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    padding: IntOrTuple = 0
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self) -> None:
        _default_stride(self)
        _normalise_int_fields(self, "kernel_size", "stride", "padding")

    def _window_arguments(self) -> tuple[tuple[int, ...], ...]:
        return (*self._per_axis("kernel_size", "stride", "padding"), (1,))


class AvgPool2d(_AvgPoolNd):
    """``torch.nn.AvgPool2d``: input ``(N, C, H, W)`` or ``(C, H, W)``."""

    _nd = 2


class AvgPool3d(_AvgPoolNd):
    """``torch.nn.AvgPool3d``: input ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    _nd = 3


class _LPPoolNd(_WindowPool):
    """avg_pool with padding 0 (max_pool when norm_type is inf), then a scale by the kernel
    area, which needs exactly ``nd`` kernel sizes."""

    norm_type: float
    kernel_size: IntOrTuple
    stride: IntOrTuple | None = None
    ceil_mode: bool = False

    def __post_init__(self) -> None:
        _normalise_int_fields(self, "kernel_size", "stride")

    def _window_arguments(self) -> tuple[tuple[int, ...], ...]:
        name, nd = self._name, self._nd
        if nd == 1 and not math.isinf(self.norm_type):
            _require(
                isinstance(self.kernel_size, int),
                f"{name}: kernel_size must be a single integer, got {self.kernel_size}",
            )
        kernel = _exactly(_ntuple(self.kernel_size, nd), nd, "kernel_size", name)
        fit = _exactly if nd == 1 else _expand
        # An empty stride, like None, means the kernel size.
        stride = self.stride if self.stride not in (None, ()) else self.kernel_size
        return kernel, fit(_ntuple(stride, 1), nd, "stride", name), (0,) * nd, (1,) * nd

    def _kernel_within_input(self) -> bool:
        return self._nd == 3 and not math.isinf(self.norm_type)


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
    _kind = "adaptive"
    output_size: int | tuple[int | None, ...] | None

    _nd: ClassVar[int] = 0
    _max: ClassVar[bool] = False

    def __post_init__(self) -> None:
        value = self.output_size
        if isinstance(value, Sequence) and not isinstance(value, str):
            _set(self, "output_size", tuple(value))
        elif value is not None and not _is_int(value):
            raise ShapeError(
                f"{self._name}: output_size must be an integer or a tuple of "
                f"integers, got {value!r}"
            )

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

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
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
                raise ShapeError(
                    f"{name}: input {dims_text(shape)} has an empty dimension; "
                    "only the first (batch) dimension may be 0"
                )
        _require(
            0 not in spatial, f"{name}: input {dims_text(shape)} has an empty spatial dimension"
        )
        out = self.target_size(spatial)
        if any(o is None or not _is_int(o) for o in out):
            raise ShapeError(f"{name}: output_size {self.output_size} must hold integers")
        _require(
            all(o >= 0 for o in out), f"{name}: output_size {dims_text(out)} must not be negative"
        )
        _require(
            all(o <= INT64_MAX for o in out),
            f"{name}: output_size {dims_text(out)} is beyond int64",
        )
        return _fits(_join(batch, (channels, *out)), name, 8 if self._max else 4)


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

    def output_shape(
        self,
        input_shape: Iterable[int],
        output_size: Sequence[int] | None = None,
        *,
        training: bool = False,
    ) -> Shape:
        name, nd = self._name, self._nd
        shape = _as_shape(input_shape, name)
        kernel, stride, padding = (
            _at_least(_ntuple(getattr(self, attr), nd), nd, attr, name)
            for attr in ("kernel_size", "stride", "padding")
        )
        batch, channels, spatial = _split(shape, nd, name)
        default = tuple(
            unpool_output_size(size, k, stride=s, padding=p)
            for size, k, s, p in zip(spatial, kernel, stride, padding, strict=False)
        )
        if output_size is None:
            out = default
        else:
            target = tuple(output_size)
            if len(target) == nd + 2:
                target = target[2:]
            if len(target) != nd:
                raise ShapeError(
                    f"{name}: output_size {tuple(output_size)} must have {nd} or {nd + 2} values"
                )
            for t, d, s in zip(target, default, stride, strict=False):
                if not d - s < t < d + s:
                    raise ShapeError(
                        f"{name}: output_size {dims_text(target)} is out of reach: each size "
                        f"must lie strictly between default {dims_text(default)} ± stride "
                        f"{dims_text(stride)}"
                    )
            out = target
        if any(o < 0 for o in out):
            raise ShapeError(f"{name}: output {dims_text(out)} would be negative; use less padding")
        if nd == 3:
            _positive(name, "stride", stride)
        return _fits(_join(batch, (channels, *out)), name)


class MaxUnpool1d(_MaxUnpoolNd):
    """``torch.nn.MaxUnpool1d(kernel_size, stride=None, padding=0)``."""

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """``torch.nn.MaxUnpool2d(kernel_size, stride=None, padding=0)``."""

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """``torch.nn.MaxUnpool3d(kernel_size, stride=None, padding=0)``."""

    _nd = 3
