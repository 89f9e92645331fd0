"""Upsampling, pixel (un)shuffle, and Unfold / Fold."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from math import prod

from ..arithmetic import _window_count
from ..errors import ShapeError
from ._base import (
    IntOrTuple,
    Layer,
    Shape,
    UpsampleMode,
    _as_shape,
    _check_rank,
    _exactly,
    _fits,
    _is_int,
    _join,
    _non_batch_nonzero,
    _non_negative,
    _normalise_int_fields,
    _ntuple,
    _positive,
    _require,
    _require_int,
    _set,
    _split,
    dims_text,
)
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d

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

    _kind = "upsample"

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

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        mode = self.mode
        nd = len(shape) - 2
        if mode in ("nearest", "area", "nearest-exact") and self.align_corners is not None:
            raise ShapeError(
                f"{name}: align_corners only applies to the interpolating modes "
                "linear, bilinear, bicubic and trilinear; leave it unset for "
                f"{mode!r}"
            )
        if self.size is not None and self.scale_factor is not None:
            raise ShapeError(f"{name}: give size or scale_factor, not both")
        if self.size is None and self.scale_factor is None:
            raise ShapeError(f"{name}: give size or a non-zero scale_factor")
        spatial = shape[2:] if nd > 0 else ()
        out: tuple[int, ...]
        if self.size is not None:
            if isinstance(self.size, tuple):
                if len(self.size) != nd:
                    raise ShapeError(
                        f"{name}: size {self.size} has {len(self.size)} values, but "
                        f"the input {dims_text(shape)} has {max(nd, 0)} spatial "
                        "dimensions"
                    )
                if not all(_is_int(v) for v in self.size):
                    raise ShapeError(f"{name}: size {self.size} must hold integers")
                out = self.size
            else:
                _require(_is_int(self.size), f"{name}: size must be an integer, got {self.size!r}")
                out = (self.size,) * max(nd, 0)
            if self.recompute_scale_factor:
                raise ShapeError(
                    f"{name}: recompute_scale_factor has no meaning with an "
                    "explicit size; leave it unset"
                )
        else:
            scales = self.scale_factor
            if isinstance(scales, tuple):
                if len(scales) != nd:
                    raise ShapeError(
                        f"{name}: scale_factor {scales} has {len(scales)} values, "
                        f"but the input {dims_text(shape)} has {max(nd, 0)} "
                        "spatial dimensions"
                    )
            else:
                scales = (scales,) * max(nd, 0)  # type: ignore[assignment]
            if any(not math.isfinite(s) for s in scales):  # type: ignore[union-attr]
                raise ShapeError(f"{name}: scale_factor {self.scale_factor} must be finite")
            products = [
                float(size) * s
                for size, s in zip(spatial, scales, strict=False)  # type: ignore[arg-type]
            ]
            if any(not math.isfinite(x) or abs(x) >= 2**63 for x in products):
                raise ShapeError(
                    f"{name}: scale_factor {self.scale_factor} makes an output size beyond what "
                    "a tensor can have; use a smaller scale"
                )
            out = tuple(int(x) for x in products)
        if not 1 <= nd <= 3:
            raise ShapeError(
                f"{name}: expected a 3-d, 4-d or 5-d input (N, C, *spatial), got "
                f"{len(shape)}-d input {dims_text(shape)}"
            )
        if mode not in UpsampleMode.__members__.values():
            raise ShapeError(
                f"{name}: mode {mode!r} is not one of "
                + ", ".join(repr(str(m)) for m in UpsampleMode)
            )
        if mode in _INTERPOLATING and _INTERPOLATING[mode] != nd:
            raise ShapeError(
                f"{name}: mode {mode!r} needs {_INTERPOLATING[mode]} spatial "
                f"dimensions, got input {dims_text(shape)}"
            )
        if mode == "lanczos":
            raise ShapeError(
                f"{name}: mode 'lanczos' needs antialias=True, which "
                "nn.Upsample cannot pass; use F.interpolate"
            )
        if mode == "area":
            return _area(shape, out)
        if shape[1] == 0:
            raise ShapeError(f"{name}: input {dims_text(shape)} has no channels")
        if 0 in spatial or any(o <= 0 for o in out):
            raise ShapeError(
                f"{name}: input {dims_text(spatial)} and output {dims_text(out)} "
                "sizes must be positive; use a larger size or scale_factor"
            )
        return _fits((*shape[:2], *out), name)


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

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        return Upsample(self.size, self.scale_factor, "nearest").output_shape(input_shape)


class UpsamplingBilinear2d(Layer):
    """``torch.nn.UpsamplingBilinear2d(size=None, scale_factor=None)`` (align_corners=True)."""

    size: int | tuple[int, ...] | None = None
    scale_factor: float | tuple[float, ...] | None = None

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        return Upsample(self.size, self.scale_factor, "bilinear", True).output_shape(input_shape)


class PixelShuffle(Layer):
    """``torch.nn.PixelShuffle(r)``: ``(*, C*r*r, H, W) -> (*, C, H*r, W*r)``.

    >>> PixelShuffle(3).output_shape((2, 18, 4, 5))
    (2, 2, 12, 15)
    """

    _kind = "pixel"

    upscale_factor: int

    def __post_init__(self) -> None:
        _require_int(self, "upscale_factor")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name, r = self._name, self.upscale_factor
        shape = _as_shape(input_shape, name)
        _require(
            len(shape) >= 3,
            f"{name}: input {dims_text(shape)} needs at least 3 dimensions (*, C, H, W)",
        )
        _require(r > 0, f"{name}: upscale_factor must be positive, got {r}")
        *lead, c, h, w = shape
        if c % (r * r):
            raise ShapeError(
                f"{name}: channels {c} are not divisible by upscale_factor² = "
                f"{r * r}; use a multiple of {r * r} channels"
            )
        return (*lead, c // (r * r), h * r, w * r)


class PixelUnshuffle(Layer):
    """``torch.nn.PixelUnshuffle(r)``: ``(*, C, H*r, W*r) -> (*, C*r*r, H, W)``."""

    _kind = "pixel"

    downscale_factor: int

    def __post_init__(self) -> None:
        _require_int(self, "downscale_factor")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name, r = self._name, self.downscale_factor
        shape = _as_shape(input_shape, name)
        _require(
            len(shape) >= 3,
            f"{name}: input {dims_text(shape)} needs at least 3 dimensions (*, C, H, W)",
        )
        _require(r > 0, f"{name}: downscale_factor must be positive, got {r}")
        *lead, c, h, w = shape
        for axis, size in (("height", h), ("width", w)):
            if size % r:
                raise ShapeError(f"{name}: {axis} {size} is not divisible by downscale_factor {r}")
        if prod(shape) == 0:
            return shape  # PyTorch's CPU kernel returns an empty input unchanged.
        return (*lead, c * r * r, h // r, w // r)


class Unfold(Layer):
    """``torch.nn.Unfold``: ``(N, C, H, W) -> (N, C*kh*kw, L)``, ``L`` = number of blocks.

    >>> Unfold(3).output_shape((2, 3, 10, 12))
    (2, 27, 80)
    """

    _kind = "blocks"

    kernel_size: IntOrTuple
    dilation: IntOrTuple = 1
    padding: IntOrTuple = 0
    stride: IntOrTuple = 1

    def __post_init__(self) -> None:
        _normalise_int_fields(self, "kernel_size", "dilation", "padding", "stride")

    def blocks(self, spatial: Sequence[int]) -> tuple[int, ...]:
        """Sliding-block positions per axis: ``(size + 2p - d(k-1) - 1) // s + 1``."""
        args = [
            _exactly(_ntuple(getattr(self, a), 2), 2, a, self._name)
            for a in ("kernel_size", "dilation", "padding", "stride")
        ]
        return tuple(
            _window_count(size + 2 * p, d * (k - 1) + 1, s)
            for size, k, d, p, s in zip(spatial, *args, strict=True)
        )

    def _checked(self) -> tuple[tuple[int, ...], ...]:
        name = self._name
        k, d, p, s = (
            _exactly(_ntuple(getattr(self, a), 2), 2, a, name)
            for a in ("kernel_size", "dilation", "padding", "stride")
        )
        _positive(name, "kernel_size", k)
        _positive(name, "dilation", d)
        _non_negative(name, "padding", p)
        _positive(name, "stride", s)
        return k, d, p, s

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        name = self._name
        shape = _as_shape(input_shape, name)
        k, _, _, _ = self._checked()
        batch, channels, spatial = _split(shape, 2, name)
        _non_batch_nonzero(shape, batch is not None, name)
        blocks = self.blocks(spatial)
        if any(b < 1 for b in blocks):
            raise ShapeError(
                f"{name}: input {dims_text(spatial)} is too small for the kernel: "
                f"{dims_text(blocks)} blocks; use a smaller kernel or more padding"
            )
        return _fits(_join(batch, (channels * prod(k), prod(blocks))), name)


class Fold(Layer):
    """``torch.nn.Fold``: ``(N, C*kh*kw, L) -> (N, C, *output_size)``."""

    _kind = "blocks"

    output_size: IntOrTuple
    kernel_size: IntOrTuple
    dilation: IntOrTuple = 1
    padding: IntOrTuple = 0
    stride: IntOrTuple = 1

    def __post_init__(self) -> None:
        _normalise_int_fields(self, "output_size", "kernel_size", "dilation", "padding", "stride")

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
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
            raise ShapeError(
                f"{name}: input dimension {columns} is not divisible by the kernel "
                f"area {area} (= {dims_text(k)})"
            )
        blocks = unfold.blocks(size)
        if length != prod(blocks):
            raise ShapeError(
                f"{name}: input has {length} blocks, but output_size {dims_text(size)} gives "
                f"{' * '.join(map(str, blocks))} = {prod(blocks)}"
            )
        if any(b < 1 for b in blocks):
            # Two negative counts multiply to a positive one; PyTorch checks each.
            raise ShapeError(
                f"{name}: output_size {dims_text(size)} is smaller than the kernel "
                f"{dims_text(k)} allows: {dims_text(blocks)} blocks; use a larger output_size "
                "or a smaller kernel"
            )
        return _fits((*lead, columns // area, *size), name)
