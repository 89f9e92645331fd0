"""A network's arithmetic explained: each layer's formula with its numbers, and where every
flattened size comes from.

``explain_network(network)`` works each layer out with :func:`convcalc.explain.explain` (the
single-layer commands' formulas) and derives every ``Flatten`` size back to the input in one
line, the question LeNet's ``Linear(4*4*50, 500)`` raises::

    800 = 50 × 4 × 4; 4 = ⌊(8 − 2)/2⌋ + 1; 8 = 12 − 5 + 1; 12 = ⌊(24 − 2)/2⌋ + 1; 24 = 28 − 5 + 1

Rows and columns a layer never reads (stride leftovers) and ceil-mode windows are flagged on
the layer's own line (by :func:`convcalc.explain.explain`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._record import Record
from ..explain import AxisWork, describe, explain
from ..layers import Layer, Shape, dims_text
from ..network import INPUT, Network, _Merge, summarize

__all__ = ["LayerWork", "NetworkWork", "explain_network"]

_UNIT = {"L": "element", "D": "slice", "H": "row", "W": "column"}


class LayerWork(Record):
    """One node: what it is, its shapes, and each axis's formula with the numbers."""

    name: str
    text: str
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    axes: tuple[AxisWork, ...] = ()


class NetworkWork(Record):
    name: str
    layers: tuple[LayerWork, ...]
    derivations: tuple[str, ...]

    def lines(self) -> list[str]:
        """Plain text: one block per layer, then one line per flattened size."""
        out: list[str] = []
        for layer in self.layers:
            shapes = " + ".join(dims_text(s) for s in layer.input_shapes)
            out.append(f"{layer.name}: {layer.text}  {shapes} -> {dims_text(layer.output_shape)}")
            for axis in layer.axes:
                out.append(f"  {axis.formula}")
                if axis.note:
                    out.append(f"    note: {axis.note}")
        for line in self.derivations:
            out.append(f"flatten: {line}")
        return out


def explain_network(
    network: Network, input_shape: Sequence[int] | None = None, *, mode: str = "eval"
) -> NetworkWork:
    """Every node's formula per axis with the numbers, and a derivation of every flatten size,
    in the forward pass of ``mode`` (``"eval"`` or ``"train"``, as in ``summarize``).

    >>> from convcalc.spec import load_spec_file
    >>> explain_network(load_spec_file("lenet")).derivations[0]
    '800 = 50 × 4 × 4; 4 = ⌊(8 − 2)/2⌋ + 1; 8 = 12 − 5 + 1; 12 = ⌊(24 − 2)/2⌋ + 1; 24 = 28 − 5 + 1'
    """
    network = network.at(input_shape)
    summary = summarize(network, input_shape, mode=mode)
    # A training-only node has no row in eval mode: it does not run.
    by_index = {row.index: row for row in summary.layer_rows()}
    rows = [by_index.get(i) for i in range(len(network.nodes))]
    work = []
    derivations = []
    for index, (node, row) in enumerate(zip(network.nodes, rows, strict=True)):
        if row is None:
            continue
        op = row.layer
        if isinstance(op, _Merge):
            kind = type(op).__name__
            text = kind if kind != "Concat" else f"Concat(dim={op.dim})"  # type: ignore[attr-defined]
            work.append(LayerWork(node.name, text, row.input_shapes, row.output_shape))
            continue
        layer: Any = op
        axes = _axes(layer, row.input_shapes[0], row.output_shape)
        work.append(LayerWork(node.name, describe(layer), row.input_shapes, row.output_shape, axes))
        if type(layer).__name__ == "Flatten" and row.output_shape != row.input_shapes[0]:
            derivations.append(_derive_flatten(network, rows, index))
    return NetworkWork(network.name, tuple(work), tuple(derivations))


def _axes(layer: Layer, shape: Shape, out: Shape) -> tuple[AxisWork, ...]:
    name = type(layer).__name__
    if name.startswith(("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "Circular")):
        return _pad_axes(layer, shape, out)
    return explain(layer, shape).axes


def _pad_axes(layer: Any, shape: Shape, out: Shape) -> tuple[AxisWork, ...]:
    nd = layer._nd
    names = ("L",) if nd == 1 else ("D", "H", "W")[3 - nd :]
    axes = []
    for i, axis in enumerate(names):
        pair = nd - 1 - i
        before, after = layer.padding[2 * pair], layer.padding[2 * pair + 1]
        size = shape[len(shape) - nd + i]
        result = out[len(out) - nd + i]
        axes.append(AxisWork(axis, f"{axis}_out = {size} + {before} + {after} = {result}"))
    return tuple(axes)


# --------------------------------------------------------------------------------------------
# flatten derivations


def _derive_flatten(network: Network, rows: Sequence[Any], index: int) -> str:
    row = rows[index]
    layer: Any = row.layer
    shape = row.input_shapes[0]
    rank = len(shape)
    start, end = layer.start_dim % rank, layer.end_dim % rank
    factors = shape[start : end + 1]
    total = row.output_shape[start]
    parts = [f"{total} = " + " × ".join(str(f) for f in factors)]
    for dim in range(max(start, rank - 3), end + 1):
        if dim < 2 and rank > 2:
            continue  # batch and channels are given, not derived
        node = network.nodes[index].inputs[0]
        value = shape[dim]
        while node != INPUT:
            r = rows[node]
            if r is None:  # pragma: no cover - a node that runs reads no training-only node
                break
            op = r.layer
            if isinstance(op, _Merge) or len(r.input_shapes[0]) != rank:
                break
            before = r.input_shapes[0][dim]
            if before != value:
                step = f"{value} = {_step(op, before, value, dim, rank)}"
                if step not in parts:  # a square input derives each size once
                    parts.append(step)
            value = before
            node = network.nodes[node].inputs[0]
    return "; ".join(parts)


def _step(layer: Any, size: int, out: int, dim: int, rank: int) -> str:
    """``12 − 5 + 1`` or ``⌊(8 − 2)/2⌋ + 1``: one layer's formula on one axis, simplified."""
    kind = layer._kind
    nd = getattr(layer, "_nd", 0) or 1
    i = dim - (rank - nd)
    if kind in ("conv", "pool"):
        if kind == "conv":
            k, s, d = (_at(getattr(layer, a), i) for a in ("kernel_size", "stride", "dilation"))
            before, after = layer.explicit_padding()[i]
        else:
            k, s, before, d = (v[i] for v in layer._window_arguments())
            after = before
        span = d * (k - 1) + 1
        inner = f"{size}" + (f" + {before + after}" if before + after else "") + f" − {span}"
        # Ceil mode as floor division plus the window it adds, as the layer formulas write it.
        extra = out - ((size + before + after - span) // s + 1)
        tail = f" + {extra}" if extra > 0 else ""
        return (f"⌊({inner})/{s}⌋ + 1" if s > 1 else f"{inner} + 1") + tail
    if kind == "transpose":
        k, s, p, d, op = (
            _at(getattr(layer, a), i)
            for a in ("kernel_size", "stride", "padding", "dilation", "output_padding")
        )
        text = f"({size} − 1)·{s}" if s > 1 else f"{size} − 1"
        text += f" − {2 * p}" if p else ""
        text += f" + {d * (k - 1)}" if k > 1 else ""
        text += f" + {op}" if op else ""
        return text + " + 1"
    if kind == "adaptive":
        return f"output_size of {type(layer).__name__}"
    if type(layer).__name__.startswith(
        ("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "Circular")
    ):
        pair = nd - 1 - i
        return f"{size} + {layer.padding[2 * pair]} + {layer.padding[2 * pair + 1]}"
    if kind == "upsample":
        return f"⌊{size} · {out / size:g}⌋"
    return f"{size} -> {out} ({type(layer).__name__})"


def _at(value: Any, i: int) -> int:
    if isinstance(value, tuple):
        return int(value[0] if len(value) == 1 else value[i])
    return int(value)
