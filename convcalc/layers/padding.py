"""Padding layers: zero, constant, reflection, replication and circular."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from ._base import (
    IntOrTuple,
    Layer,
    Shape,
    _as_shape,
    _check_rank,
    _fits,
    _int_or_tuple,
    _layout,
    _ntuple,
    _set,
    pad_shape,
)

# --------------------------------------------------------------------------------------------
# padding layers


class _PadNd(Layer):
    padding: IntOrTuple

    _nd: ClassVar[int] = 0
    _mode: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        value = _int_or_tuple(self.padding, "padding", self._name)
        _set(self, "padding", _ntuple(value, 2 * self._nd))

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        if self._mode == "circular":
            _check_rank(shape, (self._nd + 1, self._nd + 2), name, _layout(self._nd))
        return _fits(pad_shape(shape, self.padding, self._mode, name), name)  # type: ignore[arg-type]


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
