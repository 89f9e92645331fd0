"""Receptive fields of every node of a network, per spatial axis, in Distill's convention.

Araujo, Norris and Sim, "Computing Receptive Fields of Convolutional Neural Networks",
Distill 2019 (https://distill.pub/2019/computing-receptive-fields/). Input positions are
numbered 0..n−1; padding positions continue the numbering (−1, −2, ... and n, n+1, ...).
For a chain of layers with kernel ``k``, stride ``s``, dilation ``d`` and left padding ``p``
(``k_eff = d·(k−1) + 1``), the field of one output position grows as

    size   r_out = r_in + (k_eff − 1)·j_in          (r_0 = 1)
    jump   j_out = j_in · s                          (j_0 = 1)
    start  c_out = c_in + ((k_eff − 1)/2 − p)·j_in   (c_0 = 0)

where ``c`` is the centre of the first output's field, in input positions, and Distill's
"effective padding" is ``(r − 1)/2 − c``. A transposed convolution or an upsampling is a window
of fractional stride ``1/s``: its jump divides, and ``r`` counts the most input positions any one
output reads. Adaptive pooling from ``n`` to ``m`` has stride ``n/m``. A merge (Add, Mul,
Concat) takes the union of its branches' fields and warns when their centres differ; Flatten,
Linear and normalisation over space make the field the whole input (``whole``). A warning
marks the first node whose field outgrows the input.

A Chunk or Split of the channels, a channel shuffle, Permute and Transpose keep each
position's field (the tracked axes move with their dimensions); a piece cut along a spatial
axis starts further in; Mean over an axis reads all of it. A branch of size 1 broadcast into
a merge (a squeeze-excitation gate) gives every position its field, the whole input after a
global pooling. A shared module is the same arithmetic at each use; a training-only entry has
a field in train mode only (``mode=``, as in ``summarize``).

Batch normalisation counts as per position, as at inference. :func:`field_of` gives the exact
input positions (inside the input) that one output position reads, through every path of the
graph: what the gradient of that output reaches when every weight is positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from .._record import Record
from ..errors import ShapeError
from ..layers import Layer, Shape
from ..network import INPUT, Concat, Network, _Merge, _Piece, summarize
from ._reads import axis_of, pointwise, reads, spatial_dims_after, window

__all__ = ["AxisField", "NodeField", "ReceptiveFields", "field_of", "receptive_field"]

_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


class AxisField(Record):
    """The field of a node's first output position on one axis of the network's input."""

    size: Fraction
    jump: Fraction
    start: Fraction
    whole: bool = False

    @property
    def effective_padding(self) -> Fraction:
        """Distill's P: how far the first field reaches before input position 0."""
        return (self.size - 1) / 2 - self.start

    def text(self) -> str:
        if self.whole:
            return "whole input"
        return f"{_num(self.size)} / {_num(self.jump)} / {_num(self.start)}"


class NodeField(Record):
    index: int
    name: str
    type: str
    axes: tuple[AxisField, ...]
    warnings: tuple[str, ...] = ()


class ReceptiveFields(Record):
    """Per node and axis: size, jump and start; with the warnings found on the way."""

    name: str
    input_shape: Shape
    axis_names: tuple[str, ...]
    nodes: tuple[NodeField, ...]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for node in self.nodes for w in node.warnings)

    def __getitem__(self, name: str) -> NodeField:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def lines(self) -> list[str]:
        """Plain text, one line per node: ``name (Type)  H: size / jump / start  W: ...``."""
        out = [
            f"{self.name}: receptive field per axis as size / jump / start (Distill), input "
            + "x".join(str(s) for s in self.input_shape)
        ]
        width = max((len(f"{n.name} ({n.type})") for n in self.nodes), default=0)
        for node in self.nodes:
            label = f"{node.name} ({node.type})".ljust(width)
            fields = "  ".join(
                f"{axis}: {field.text()}"
                for axis, field in zip(self.axis_names, node.axes, strict=True)
            )
            out.append(f"{label}  {fields}")
        out.extend(f"warning: {w}" for w in self.warnings)
        return out


def _num(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):.4g}"


# --------------------------------------------------------------------------------------------
# which dimensions a layer mixes


_MIX_NORMS = ("InstanceNorm", "GroupNorm")


def _mixed_dims(layer: Layer, rank: int) -> set[int] | None:
    """Dimensions along which every output reads the whole input; ``None`` for a window
    layer (handled by :func:`window`) or one that acts position by position."""
    name = type(layer).__name__
    lay: Any = layer
    if pointwise(layer):
        return set()
    if name in ("Softmax", "LogSoftmax", "Softmin", "GLU"):
        dim = lay.dim if lay.dim is not None else (0 if rank in (0, 1, 3) else 1)
        return {dim % rank}
    if name.startswith(_MIX_NORMS):
        return set(range(2, rank)) if name == "GroupNorm" else set(range(rank - lay._nd, rank))
    if name in ("LayerNorm", "RMSNorm"):
        count = 1 if isinstance(lay.normalized_shape, int) else len(lay.normalized_shape)
        return set(range(rank - count, rank))
    if name == "Linear":
        return {rank - 1}
    if name in ("Flatten", "Unflatten"):
        return set()
    return None


def _is_window(layer: Layer) -> bool:
    name = type(layer).__name__
    return layer._kind in ("conv", "pool", "transpose", "adaptive", "upsample") or name.startswith(
        (
            "MaxUnpool",
            "PixelShuffle",
            "PixelUnshuffle",
            "Upsampling",
            "ZeroPad",
            "ConstantPad",
            "ReflectionPad",
            "ReplicationPad",
            "CircularPad",
        )
    )


# --------------------------------------------------------------------------------------------
# the forward recurrence


class _Graph:
    """The summary's resolved layers and shapes, and where each input axis sits in them."""

    def __init__(
        self, network: Network, input_shape: Sequence[int] | None, mode: str = "eval"
    ) -> None:
        summary = summarize(network, input_shape, mode=mode)
        self.summary = summary
        # A training-only node has no row in eval mode: it does not run, and has no field.
        by_index = {row.index: row for row in summary.layer_rows()}
        self.rows: list[Any] = [by_index.get(i) for i in range(len(network.nodes))]
        self.input_shape = summary.input_shape
        rank = len(self.input_shape)
        nd = rank - 2
        for row in filter(None, self.rows):
            layer_nd = int(getattr(row.layer, "_nd", 0))
            if isinstance(row.layer, Layer) and layer_nd and _is_window(row.layer):
                nd = layer_nd if rank == layer_nd + 1 else rank - 2
                break
        if not 1 <= nd <= 3:
            raise ShapeError(
                f"{network.name}: input {self.input_shape} has no spatial axes to trace a "
                "receptive field along"
            )
        self.nd = nd
        self.names = _NAMES[nd]
        start: tuple[int | None, ...] = tuple(range(rank - nd, rank))
        self.dims: list[tuple[int | None, ...]] = []
        for node, row in zip(network.nodes, self.rows, strict=True):
            if row is None:
                self.dims.append((None,) * nd)
                continue
            ins = [start if i == INPUT else self.dims[i] for i in node.inputs]
            if isinstance(row.layer, Layer):
                out = spatial_dims_after(row.layer, ins[0], row.input_shapes[0], row.output_shape)
            else:
                shift = [len(row.output_shape) - len(s) for s in row.input_shapes]
                out = tuple(
                    None
                    if any(d[a] is None for d in ins)
                    else max(int(d[a]) + sh for d, sh in zip(ins, shift, strict=True))  # type: ignore[arg-type]
                    for a in range(nd)
                )
            self.dims.append(out)
        self.start_dims = start
        self.network = network


def receptive_field(
    network: Network, input_shape: Sequence[int] | None = None, *, mode: str = "eval"
) -> ReceptiveFields:
    """Size, jump and start of every node's field on each spatial axis of the input.

    ``mode`` is ``"eval"`` or ``"train"``, as in :func:`~convcalc.network.summarize`: a
    training-only node appears in train mode only.

    >>> from convcalc.network import LayerSpec, sequential
    >>> net = sequential([LayerSpec("Conv2d", (8, 3)), LayerSpec("MaxPool2d", (2,)),
    ...                   LayerSpec("Conv2d", (8, 3), (("dilation", 2),))],
    ...                  input_shape=(1, 1, 32, 32))
    >>> [n.axes[0].text() for n in receptive_field(net).nodes]
    ['3 / 1 / 1', '4 / 2 / 1.5', '12 / 2 / 5.5']
    """
    network = network.at(input_shape)
    graph = _Graph(network, input_shape, mode)
    nd = graph.nd
    sizes = graph.input_shape[len(graph.input_shape) - nd :]
    origin = AxisField(Fraction(1), Fraction(1), Fraction(0))
    states: list[tuple[AxisField, ...]] = []
    outgrown: list[bool] = []
    nodes = []
    for index, (node, row) in enumerate(zip(network.nodes, graph.rows, strict=True)):
        if row is None:
            states.append((_WHOLE,) * nd)
            outgrown.append(False)
            continue
        ins = [(origin,) * nd if i == INPUT else states[i] for i in node.inputs]
        in_dims = [graph.start_dims if i == INPUT else graph.dims[i] for i in node.inputs]
        warnings: list[str] = []
        if isinstance(row.layer, _Merge):
            fields = _merge(
                node.name,
                row.layer,
                ins,
                graph.names,
                row,
                in_dims,
                warnings,
                sizes,
                graph.dims[index],
            )
        elif isinstance(row.layer, _Piece):
            fields = tuple(_piece_step(row, ins[0][a], in_dims[0][a]) for a in range(nd))
        else:
            layer: Any = row.layer
            shape, out = row.input_shapes[0], row.output_shape
            fields = tuple(
                _step(layer, ins[0][a], in_dims[0][a], graph.dims[index][a], shape, out)
                for a in range(nd)
            )
        grown = [not f.whole and f.size > n for f, n in zip(fields, sizes, strict=True)]
        before = any(outgrown[i] for i in node.inputs if i != INPUT)
        if any(grown) and not before:
            a = grown.index(True)
            warnings.append(
                f"{node.name}: the field on {graph.names[a]} ({_num(fields[a].size)}) outgrows "
                f"the input ({sizes[a]}): from here on, every field reaches into the padding"
            )
        outgrown.append(any(grown) or before)
        states.append(fields)
        nodes.append(NodeField(index, node.name, row.type, fields, tuple(warnings)))
    return ReceptiveFields(network.name, graph.input_shape, graph.names, tuple(nodes))


_WHOLE = AxisField(Fraction(0), Fraction(0), Fraction(0), whole=True)


def _piece_offset(row: Any, dim: int | None) -> int:
    """Where a Chunk/Split piece starts on tensor dimension ``dim`` (0 unless it is cut
    along that dimension)."""
    piece: Any = row.layer
    shape = row.input_shapes[0]
    if dim is None or piece.dim % len(shape) != dim:
        return 0
    return sum(piece.sizes(shape[dim])[: piece.index])


def _piece_step(row: Any, field: AxisField, dim: int | None) -> AxisField:
    """A piece cut along a spatial axis starts ``offset`` positions in; a piece of the
    channels (or any other dimension) keeps the field as it is."""
    if field.whole or dim is None:
        return _WHOLE if dim is None else field
    offset = _piece_offset(row, dim)
    return AxisField(field.size, field.jump, field.start + offset * field.jump)


def _step(
    layer: Layer, field: AxisField, dim: int | None, out_dim: int | None, shape: Shape, out: Shape
) -> AxisField:
    if field.whole or dim is None or out_dim is None:
        return _WHOLE
    rank = len(shape)
    mixed = _mixed_dims(layer, rank)
    if mixed is not None:
        return _WHOLE if dim in mixed else field
    i = axis_of(layer, dim, rank)
    if i is None:
        return field
    w = window(layer, i, shape[dim], out[out_dim])
    if w is None:
        return _WHOLE
    centre = (w.first[0] + w.first[1]) / 2
    return AxisField(
        field.size + (w.longest - 1) * field.jump,
        field.jump * w.step,
        field.start + centre * field.jump,
    )


def _merge(
    name: str,
    merge: _Merge,
    fields: list[tuple[AxisField, ...]],
    axes: tuple[str, ...],
    row: Any,
    in_dims: list[tuple[int | None, ...]],
    warnings: list[str],
    sizes: Sequence[int] = (),
    out_dims: tuple[int | None, ...] = (),
) -> tuple[AxisField, ...]:
    out = []
    kind = type(merge).__name__
    for a, axis in enumerate(axes):
        branch = [f[a] for f in fields]
        if any(f.whole for f in branch):
            out.append(_WHOLE)
            continue
        # A branch of size 1 broadcast along the axis (a squeeze-excitation scale) gives every
        # output position the same field: the union reaches that field from everywhere, and
        # when it covers the input (a global pooling), every position reads the whole input.
        spread = [
            f
            for f, d, s in zip(branch, in_dims, row.input_shapes, strict=True)
            if out_dims and d[a] is not None and out_dims[a] is not None
            and s[d[a]] == 1 and row.output_shape[out_dims[a]] != 1
        ]  # fmt: skip
        if spread and any(
            f.start - (f.size - 1) / 2 <= 0 and f.start + (f.size - 1) / 2 >= sizes[a] - 1
            for f in spread
        ):
            out.append(_WHOLE)
            continue
        if isinstance(merge, Concat) and any(
            d[a] is not None and merge.dim % len(s) == d[a]
            for d, s in zip(in_dims, row.input_shapes, strict=True)
        ):
            warnings.append(
                f"{name}: Concat joins along {axis}, so its positions have different fields; "
                "the field shown is the first position's"
            )
        low = min(f.start - (f.size - 1) / 2 for f in branch)
        high = max(f.start + (f.size - 1) / 2 for f in branch)
        jumps = {f.jump for f in branch}
        starts = sorted({f.start for f in branch})
        if len(starts) > 1 or len(jumps) > 1:
            listed = " and ".join(_num(s) for s in starts)
            warnings.append(
                f"{name}: the {kind} branches' fields are not aligned on {axis} (centres at "
                f"{listed}, jump {' and '.join(_num(j) for j in sorted(jumps))}); the union "
                f"is {_num(high - low + 1)} wide"
            )
        out.append(AxisField(high - low + 1, max(jumps), (low + high) / 2))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# exact fields


def field_of(
    network: Network,
    node: int | str,
    position: Sequence[int],
    input_shape: Sequence[int] | None = None,
    *,
    mode: str = "eval",
) -> tuple[tuple[int, int] | None, ...]:
    """The first and last input position, per spatial axis, that output ``position`` of
    ``node`` reads through any path (``None`` on an axis where it reads nothing).

    >>> from convcalc.network import LayerSpec, sequential
    >>> net = sequential([LayerSpec("Conv2d", (8, 3), (("padding", 1),)),
    ...                   LayerSpec("MaxPool2d", (2,))], input_shape=(1, 1, 8, 8))
    >>> field_of(net, 1, (0, 3))
    ((0, 2), (5, 7))
    """
    network = network.at(input_shape)
    graph = _Graph(network, input_shape, mode)
    nd = graph.nd
    names = [n.name for n in network.nodes]
    target = names.index(node) if isinstance(node, str) else node
    if not 0 <= target < len(names):
        raise ShapeError(f"{network.name}: no node {node!r}")
    if graph.rows[target] is None:
        raise ShapeError(
            f"{network.name}: node {names[target]!r} is training-only and does not run in "
            f"{mode} mode; ask with mode='train'"
        )
    if len(position) != nd:
        raise ShapeError(f"position {tuple(position)} needs {nd} values, one per spatial axis")
    # What a node must provide: a list of boxes, each a set of positions per axis (None for
    # every position). A box maps through a layer axis by axis; a box that reads nothing on
    # one axis reads nothing at all; merges collect the boxes of their branches.
    need: dict[int, list[_Box]] = {}
    out_dims = graph.dims[target]
    need[target] = [
        tuple(None if out_dims[a] is None else frozenset({int(position[a])}) for a in range(nd))
    ]
    for index in range(target, -1, -1):
        boxes = need.pop(index, None)
        if not boxes:
            continue
        n = network.nodes[index]
        row = graph.rows[index]
        if row is None:  # pragma: no cover - a node that runs reads no training-only node
            continue
        for k, src in enumerate(n.inputs):
            in_dims = graph.start_dims if src == INPUT else graph.dims[src]
            shape = row.input_shapes[k]
            mapped = []
            for box in boxes:
                got = tuple(
                    _back(row, k, box[a], in_dims[a], graph.dims[index][a], shape)
                    for a in range(nd)
                )
                if all(g is None or g for g in got):
                    mapped.append(got)
            need[src] = _tidy(need.get(src, []) + mapped)
    sizes = graph.input_shape[len(graph.input_shape) - nd :]
    result: list[tuple[int, int] | None] = []
    final = need.get(INPUT, [])
    for a in range(nd):
        if not final:
            result.append(None)
        elif any(box[a] is None for box in final):
            result.append((0, sizes[a] - 1))
        else:
            result.append(
                (min(min(box[a]) for box in final), max(max(box[a]) for box in final))  # type: ignore[arg-type]
            )
    return tuple(result)


_Box = tuple[frozenset[int] | None, ...]


def _tidy(boxes: list[_Box]) -> list[_Box]:
    """Merge boxes that differ on one axis only, so that the list stays short."""
    changed = True
    while changed and len(boxes) > 1:
        changed = False
        for a in range(len(boxes[0])):
            groups: dict[tuple[Any, ...], _Box] = {}
            for box in boxes:
                key = box[:a] + box[a + 1 :]
                if key in groups:
                    old, extra = groups[key][a], box[a]
                    new = None if old is None or extra is None else old | extra
                    groups[key] = (*key[:a], new, *key[a:])
                    changed = True
                else:
                    groups[key] = box
            boxes = list(groups.values())
    return boxes


def _back(
    row: Any,
    k: int,
    wanted: frozenset[int] | None,
    dim: int | None,
    out_dim: int | None,
    shape: Shape,
) -> frozenset[int] | None:
    """The positions of input ``k`` (on one tracked axis) that ``wanted`` outputs read
    (``None``: every position, once the axis is mixed away)."""
    if dim is None:
        return None
    if out_dim is None:
        # The axis is reduced here (Mean, Flatten): every position of this input, which may
        # itself cover less than the whole network input.
        return frozenset(range(shape[dim]))
    op = row.layer
    out = row.output_shape
    if wanted is None:
        wanted = frozenset(range(out[out_dim]))
    if isinstance(op, _Piece):
        offset = _piece_offset(row, dim)
        return frozenset(o + offset for o in wanted)
    if isinstance(op, _Merge):
        size = shape[dim]
        if isinstance(op, Concat) and op.dim % len(shape) == dim:
            offset = sum(s[dim] for s in row.input_shapes[:k])
            return frozenset(o - offset for o in wanted if offset <= o < offset + size)
        if size == 1 and out[out_dim] != 1:
            return frozenset({0})
        return wanted
    rank = len(shape)
    mixed = _mixed_dims(op, rank)
    if mixed is not None:
        return frozenset(range(shape[dim])) if dim in mixed else wanted
    i = axis_of(op, dim, rank)
    if i is None:
        return wanted
    found = reads(op, i, shape[dim], out[out_dim], wanted)
    return None if found is None else frozenset(found)
