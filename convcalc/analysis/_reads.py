"""Which input positions each layer reads, one spatial axis at a time.

Two descriptions of the same thing, used by :mod:`convcalc.analysis.receptive`:

* :func:`window`: the layer as a sliding window in Distill's sense: the span of input
  positions (unclipped, padding included) that output 0 reads, the longest span any output
  reads, and the step between outputs (a fraction for transposed convolutions and upsampling);
* :func:`reads`: the exact input positions a set of output positions reads, inside the input
  (what a gradient reaches).

A layer that mixes the whole axis (normalisation over space, Linear over it, Flatten)
answers ``None``: its field is the whole input.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from ..arithmetic import adaptive_pool_window
from ..layers import Layer, Shape

# Layers that act position by position on every spatial axis.
_POINTWISE = frozenset(
    {
        "AlphaDropout",
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "CELU",
        # Channel-wise or whole-tensor-per-sample operations: each position reads itself.
        "ChannelShuffle",
        "FrozenBatchNorm2d",
        "LayerNorm2d",
        "Permute",
        "Scale",
        "StochasticDepth",
        "Transpose",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "ELU",
        "FeatureAlphaDropout",
        "GELU",
        "Hardshrink",
        "Hardsigmoid",
        "Hardswish",
        "Hardtanh",
        "Identity",
        "LeakyReLU",
        "LocalResponseNorm",
        "LogSigmoid",
        "Mish",
        "PReLU",
        "ReLU",
        "ReLU6",
        "SELU",
        "SiLU",
        "Sigmoid",
        "Softplus",
        "Softshrink",
        "Softsign",
        "Tanh",
        "Tanhshrink",
    }
)

WHOLE = None


class Window:
    """One axis of a layer as Distill's recurrence sees it (in input positions)."""

    __slots__ = ("first", "longest", "step")

    def __init__(self, first: tuple[Fraction, Fraction], longest: int, step: Fraction) -> None:
        self.first = first  # [a, b]: what output 0 reads, padding positions included
        self.longest = longest  # the most positions one output reads, end to end
        self.step = step  # how far apart consecutive outputs' windows are


def _window(a: int, b: int, longest: int, step: Fraction) -> Window:
    return Window((Fraction(a), Fraction(b)), longest, step)


def _axis(value: Any, nd: int, index: int) -> int:
    if isinstance(value, tuple):
        return int(value[0] if len(value) == 1 else value[index])
    return int(value)


def _nd(layer: Layer) -> int:
    return int(getattr(layer, "_nd", 0))


def axis_of(layer: Layer, dim: int, rank: int) -> int | None:
    """The layer's own axis index for tensor dimension ``dim`` of a ``rank``-d input, or
    ``None`` when the layer does not slide over that dimension."""
    nd = _nd(layer)
    if type(layer).__name__ == "Upsample" or type(layer).__name__.startswith("Upsampling"):
        nd = rank - 2
    if type(layer).__name__ in ("PixelShuffle", "PixelUnshuffle"):
        nd = 2
    index = dim - (rank - nd)
    return index if 0 <= index < nd else None


def _conv_pads(layer: Any, i: int) -> tuple[int, int]:
    pads = layer.explicit_padding()
    pair: tuple[int, int] = pads[i] if len(pads) > 1 else pads[0]
    return pair


def window(layer: Layer, i: int, size: int, out: int) -> Window | None:
    """The layer's window on its axis ``i`` (input ``size``, output ``out``); ``None`` for a
    layer that reads the whole axis."""
    name = type(layer).__name__
    kind = layer._kind
    nd = _nd(layer)
    if kind == "conv":
        lay: Any = layer
        k, s, d = (_axis(getattr(lay, a), nd, i) for a in ("kernel_size", "stride", "dilation"))
        before, _ = _conv_pads(lay, i)
        span = d * (k - 1) + 1
        return _window(-before, -before + span - 1, span, Fraction(s))
    if kind == "pool":
        k, s, p, d = (v[i] for v in layer._window_arguments())  # type: ignore[attr-defined]
        span = d * (k - 1) + 1
        return _window(-p, -p + span - 1, span, Fraction(s))
    if kind == "transpose" or name.startswith("MaxUnpool"):
        return _fractional(layer, i, size, out)
    if kind == "adaptive" or (kind == "upsample" and getattr(layer, "mode", "") == "area"):
        # The window lengths repeat; the first 4096 outputs show every length in practice.
        windows = [adaptive_pool_window(o, size, out) for o in range(min(out, 4096))]
        longest = max(end - start for start, end in windows)
        start, end = windows[0]
        return _window(start, end - 1, longest, Fraction(size, out))
    if name.startswith("Upsampl") or name == "PixelShuffle":
        positions = _upsample_sources(layer, size, out)
        first = positions(0)
        longest = max(b - a + 1 for a, b in (positions(o) for o in range(min(out, 64))))
        return _window(first[0], first[1], longest, Fraction(size, out))
    if name == "PixelUnshuffle":
        r = int(layer.downscale_factor)  # type: ignore[attr-defined]
        return _window(0, r - 1, r, Fraction(r))
    if name.startswith(("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "Circular")):
        before, _ = _pad_pair(layer, i, nd)
        return _window(-before, -before, 1, Fraction(1))
    return None


def _fractional(layer: Any, i: int, size: int, out: int) -> Window:
    """Transposed convolution (and max unpooling): output o reads input i when
    ``o = i·s − p + m·d`` for a kernel tap ``m``: a window of ``1/s`` input steps."""
    nd = _nd(layer)
    k, s, p = (_axis(getattr(layer, a), nd, i) for a in ("kernel_size", "stride", "padding"))
    d = _axis(getattr(layer, "dilation", 1), nd, i)

    # Taps that land on the same outputs share a residue (m·d − p) mod s; output o reads the
    # taps of residue o mod s. O(k), whatever the stride.
    groups: dict[int, list[int]] = {}
    for m in range(k):
        groups.setdefault((m * d - p) % s, []).append(m)
    longest = max((max(ms) - min(ms)) * d // s + 1 for ms in groups.values())
    o = min(groups)
    taps = groups[o]
    a, b = (o + p - max(taps) * d) // s, (o + p - min(taps) * d) // s
    # Output 0 reads nothing when no tap lands on it (a kernel shorter than the stride): its
    # window is where the first reading output's is, moved back o steps of 1/s.
    shift = Fraction(o, s)
    return Window((a - shift, b - shift), longest, Fraction(1, s))


def _pad_pair(layer: Any, i: int, nd: int) -> tuple[int, int]:
    padding = layer.padding
    # F.pad order: last axis first; layer axis i (first axis first) is pair nd - 1 - i.
    pair = nd - 1 - i
    return int(padding[2 * pair]), int(padding[2 * pair + 1])


def _f32(value: float) -> float:
    return float(struct.unpack("f", struct.pack("f", value))[0])


def _upsample_sources(layer: Any, size: int, out: int) -> Any:
    """Which input positions upsampled output ``o`` reads: PyTorch's index arithmetic."""
    name = type(layer).__name__
    if name == "PixelShuffle":
        r = int(layer.upscale_factor)
        return lambda o: (o // r, o // r)
    if name == "UpsamplingNearest2d":
        mode, scale_factor, align = "nearest", layer.scale_factor, None
    elif name == "UpsamplingBilinear2d":
        mode, scale_factor, align = "bilinear", layer.scale_factor, True
    else:
        mode, scale_factor, align = layer.mode, layer.scale_factor, layer.align_corners
    if isinstance(scale_factor, tuple):
        scale_factor = scale_factor[0] if len(set(scale_factor)) == 1 else None
    if layer.size is not None or getattr(layer, "recompute_scale_factor", None):
        scale_factor = None
    if mode in ("nearest", "nearest-exact"):
        if out == size:
            return lambda o: (o, o)
        if out == 2 * size and mode == "nearest":
            return lambda o: (o >> 1, o >> 1)
        scale = _f32(1.0 / scale_factor) if scale_factor else _f32(size / out)
        half = 0.5 if mode == "nearest-exact" else 0.0

        def nearest(o: int) -> tuple[int, int]:
            src = min(int(_f32(_f32(o + half) * scale) // 1), size - 1)
            return src, src

        return nearest
    # Interpolating modes read the neighbours of the source coordinate (bicubic two more).
    reach = 2 if mode == "bicubic" else 1
    if align:
        scale = (size - 1) / (out - 1) if out > 1 else 0.0
    else:
        scale = 1.0 / scale_factor if scale_factor else size / out

    def interpolating(o: int) -> tuple[int, int]:
        src = o * scale if align else max((o + 0.5) * scale - 0.5, 0.0 if reach == 1 else -1e9)
        base = int(src // 1)
        low = max(base - (reach - 1), 0)
        high = min(base + reach, size - 1)
        return min(low, size - 1), max(high, 0)

    return interpolating


# --------------------------------------------------------------------------------------------
# exact reads


def reads(layer: Layer, i: int, size: int, out: int, wanted: Iterable[int]) -> set[int] | None:
    """The input positions (inside ``0..size-1``) that the outputs ``wanted`` read on the
    layer's axis ``i``; ``None`` when each output reads the whole axis."""
    name = type(layer).__name__
    kind = layer._kind
    nd = _nd(layer)
    found: set[int] = set()
    if kind == "conv":
        lay: Any = layer
        k, s, d = (_axis(getattr(lay, a), nd, i) for a in ("kernel_size", "stride", "dilation"))
        before, _ = _conv_pads(lay, i)
        mode = str(lay.padding_mode)
        for o in wanted:
            for m in range(k):
                _add_padded(found, o * s - before + m * d, size, mode)
        return found
    if kind == "pool":
        k, s, p, d = (v[i] for v in layer._window_arguments())  # type: ignore[attr-defined]
        for o in wanted:
            found.update(q for m in range(k) if 0 <= (q := o * s - p + m * d) < size)
        return found
    if kind == "transpose" or name.startswith("MaxUnpool"):
        lay = layer
        k, s, p = (_axis(getattr(lay, a), nd, i) for a in ("kernel_size", "stride", "padding"))
        d = _axis(getattr(lay, "dilation", 1), nd, i)
        for o in wanted:
            for m in range(k):
                t = o + p - m * d
                if t % s == 0 and 0 <= t // s < size:
                    found.add(t // s)
        return found
    if kind == "adaptive" or (kind == "upsample" and getattr(layer, "mode", "") == "area"):
        for o in wanted:
            start, end = adaptive_pool_window(o, size, out)
            found.update(range(start, end))
        return found
    if name.startswith("Upsampl") or name == "PixelShuffle":
        positions = _upsample_sources(layer, size, out)
        for o in wanted:
            a, b = positions(o)
            found.update(range(a, b + 1))
        return found
    if name == "PixelUnshuffle":
        r = int(layer.downscale_factor)  # type: ignore[attr-defined]
        for o in wanted:
            found.update(range(o * r, o * r + r))
        return found
    if name.startswith(("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "Circular")):
        before, _ = _pad_pair(layer, i, nd)
        mode = (
            "reflect"
            if name.startswith("Reflection")
            else "replicate"
            if name.startswith("Replication")
            else "circular"
            if name.startswith("Circular")
            else "zeros"
        )
        for o in wanted:
            _add_padded(found, o - before, size, mode)
        return found
    return None


def _add_padded(found: set[int], q: int, size: int, mode: str) -> None:
    """Add the input position that padded position ``q`` (in input coordinates) reads."""
    if 0 <= q < size:
        found.add(q)
    elif mode == "reflect":
        found.add(-q if q < 0 else 2 * (size - 1) - q)
    elif mode == "replicate":
        found.add(0 if q < 0 else size - 1)
    elif mode == "circular":
        found.add(q % size)


def pointwise(layer: Layer) -> bool:
    """Whether the layer acts on each spatial position alone."""
    return type(layer).__name__ in _POINTWISE


def spatial_dims_after(
    layer: Layer, dims: tuple[int | None, ...], shape: Shape, out: Shape
) -> tuple[int | None, ...]:
    """Where each tracked axis sits in the layer's output (``None`` once it is mixed away)."""
    name = type(layer).__name__
    rank, out_rank = len(shape), len(out)
    if name == "Flatten":
        lay: Any = layer
        start = lay.start_dim % rank if rank else 0
        end = lay.end_dim % rank if rank else 0
        return tuple(
            None
            if d is None or (start <= d <= end and end > start)
            else d
            if d < start
            else d - (end - start)
            for d in dims
        )
    if name == "Unflatten":
        lay = layer
        dim = lay.dim % rank
        grow = out_rank - rank
        return tuple(None if d is None or d == dim else d if d < dim else d + grow for d in dims)
    if name in ("Permute", "Transpose"):
        # A tracked axis moves with its dimension; nothing is mixed.
        order = list(range(rank))
        if name == "Permute":
            order = [int(d) % rank for d in _permute_order(layer)]
        else:
            a, b = (int(getattr(layer, k)) % rank for k in ("dim0", "dim1"))
            order[a], order[b] = order[b], order[a]
        return tuple(None if d is None else order.index(d) for d in dims)
    if name == "Mean":
        reduced = _mean_dims(layer, rank)
        keep = bool(getattr(layer, "keepdim", False))
        return tuple(
            None
            if d is None or d in reduced
            else d
            if keep
            else d - sum(1 for r in reduced if r < d)
            for d in dims
        )
    if out_rank != rank:
        return tuple(None for _ in dims)
    if name == "Linear":
        return tuple(None if d == rank - 1 else d for d in dims)
    return dims


def _permute_order(layer: Layer) -> tuple[int, ...]:
    """A Permute's order of dimensions."""
    return tuple(getattr(layer, "dims", ()))


def _mean_dims(layer: Layer, rank: int) -> set[int]:
    """The dimensions a Mean reduces (every one when ``dim`` is None or empty)."""
    dim = getattr(layer, "dim", None)
    dims: tuple[int, ...] = (dim,) if isinstance(dim, int) else tuple(dim or ())
    return {d % rank for d in dims} if dims else set(range(rank))
