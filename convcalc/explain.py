"""Worked answers for one layer: shapes, parameters, MACs, and each axis's formula with the
user's numbers in it.

``explain(layer, input_shape)`` returns a :class:`LayerReport`, plain data that
:mod:`convcalc.render` turns into a table or JSON. Without an input shape the report still
carries the weight shapes and parameter count, and the formulas in symbols.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import gcd
from typing import Any, cast

from ._record import _MISSING, Record
from .arithmetic import _window_count, flops, same_padding, unused_input
from .errors import ShapeError
from .layers import Layer, Shape, dims_text, layer_fields

__all__ = [
    "AxisWork",
    "LayerReport",
    "SeparableComparison",
    "compare_separable",
    "describe",
    "explain",
    "input_shape_from",
]

_UNIT = {"L": "element", "D": "slice", "H": "row", "W": "column"}


class AxisWork(Record):
    """One spatial axis: its formula (with numbers once the input is known) and a note."""

    axis: str
    formula: str
    note: str | None = None


class LayerReport(Record):
    """Everything convcalc can say about one layer, as data."""

    layer: Layer
    input_shape: Shape | None
    output_shape: Shape | None
    macs: int | None
    axes: tuple[AxisWork, ...] = ()
    output_padding: tuple[int, ...] | None = None

    @property
    def weight_shape(self) -> Shape | None:
        return self.layer.weight_shape

    @property
    def bias_shape(self) -> Shape | None:
        return self.layer.bias_shape

    @property
    def params(self) -> int:
        return self.layer.param_count

    @property
    def flops(self) -> int | None:
        return None if self.macs is None else flops(self.macs)


def describe(layer: Layer) -> str:
    """The layer as one would write it in PyTorch: required arguments by position, others by
    name where they differ from the default, and ``(3, 3)`` written ``3``.

    >>> from convcalc import Conv2d
    >>> describe(Conv2d(64, 32, 3, groups=8))
    'Conv2d(64, 32, 3, groups=8)'
    >>> describe(Conv2d(3, 64, (7, 5), stride=2, padding=3, bias=False))
    'Conv2d(3, 64, (7, 5), stride=2, padding=3, bias=False)'
    >>> from convcalc import Conv1d
    >>> describe(Conv1d(3, 8, 7, stride=2))
    'Conv1d(3, 8, 7, stride=2)'
    """
    cls = type(layer)
    fields = cls._record_fields
    parts = []
    per_axis = getattr(layer, "_nd", 0) == 1  # Conv1d(3, 8, 7): (7,) is written 7
    for name, value in layer_fields(layer).items():
        spec = fields[name]
        shown = _compact(value, per_axis)
        if spec.default is not _MISSING:
            default = spec.default
            normal = _normalised_default(layer, name, default)
            if value in (default, normal):
                continue
            parts.append(f"{name}={shown}")
        else:
            parts.append(shown)
    return f"{cls.__name__}({', '.join(parts)})"


def _compact(value: Any, per_axis: bool = False) -> str:
    if isinstance(value, tuple) and (len(value) > 1 or per_axis) and len(set(value)) == 1:
        value = value[0]
    return repr(value)


def _normalised_default(layer: Layer, name: str, default: Any) -> Any:
    """The default as the layer stores it (``1`` becomes ``(1, 1)`` in Conv2d)."""
    nd = getattr(layer, "_nd", 0)
    if (
        isinstance(default, int)
        and not isinstance(default, bool)
        and nd
        and isinstance(getattr(layer, name), tuple)
    ):
        return (default,) * nd
    if name == "stride" and default is None:
        return getattr(layer, "kernel_size", None)
    return default


def input_shape_from(
    values: Sequence[int], nd: int, in_channels: int | None, *, batched_only: bool = False
) -> Shape:
    """Read a user's ``-i``: spatial sizes (one repeats on every axis), ``C×spatial`` or
    ``N×C×spatial``. Spatial sizes alone take ``in_channels`` (1 if not known).

    >>> input_shape_from([128], 2, 64)
    (64, 128, 128)
    >>> input_shape_from([8, 64, 128, 128], 2, 64)
    (8, 64, 128, 128)
    """
    values = tuple(values)
    if len(values) == 1 and nd > 1:
        values = values * nd
    if len(values) == nd:
        shape: Shape = (in_channels if in_channels is not None else 1, *values)
    elif len(values) in (nd + 1, nd + 2):
        shape = values
        channels = shape[-nd - 1]
        if in_channels is not None and channels != in_channels:
            raise ShapeError(
                f"input {dims_text(shape)} has {channels} channels, but in_channels is "
                f"{in_channels}; make them agree"
            )
    else:
        raise ShapeError(
            f"input {dims_text(values)} must give {nd} spatial size{'s' if nd > 1 else ''} "
            f"(or one for all), C×spatial, or N×C×spatial"
        )
    if batched_only and len(shape) == nd + 1:
        shape = (1, *shape)
    return shape


def explain(
    layer: Layer,
    input_shape: Sequence[int] | None = None,
    *,
    output_size: Sequence[int] | None = None,
    training: bool = False,
) -> LayerReport:
    """Work out ``layer`` on ``input_shape``; ``output_size`` is ConvTranspose's forward
    argument (it picks ``output_padding``), ``training`` the module's mode (eval by default)."""
    shape = tuple(input_shape) if input_shape is not None else None
    out: Shape | None = None
    macs: int | None = None
    output_padding: tuple[int, ...] | None = None
    if shape is None:
        layer.check_arguments()
    else:
        if layer._kind == "transpose":
            from .layers.conv import _ConvTransposeNd

            transposed = cast(_ConvTransposeNd, layer)
            if output_size is not None:
                output_padding = transposed.output_padding_for(shape, output_size)
                # The layer that reaches the target is the one with that output_padding: it
                # is what the title and the JSON arguments show.
                from .layers import layer_fields

                fields = {**layer_fields(layer), "output_padding": output_padding}
                transposed = type(transposed)(**fields)
                layer = transposed
            out = transposed.output_shape(shape, training=training)
            macs = transposed.macs(shape, training=training)
        else:
            out = layer.output_shape(shape, training=training)
            macs = layer.macs(shape, training=training)
    return LayerReport(
        layer=layer,
        input_shape=shape,
        output_shape=out,
        macs=macs,
        axes=_axes(layer, shape, out, output_padding),
        output_padding=output_padding,
    )


def _axis_names(nd: int) -> tuple[str, ...]:
    return ("L",) if nd == 1 else ("D", "H", "W")[3 - nd :]


def _axes(
    layer: Any, shape: Shape | None, out: Shape | None, output_padding: tuple[int, ...] | None
) -> tuple[AxisWork, ...]:
    kind = layer._kind
    if kind in ("conv", "pool"):
        return _window_axes(layer, shape, out)
    if kind == "transpose":
        return _transpose_axes(layer, shape, out, output_padding)
    if kind == "adaptive" and out is not None:
        nd = layer._nd
        return tuple(
            AxisWork(a, f"{a}_out = output_size = {o}")
            for a, o in zip(_axis_names(nd), out[-nd:], strict=True)
        )
    if kind == "upsample" and shape is not None and out is not None:
        return _upsample_axes(layer, shape, out)
    if kind == "pixel":
        shuffle = hasattr(layer, "upscale_factor")
        r = layer.upscale_factor if shuffle else layer.downscale_factor
        op = "·" if shuffle else "/"
        c_op = "/" if shuffle else "·"
        if shape is None or out is None:
            return (
                AxisWork("C", f"C_out = C {c_op} {r}²"),
                AxisWork("H", f"H_out = H {op} {r}"),
                AxisWork("W", f"W_out = W {op} {r}"),
            )
        return (
            AxisWork("C", f"C_out = {shape[-3]} {c_op} {r}² = {out[-3]}"),
            AxisWork("H", f"H_out = {shape[-2]} {op} {r} = {out[-2]}"),
            AxisWork("W", f"W_out = {shape[-1]} {op} {r} = {out[-1]}"),
        )
    if kind == "blocks":
        return _block_axes(layer, shape, out)
    return ()


def _window_axes(layer: Any, shape: Shape | None, out: Shape | None) -> tuple[AxisWork, ...]:
    """Convolutions and pooling: ⌊(L + pads − d·(k−1) − 1) / s⌋ + 1 on each axis."""
    nd = layer._nd if hasattr(layer, "_nd") and layer._nd else 1
    k = _per_axis(layer.kernel_size, nd)
    s = _per_axis(layer.stride if layer.stride is not None else layer.kernel_size, nd)
    d = _per_axis(getattr(layer, "dilation", 1), nd)
    ceil = bool(getattr(layer, "ceil_mode", False))
    if layer._kind == "conv":
        padding = layer.padding
        if padding == "same":
            pads = [same_padding(kk, dilation=dd) for kk, dd in zip(k, d, strict=True)]
        elif padding == "valid":
            pads = [(0, 0)] * nd
        else:
            pads = [(p, p) for p in _per_axis(padding, nd)]
    else:
        pads = [(p, p) for p in _per_axis(getattr(layer, "padding", 0), nd)]
    axes = []
    names = _axis_names(nd)
    for i, name in enumerate(names):
        before, after = pads[i]
        pad_text = f"2·{before}" if before == after else f"{before} + {after}"
        known = shape is not None and out is not None
        # With the numbers known, ceil mode is written as floor division plus the window it
        # adds, so the printed numbers add up even where PyTorch drops that window.
        lo, hi = ("⌈", "⌉") if ceil and not known else ("⌊", "⌋")
        size = str(shape[len(shape) - nd + i]) if shape is not None else name
        text = f"{name}_out = {lo}({size} + {pad_text} − {d[i]}·({k[i]}−1) − 1) / {s[i]}{hi} + 1"
        note = None
        if shape is not None and out is not None:
            numerator = shape[len(shape) - nd + i] + before + after - d[i] * (k[i] - 1) - 1
            extra = out[len(out) - nd + i] - (numerator // s[i] + 1)
            if ceil and extra > 0:
                text += f" + {extra}"
            text += f" = {out[len(out) - nd + i]}"
            note = _unused_note(
                name,
                shape[len(shape) - nd + i],
                k[i],
                s[i],
                before,
                after,
                d[i],
                ceil,
                out[len(out) - nd + i],
            )
        axes.append(AxisWork(name, text, note))
    return tuple(axes)


def _unused_note(
    axis: str,
    size: int,
    kernel: int,
    stride: int,
    before: int,
    after: int,
    dilation: int,
    ceil: bool,
    out: int,
) -> str | None:
    """Floor division silently drops trailing input positions no window reaches."""
    span = dilation * (kernel - 1) + 1
    if ceil:
        rounded_up = _window_count(size + before + after + stride - 1, span, stride)
        if rounded_up > out:
            return (
                "ceil mode would add a last window, but it would start in the right padding, "
                "so PyTorch drops it"
            )
        if out > _window_count(size + before + after, span, stride):
            return "ceil mode adds a last, partial window (the + 1 after the floor)"
        return None
    # The trailing positions no window reaches, less those that are right padding.
    unused = (
        unused_input(
            size, kernel, stride=stride, padding=before, dilation=dilation, padding_right=after
        )
        - after
    )
    if unused <= 0:
        return None
    unit = _UNIT[axis]
    what = f"the last input {unit}" if unused == 1 else f"the last {unused} input {unit}s"
    return f"stride {stride} leaves {what} unused"


def _transpose_axes(
    layer: Any, shape: Shape | None, out: Shape | None, output_padding: tuple[int, ...] | None
) -> tuple[AxisWork, ...]:
    nd = layer._nd
    k, s, p, d = (
        _per_axis(getattr(layer, attr), nd)
        for attr in ("kernel_size", "stride", "padding", "dilation")
    )
    op = output_padding if output_padding is not None else _per_axis(layer.output_padding, nd)
    axes = []
    for i, name in enumerate(_axis_names(nd)):
        size = str(shape[len(shape) - nd + i]) if shape is not None else name
        text = f"{name}_out = ({size} − 1)·{s[i]} − 2·{p[i]} + {d[i]}·({k[i]}−1) + {op[i]} + 1"
        if out is not None:
            text += f" = {out[len(out) - nd + i]}"
        axes.append(AxisWork(name, text))
    return tuple(axes)


def _upsample_axes(layer: Any, shape: Shape, out: Shape) -> tuple[AxisWork, ...]:
    nd = len(shape) - 2
    axes = []
    for i, name in enumerate(_axis_names(nd)):
        if layer.size is not None:
            text = f"{name}_out = size = {out[2 + i]}"
        else:
            scales = layer.scale_factor
            scale = scales[i] if isinstance(scales, tuple) else scales
            text = f"{name}_out = ⌊{shape[2 + i]} · {scale}⌋ = {out[2 + i]}"
        axes.append(AxisWork(name, text))
    return tuple(axes)


def _block_axes(layer: Any, shape: Shape | None, out: Shape | None) -> tuple[AxisWork, ...]:
    k, d, p, s = (
        _per_axis(getattr(layer, attr), 2)
        for attr in ("kernel_size", "dilation", "padding", "stride")
    )
    if hasattr(layer, "output_size"):
        sizes: Sequence[int | str] = _per_axis(layer.output_size, 2)
    elif shape is not None:
        sizes = shape[-2:]
    else:
        sizes = ("H", "W")
    axes = []
    blocks = []
    for i, name in enumerate(("H", "W")):
        text = f"blocks_{name} = ⌊({sizes[i]} + 2·{p[i]} − {d[i]}·({k[i]}−1) − 1) / {s[i]}⌋ + 1"
        if isinstance(sizes[i], int):
            count = _window_count(sizes[i] + 2 * p[i], d[i] * (k[i] - 1) + 1, s[i])
            blocks.append(count)
            text += f" = {count}"
        axes.append(AxisWork(name, text))
    if len(blocks) == 2:
        axes.append(
            AxisWork(
                "L",
                f"L = blocks_H · blocks_W = {blocks[0]} · {blocks[1]} = {blocks[0] * blocks[1]}",
            )
        )
    return tuple(axes)


def _per_axis(value: Any, nd: int) -> tuple[Any, ...]:
    if isinstance(value, tuple):
        return value * nd if len(value) == 1 else value
    return (value,) * nd


class SeparableComparison(Record):
    """The same in/out/kernel as a standard, a grouped and a depthwise-separable convolution."""

    groups: int
    standard: LayerReport
    grouped: LayerReport
    depthwise: LayerReport
    pointwise: LayerReport

    @property
    def separable_params(self) -> int:
        return self.depthwise.params + self.pointwise.params

    @property
    def separable_macs(self) -> int | None:
        if self.depthwise.macs is None or self.pointwise.macs is None:
            return None
        return self.depthwise.macs + self.pointwise.macs


def default_groups(in_channels: int, out_channels: int) -> int:
    """The grouped column's default: the largest of 8, 4, 2 dividing both channel counts.

    >>> default_groups(64, 32)
    8
    >>> default_groups(6, 9)
    1
    """
    common = gcd(in_channels, out_channels)
    return next((g for g in (8, 4, 2) if common % g == 0), 1)


def compare_separable(
    nd: int,
    in_channels: int,
    out_channels: int,
    kernel_size: Any,
    *,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    bias: bool = True,
    groups: int | None = None,
    input_shape: Sequence[int] | None = None,
) -> SeparableComparison:
    """Standard vs grouped vs depthwise-separable (depthwise k×k, then pointwise 1×1)."""
    from .layers.conv import Conv1d, Conv2d, Conv3d

    conv = {1: Conv1d, 2: Conv2d, 3: Conv3d}[nd]
    g = default_groups(in_channels, out_channels) if groups is None else groups
    common = {"stride": stride, "padding": padding, "dilation": dilation, "bias": bias}
    standard = conv(in_channels, out_channels, kernel_size, **common)
    grouped = conv(in_channels, out_channels, kernel_size, groups=g, **common)
    depthwise = conv(in_channels, in_channels, kernel_size, groups=in_channels, **common)
    pointwise = conv(in_channels, out_channels, 1, bias=bias)
    mid = depthwise.output_shape(input_shape) if input_shape is not None else None
    return SeparableComparison(
        groups=g,
        standard=explain(standard, input_shape),
        grouped=explain(grouped, input_shape),
        depthwise=explain(depthwise, input_shape),
        pointwise=explain(pointwise, mid),
    )
