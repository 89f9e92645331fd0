"""Reshaping, reducing, dense and scaling layers: Flatten, Unflatten, Permute, Transpose,
ChannelShuffle, Mean, Linear, Scale, Identity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import prod
from typing import Any

from ..arithmetic import linear_macs
from ..errors import ShapeError
from ._base import (
    Layer,
    Shape,
    _as_shape,
    _fits,
    _int_or_tuple,
    _is_int,
    _normalise_dim,
    _require,
    _require_int,
    _set,
    dims_text,
)

# --------------------------------------------------------------------------------------------
# reshaping and dense layers


class Flatten(Layer):
    """``torch.nn.Flatten(start_dim=1, end_dim=-1)``.

    >>> Flatten().output_shape((64, 50, 4, 4))
    (64, 800)
    """

    start_dim: int = 1
    end_dim: int = -1

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        start = _normalise_dim(self.start_dim, len(shape), name)
        end = _normalise_dim(self.end_dim, len(shape), name)
        if start > end:
            raise ShapeError(
                f"{name}: start_dim {self.start_dim} comes after end_dim "
                f"{self.end_dim} for a {len(shape)}-d input"
            )
        if not shape:
            return (1,)
        return (*shape[:start], prod(shape[start : end + 1]), *shape[end + 1 :])


class Unflatten(Layer):
    """``torch.nn.Unflatten(dim, unflattened_size)``; one size may be -1."""

    dim: int
    unflattened_size: tuple[int, ...]

    def __post_init__(self) -> None:
        _set(self, "unflattened_size", tuple(self.unflattened_size))

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) > 0, f"{name}: cannot unflatten a 0-d input")
        dim = _normalise_dim(self.dim, len(shape), name)
        sizes = self.unflattened_size
        _require(len(sizes) > 0, f"{name}: unflattened_size must not be empty")
        size = shape[dim]
        if sizes.count(-1) > 1 or any(s < -1 for s in sizes):
            raise ShapeError(
                f"{name}: unflattened_size {sizes} may hold at most one -1 and no "
                "other negative size"
            )
        known = prod(s for s in sizes if s != -1)
        if -1 in sizes:
            if known == 0 or size % known:
                raise ShapeError(
                    f"{name}: cannot infer the -1 in {sizes} for dimension {dim} of size {size}"
                )
            sizes = tuple(size // known if s == -1 else s for s in sizes)
        elif known != size:
            raise ShapeError(
                f"{name}: sizes {sizes} multiply to {known}, not to the size {size} "
                f"of dimension {dim}"
            )
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
        shapes: dict[str, Shape] = {"weight": (self.out_features, self.in_features)}
        if self.bias:
            shapes["bias"] = (self.out_features,)
        return shapes

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) >= 1, f"{name}: input must have at least 1 dimension, got a 0-d input")
        if shape[-1] != self.in_features:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} ends in {shape[-1]} features, but "
                f"in_features is {self.in_features}; use Linear({shape[-1]}, "
                f"{self.out_features})"
            )
        return _fits((*shape[:-1], self.out_features), name)

    def macs(self, input_shape: Iterable[int], *, training: bool = False) -> int:
        shape = _as_shape(input_shape, self._name)
        self.output_shape(shape, training=training)
        return linear_macs(shape, self.out_features)


class Identity(Layer):
    """``torch.nn.Identity``: returns its input; any arguments are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        return _as_shape(input_shape, self._name)


class Permute(Layer):
    """``torchvision.ops.misc.Permute(dims)``: ``torch.permute(x, dims)``.

    ``dims`` holds every dimension of the input once (negative ones count from the end).

    >>> Permute([0, 2, 3, 1]).output_shape((8, 96, 56, 56))
    (8, 56, 56, 96)
    """

    dims: Sequence[int]

    def __post_init__(self) -> None:
        _set(self, "dims", _as_tuple(self.dims, "dims", self._name))

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        if len(self.dims) != len(shape):
            raise ShapeError(
                f"{name}: dims {self.dims} name {len(self.dims)} dimensions, but the input "
                f"{dims_text(shape)} has {len(shape)}; list each dimension once"
            )
        order = [_normalise_dim(d, len(shape), name) for d in self.dims]
        if len(set(order)) != len(order):
            raise ShapeError(
                f"{name}: dims {self.dims} repeat a dimension; list each dimension once"
            )
        return tuple(shape[d] for d in order)


def _as_tuple(value: object, name: str, owner: str) -> tuple[int, ...]:
    result = _int_or_tuple(value, name, owner)
    return result if isinstance(result, tuple) else (result,)


class ChannelShuffle(Layer):
    """``torch.nn.ChannelShuffle(groups)``: reorders the channels (dimension 1) of an input of
    3 or more dimensions; the channels must divide into ``groups``.

    >>> ChannelShuffle(2).output_shape((1, 116, 28, 28))
    (1, 116, 28, 28)
    """

    groups: int

    def check_arguments(self) -> None:
        if self.groups <= 0:
            raise ShapeError(f"{self._name}: groups must be positive, got {self.groups}")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        self.check_arguments()
        _require(
            len(shape) > 2,
            f"{name}: input {dims_text(shape)} needs more than 2 dimensions (N, C, ...)",
        )
        if shape[1] % self.groups:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has {shape[1]} channels, which do not "
                f"divide into {self.groups} groups"
            )
        return shape


class Scale(Layer):
    """A learnable tensor of ``shape`` multiplying the input, with broadcasting: the layer
    scale of ConvNeXt (``nn.Parameter(torch.ones(shape) * init)``, then ``weight * x``).

    >>> Scale((96, 1, 1), 1e-6).output_shape((8, 96, 56, 56)), Scale((96, 1, 1)).param_count
    ((8, 96, 56, 56), 96)
    """

    shape: Sequence[int]
    init: float = 1.0

    def __post_init__(self) -> None:
        _set(self, "shape", _as_tuple(self.shape, "shape", self._name))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        return {"weight": tuple(self.shape)}

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        return _fits(_broadcast(name, tuple(self.shape), shape), name)


def _broadcast(name: str, a: Shape, b: Shape) -> Shape:
    """PyTorch's broadcasting: align the trailing dimensions; a size of 1 stretches."""
    rank = max(len(a), len(b))
    a1 = (1,) * (rank - len(a)) + a
    b1 = (1,) * (rank - len(b)) + b
    out = []
    for axis, (x, y) in enumerate(zip(a1, b1, strict=True)):
        if x != y and 1 not in (x, y):
            raise ShapeError(
                f"{name}: weight {dims_text(a)} does not broadcast to input {dims_text(b)}: "
                f"dimension {axis} has sizes {x} and {y}; use size 1 or {y} there"
            )
        out.append(y if x == 1 else x)
    return tuple(out)


class Transpose(Layer):
    """``torch.transpose(x, dim0, dim1)``: swaps two dimensions (negative ones count from the
    end).

    >>> Transpose(1, 2).output_shape((8, 58, 2, 28, 28))
    (8, 2, 58, 28, 28)
    """

    dim0: int
    dim1: int

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        a = _normalise_dim(self.dim0, len(shape), name)
        b = _normalise_dim(self.dim1, len(shape), name)
        if not shape:
            return shape
        out = list(shape)
        out[a], out[b] = shape[b], shape[a]
        return tuple(out)


class Mean(Layer):
    """``torch.mean(x, dim, keepdim=False)``: the average over ``dim`` (an int or a list of
    ints; None or an empty list: every dimension), as MNASNet and ShuffleNetV2 end with
    ``x.mean([2, 3])``.

    >>> Mean([2, 3]).output_shape((8, 1024, 7, 7)), Mean(-1, keepdim=True).output_shape((2, 3))
    ((8, 1024), (2, 1))
    """

    dim: int | Sequence[int] | None = None
    keepdim: bool = False

    def __post_init__(self) -> None:
        if self.dim is not None and not _is_int(self.dim):
            _set(self, "dim", _as_tuple(self.dim, "dim", self._name))

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        dim = self.dim
        dims: tuple[int, ...] = (dim,) if isinstance(dim, int) else tuple(dim or ())
        reduced = [_normalise_dim(d, len(shape), name) for d in dims]
        if len(set(reduced)) != len(reduced):
            raise ShapeError(
                f"{name}: dim {self.dim} names a dimension twice; list each dimension once"
            )
        every = not reduced
        if self.keepdim:
            return tuple(1 if every or i in reduced else s for i, s in enumerate(shape))
        return tuple(s for i, s in enumerate(shape) if not every and i not in reduced)
