"""Batch, instance, group, layer, RMS and local response normalisation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import prod
from typing import ClassVar

from .._record import field
from ..errors import ShapeError
from ._base import (
    Layer,
    Shape,
    _as_shape,
    _check_rank,
    _int_or_tuple,
    _is_int,
    _require,
    _require_int,
    _set,
    _split,
    dims_text,
)

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
        shapes: dict[str, Shape] = {"weight": (self.num_features,)}
        if self.bias:
            shapes["bias"] = (self.num_features,)
        return shapes

    @property
    def buffer_shapes(self) -> dict[str, Shape]:
        if not self.track_running_stats:
            return {}
        c = self.num_features
        return {"running_mean": (c,), "running_var": (c,), "num_batches_tracked": ()}

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _check_rank(shape, self._ranks, name, "batched (N, C, ...)")
        # Batch statistics are used in training, and in eval when there are no running ones.
        batch_stats = training or not self.track_running_stats
        if batch_stats and shape[0] * prod(shape[2:]) == 1:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has one value per channel, which "
                f"{_batch_stats_reason(training)} cannot normalise; use a larger batch or "
                "spatial size"
            )
        _check_eps(name, self.eps, batch_stats, training)
        # An empty input returns before the channel count is compared.
        empty = 0 in shape
        if (
            (self.affine or self.track_running_stats)
            and shape[1] != self.num_features
            and not empty
        ):
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has {shape[1]} channels, but "
                f"num_features is {self.num_features}"
            )
        return shape


def _batch_stats_reason(training: bool) -> str:
    if training:
        return "a training-mode batch norm"
    return "a batch norm without running statistics (track_running_stats=False), even in eval,"


def _check_eps(name: str, eps: float, batch_stats: bool, training: bool) -> None:
    """``F.batch_norm``: eps > 0 with batch statistics, eps >= 0 with running ones."""
    if batch_stats and eps <= 0:
        when = "in training mode" if training else "without running statistics"
        raise ShapeError(
            f"{name}: eps {eps} must be positive {when}; use a small positive eps such as 1e-5"
        )
    if eps < 0:
        raise ShapeError(f"{name}: eps {eps} must not be negative; use a small eps such as 1e-5")


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


class FrozenBatchNorm2d(Layer):
    """torchvision's ``FrozenBatchNorm2d(num_features, eps=1e-5)`` (detection backbones): a
    batch norm whose statistics and affine terms are buffers, not parameters.

    It multiplies and adds ``(1, C, 1, 1)`` tensors, so the output has the broadcast shape.

    >>> norm = FrozenBatchNorm2d(64)
    >>> norm.output_shape((2, 64, 56, 56)), norm.param_count, norm.buffer_count
    ((2, 64, 56, 56), 0, 256)
    """

    num_features: int
    eps: float = 1e-5

    def __post_init__(self) -> None:
        self._check_tensors()

    @property
    def buffer_shapes(self) -> dict[str, Shape]:
        c = (self.num_features,)
        return {"weight": c, "bias": c, "running_mean": c, "running_var": c}

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        c = self.num_features
        padded = (1,) * (4 - len(shape)) + shape
        out = []
        for axis, (mine, theirs) in enumerate(zip((1, c, 1, 1), padded[-4:], strict=True)):
            if mine != theirs and 1 not in (mine, theirs):
                raise ShapeError(
                    f"{name}: input {dims_text(shape)} does not broadcast with the "
                    f"(1, {c}, 1, 1) statistics: dimension {axis - 4} has {theirs}, not {c}; "
                    f"use an (N, {c}, H, W) input"
                )
            out.append(theirs if mine == 1 else mine)
        return (*padded[:-4], *out)


class _InstanceNormNd(_BatchNormNd):
    affine: bool = False
    track_running_stats: bool = False

    _nd: ClassVar[int] = 0

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        batch, channels, spatial = _split(shape, self._nd, name)
        if channels != self.num_features and (self.affine or self.track_running_stats):
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has {channels} channels, but "
                f"num_features is {self.num_features}"
            )
        # Instance statistics are used in training, and in eval without running statistics.
        if (training or not self.track_running_stats) and prod(spatial) == 1:
            reason = (
                "a training-mode instance norm"
                if training
                else "an instance norm without running statistics (track_running_stats=False)"
            )
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has one spatial element, which {reason} "
                "cannot normalise; use a larger spatial size"
            )
        if self.affine and (batch == 0 or channels == 0):
            # PyTorch repeats the weight once per sample and channel: with none, it fails.
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has no samples or channels, which an "
                "affine instance norm cannot take; use affine=False"
            )
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
            raise ShapeError(
                f"{self._name}: num_channels {self.num_channels} is not divisible "
                f"by num_groups {self.num_groups}"
            )
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        if not self.affine:
            return {}
        shapes: dict[str, Shape] = {"weight": (self.num_channels,)}
        if self.bias:
            shapes["bias"] = (self.num_channels,)
        return shapes

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _require(
            len(shape) >= 2,
            f"{name}: input {dims_text(shape)} needs at least 2 dimensions (N, C, ...)",
        )
        channels = shape[1]
        if (shape[0] * channels // self.num_groups) * prod(shape[2:]) == 1:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} gives each group a single "
                "value, which a group norm cannot normalise (in either mode); use a larger "
                "input or fewer groups"
            )
        _require(self.num_groups > 0, f"{name}: num_groups must be positive, got {self.num_groups}")
        if channels % self.num_groups:
            raise ShapeError(
                f"{name}: input channels {channels} are not divisible by "
                f"num_groups {self.num_groups}"
            )
        if self.affine and channels != self.num_channels:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} has {channels} channels, but "
                f"num_channels is {self.num_channels}"
            )
        return shape


def _normalized_shape(value: object, owner: str) -> tuple[int, ...]:
    if _is_int(value):
        return (value,)  # type: ignore[return-value]
    result = _int_or_tuple(value, "normalized_shape", owner)
    return result if isinstance(result, tuple) else (result,)


class LayerNorm(Layer):
    """``torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)``."""

    normalized_shape: int | Sequence[int]
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
        shapes: dict[str, Shape] = {"weight": shape}
        if self.bias:
            shapes["bias"] = shape
        return shapes

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        normalized: tuple[int, ...] = self.normalized_shape  # type: ignore[assignment]
        return _check_trailing(self._name, _as_shape(input_shape, self._name), normalized)


class LayerNorm2d(LayerNorm):
    """torchvision's ``LayerNorm2d`` (ConvNeXt): a ``LayerNorm`` over the channels of an
    ``(N, C, H, W)`` input, normalising each position's ``C`` values.

    It permutes to ``(N, H, W, C)``, normalises the trailing ``normalized_shape`` and permutes
    back, so the input must be 4-d and usually ``normalized_shape`` is ``C``.

    >>> LayerNorm2d(96).output_shape((8, 96, 56, 56)), LayerNorm2d(96).param_count
    ((8, 96, 56, 56), 192)
    """

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        _check_rank(shape, (4,), name, "N, C, H, W")
        normalized: tuple[int, ...] = self.normalized_shape  # type: ignore[assignment]
        n, c, h, w = shape
        channels_last = (n, h, w, c)
        if channels_last[4 - len(normalized) :] != normalized or len(normalized) > 4:
            raise ShapeError(
                f"{name}: input {dims_text(shape)} read channels-last as "
                f"{dims_text(channels_last)} must end in normalized_shape "
                f"{dims_text(normalized)}; use normalized_shape {c}"
            )
        _require(len(normalized) > 0, f"{name}: normalized_shape must hold at least one size")
        return shape


def _check_trailing(name: str, shape: Shape, normalized: tuple[int, ...]) -> Shape:
    _require(len(normalized) > 0, f"{name}: normalized_shape must hold at least one size")
    if shape[len(shape) - len(normalized) :] != normalized or len(shape) < len(normalized):
        raise ShapeError(
            f"{name}: input {dims_text(shape)} must end in normalized_shape {dims_text(normalized)}"
        )
    return shape


class RMSNorm(Layer):
    """``torch.nn.RMSNorm(normalized_shape, eps=None, elementwise_affine=True)``."""

    normalized_shape: int | Sequence[int]
    eps: float | None = None
    elementwise_affine: bool = True

    def __post_init__(self) -> None:
        _set(self, "normalized_shape", _normalized_shape(self.normalized_shape, self._name))
        self._check_tensors()

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        shape: Shape = self.normalized_shape  # type: ignore[assignment]
        return {"weight": shape} if self.elementwise_affine else {}

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        normalized: tuple[int, ...] = self.normalized_shape  # type: ignore[assignment]
        return _check_trailing(self._name, _as_shape(input_shape, self._name), normalized)


class LocalResponseNorm(Layer):
    """``torch.nn.LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1.0)``: input of 3+ dims."""

    size: int
    alpha: float = 1e-4
    beta: float = 0.75
    k: float = 1.0

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        shape = _as_shape(input_shape, self._name)
        _require(
            len(shape) >= 3,
            f"{self._name}: input {dims_text(shape)} needs at least 3 dimensions (N, C, ...)",
        )
        return shape
