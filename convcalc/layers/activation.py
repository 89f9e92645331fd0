"""Dropout variants and activations (all shape-preserving but GLU)."""

from __future__ import annotations

from collections.abc import Iterable
from math import prod
from typing import ClassVar

from ..errors import ShapeError
from ._base import (
    Layer,
    Shape,
    _as_shape,
    _check_rank,
    _normalise_dim,
    _require,
    _require_int,
    dims_text,
)

# --------------------------------------------------------------------------------------------
# dropout and activations


class _DropoutNd(Layer):
    p: float = 0.5
    inplace: bool = False

    _ranks: ClassVar[tuple[int, ...] | None] = None
    _min_rank: ClassVar[int] = 0

    def __post_init__(self) -> None:
        if not 0 <= self.p <= 1:
            raise ShapeError(f"{self._name}: probability p must be between 0 and 1, got {self.p}")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        shape = _as_shape(input_shape, self._name)
        if self._ranks is not None:
            _check_rank(shape, self._ranks, self._name, "batched or unbatched")
        # A feature dropout draws one mask value per channel, in training only; p of 0 or 1
        # and empty inputs return before the mask is drawn, so then the rank does not matter.
        if training and 0 < self.p < 1 and prod(shape) > 0 and len(shape) < self._min_rank:
            raise ShapeError(
                f"{self._name}: input {dims_text(shape)} needs at least {self._min_rank} "
                "dimensions in training mode"
            )
        return shape


class Dropout(_DropoutNd):
    """``torch.nn.Dropout(p=0.5)``: any input shape."""


class Dropout1d(_DropoutNd):
    """``torch.nn.Dropout1d(p=0.5)``: input ``(N, C, L)`` or ``(C, L)``."""

    _ranks = (2, 3)


class Dropout2d(_DropoutNd):
    """``torch.nn.Dropout2d(p=0.5)``: input ``(N, C, H, W)`` or ``(C, H, W)``.

    PyTorch only warns about other ranks, but in training a feature dropout needs at least 2
    dimensions. In eval every dropout returns its input.
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


class StochasticDepth(Layer):
    """``torchvision.ops.StochasticDepth(p, mode)``: in training, zeroes the whole input
    (``mode='batch'``) or whole rows of the batch (``'row'``) with probability ``p``; in eval
    it returns its input. ``p`` and ``mode`` are checked in ``forward``, in either mode.
    """

    p: float
    mode: str

    def check_arguments(self) -> None:
        name = self._name
        if not 0 <= self.p <= 1:
            raise ShapeError(f"{name}: probability p must be between 0 and 1, got {self.p}")
        if self.mode not in ("batch", "row"):
            raise ShapeError(f"{name}: mode must be 'batch' or 'row', got {self.mode!r}")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        shape = _as_shape(input_shape, self._name)
        self.check_arguments()
        if training and self.p != 0 and self.mode == "row" and not shape:
            raise ShapeError(
                f"{self._name}: mode 'row' drops rows of the batch, but the input is 0-d"
            )
        return shape


class _ShapePreserving(Layer):
    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
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

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
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

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(len(shape) > 0, f"{name}: input must have at least 1 dimension")
        dim = _normalise_dim(self.dim, len(shape), name)
        if shape[dim] % 2:
            raise ShapeError(
                f"{name}: dimension {dim} of input {dims_text(shape)} has odd size "
                f"{shape[dim]}; GLU halves it, so it must be even"
            )
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

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        if self.num_parameters != 1:
            _require(len(shape) > 0, f"{name}: a 0-d input cannot have per-channel slopes")
            channels = shape[1] if len(shape) > 1 else 1
            if channels != self.num_parameters:
                raise ShapeError(
                    f"{name}: num_parameters {self.num_parameters} does not match "
                    f"the {channels} channels of input {dims_text(shape)}"
                )
        return shape
