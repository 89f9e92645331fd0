"""Summaries: propagate a shape through a network's nodes -> rows and totals."""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import Any

from .. import _advice
from .._record import Record, field, record_fields
from ..errors import ShapeError
from ..layers import Layer, Shape
from ._graph import INPUT, Mode, Network, Node, SpecWarning
from ._ops import _Op
from ._work import _Worked, _worked


class Row(Record):
    """One line of a summary: a layer, or a block (``is_block``) totalling the layers in it."""

    index: int
    name: str
    type: str
    depth: int
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    params: int
    trainable_params: int
    macs: int
    kernel_size: tuple[int, ...] | None = None
    groups: int | None = None
    is_block: bool = False
    layer: Layer | _Op | None = None
    scope: tuple[str, ...] = ()
    shared_with: str | None = field(default=None, kw_only=True)
    # Where the row's inputs come from: node indices, -1 for the network's input.
    inputs: tuple[int, ...] = field(default=(), kw_only=True)
    # A functional node's row: kept for analysis, not shown in tables (see Node.functional).
    functional: bool = field(default=False, kw_only=True)


class Totals(Record):
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int
    buffers: int
    activations: int  # elements in every layer's output, summed (the forward pass)
    input_elements: int
    # Parameters of training-only entries that do not run in this mode (no rows, no MACs):
    # a model holds them all the same.
    idle_params: int = 0

    @property
    def flops(self) -> int:
        return 2 * self.macs


class Summary(Record):
    """Per-layer rows (blocks included, for the tree) and totals; data only."""

    name: str
    input_shape: Shape
    output_shape: Shape
    rows: tuple[Row, ...]
    totals: Totals
    mode: Mode = field(default=Mode.EVAL, kw_only=True)
    warnings: tuple[SpecWarning, ...] = field(default=(), kw_only=True)
    # Every tensor the network returns; ``output_shape`` is the first.
    outputs: tuple[Shape, ...] = field(default=(), kw_only=True)

    def layer_rows(self) -> tuple[Row, ...]:
        """The rows of layers and merges, without block rows."""
        return tuple(row for row in self.rows if not row.is_block)

    def __str__(self) -> str:
        """The table ``convcalc net`` prints (no width limit, Unicode tree)."""
        from ..render.summary import summary_lines

        return "\n".join(line for line, _ in summary_lines(self))

    def _repr_html_(self) -> str:
        """The table as HTML, for Jupyter."""
        from ..render.data import render_html

        return render_html(self)

    def _repr_markdown_(self) -> str:
        """The table as Markdown, for Jupyter front ends that prefer it."""
        from ..render.data import render_markdown

        return render_markdown(self)


_DTYPES = {
    "float64": 8,
    "double": 8,
    "float32": 4,
    "float": 4,
    "float16": 2,
    "half": 2,
    "bfloat16": 2,
    "int64": 8,
    "int32": 4,
    "int16": 2,
    "int8": 1,
    "uint8": 1,
    "float8_e4m3fn": 1,
    "float8_e5m2": 1,
    "bool": 1,
}


def dtype_size(dtype: str) -> int:
    """Bytes per element of a PyTorch dtype name.

    >>> dtype_size("bfloat16")
    2
    """
    try:
        return _DTYPES[dtype]
    except KeyError:
        raise ShapeError(
            f"unknown dtype {dtype!r}; use one of {', '.join(sorted(_DTYPES))}"
        ) from None


def summarize(
    network: Network, input_shape: Sequence[int] | None = None, *, mode: str = "eval"
) -> Summary:
    """Propagate ``input_shape`` (or the network's own) through every node.

    ``mode`` is ``"eval"`` (the default, the mode published counts use) or ``"train"``. A
    training-only node (an auxiliary head) counts its parameters in both modes, and its rows
    and MACs only in train mode. A node that shares another's module counts no parameters of
    its own (PyTorch counts a shared parameter once).

    In eval mode a training-only node is never run, as in PyTorch: on an input it does not
    fit (Inception v3's auxiliary head, which needs 299 pixels where the rest takes 75), it
    counts the parameters it was built with, on the spec's own input.
    """
    return _summarize(network, input_shape, mode, None)


def _summarize(
    network: Network,
    input_shape: Sequence[int] | None,
    mode: str,
    idle_rows: dict[str, Row] | None,
) -> Summary:
    """:func:`summarize`, keeping the rows of the training-only nodes an eval run leaves out
    in ``idle_rows`` (by name) if it is given."""
    network = network.at(input_shape)
    try:
        run_mode = Mode(mode)
    except ValueError:
        raise ValueError(f"mode must be 'eval' or 'train', got {mode!r}") from None
    training = run_mode is Mode.TRAIN
    if input_shape is None:
        input_shape = network.input_shape
    if input_shape is None:
        raise ShapeError(
            f"{network.name}: the spec has no 'input:' shape; add one, or give it with -i "
            "(for example -i 1x3x224x224)"
        )
    shape0 = tuple(input_shape)
    if any(not isinstance(s, int) or isinstance(s, bool) or s < 0 for s in shape0):
        raise ShapeError(f"input shape {shape0} must hold sizes of 0 or more")
    shapes: list[Shape] = []
    flattened: list[tuple[int, ...] | None] = []
    layouts: list[str | None] = []
    layers: list[Layer | _Op] = []
    rows: list[Row] = []
    idle = buffers = 0
    advice: dict[tuple[str, str], SpecWarning] = {}
    own: dict[str, Row] = {}
    for index, node in enumerate(network.nodes):
        if len(node.inputs) == 1:  # most nodes: no generators to build
            i = node.inputs[0]
            in_shapes: tuple[Shape, ...] = (shape0 if i == INPUT else shapes[i],)
            in_flat: tuple[Any, ...] = (None if i == INPUT else flattened[i],)
        else:
            in_shapes = tuple(shape0 if i == INPUT else shapes[i] for i in node.inputs)
            in_flat = tuple(None if i == INPUT else flattened[i] for i in node.inputs)
        first = node.inputs[0] if node.inputs else INPUT
        in_layout = None if first == INPUT else layouts[first]
        try:
            shared = layers[node.shares] if node.shares is not None else None
            worked = _worked(node, in_shapes, in_flat, in_layout, shared, training)
            row = _row(index, node, in_shapes, worked)
            _, out, _, _, flat, _, _, _, messages, layout, buffer_count = worked
            if node.shares is not None:
                values = record_fields(row)
                values.update(
                    params=0, trainable_params=0, shared_with=network.nodes[node.shares].name
                )
                row = Row(**values)
        except ShapeError as exc:
            # In eval, PyTorch never runs a training-only node: it only holds the parameters
            # it was built with, for the spec's own input.
            built = None if training else _built_for_own_input(network, node, shape0, own)
            if built is None:
                raise ShapeError(f"{node.where} {exc}" if node.where else str(exc)) from None
            row, out, flat, messages = built, built.output_shape, None, ()
            layout = _advice.layout(row.type, in_shapes[0], out, in_layout) if in_shapes else None
            buffer_count = row.layer.buffer_count if isinstance(row.layer, Layer) else 0
        shapes.append(out)
        flattened.append(flat)
        layer = row.layer
        assert layer is not None  # noqa: S101 - every layer and merge row holds its operation
        layers.append(layer)
        layouts.append(layout)
        if node.train_only and not training:
            idle += row.params
            if idle_rows is not None:
                idle_rows[node.name] = row
            continue
        for message in messages:
            warning = SpecWarning(message, source=node.source, line=node.line, path=node.path)
            advice.setdefault((node.where, message), warning)
        rows.append(row)
        buffers += buffer_count
    output_shape = shapes[-1] if shapes else shape0
    for i in range(len(network.nodes) - 1, -1, -1):
        if training or not network.nodes[i].train_only:
            output_shape = shapes[i]
            break
    outputs: tuple[Shape, ...] = (output_shape,)
    if network.outputs:
        outputs = tuple(shape0 if i == INPUT else shapes[i] for i in network.outputs)
        output_shape = outputs[0]
    all_rows = _with_blocks(rows, network)
    params = sum(r.params for r in rows) + idle
    trainable = sum(r.trainable_params for r in rows) + idle
    totals = Totals(
        params=params,
        trainable_params=trainable,
        non_trainable_params=params - trainable,
        macs=sum(r.macs for r in rows),
        buffers=buffers,
        activations=_activations(rows, all_rows),
        input_elements=prod(shape0),
        idle_params=idle,
    )
    return Summary(
        network.name,
        shape0,
        output_shape,
        tuple(all_rows),
        totals,
        mode=run_mode,
        warnings=(*network.warnings, *advice.values()),
        outputs=outputs,
    )


def _built_for_own_input(
    network: Network, node: Node, shape: Shape, own: dict[str, Row]
) -> Row | None:
    """The row of training-only ``node`` when ``network`` runs in eval mode on the input it
    was loaded for, if that is not ``shape`` and the node works there (``own``: the rows by
    name, filled on first use)."""
    loaded_for = network.own_input()
    if not node.train_only or loaded_for is None or loaded_for == shape:
        return None
    if not own:
        try:
            _summarize(network.at(loaded_for), loaded_for, "eval", own)
        except ShapeError:
            return None
    return own.get(node.name)


def _row(index: int, node: Node, in_shapes: tuple[Shape, ...], worked: _Worked) -> Row:
    layer, out, macs, params, _, kernel, groups, type_name, _, _, _ = worked
    return Row(
        index,
        node.name,
        type_name,
        len(node.scope),
        in_shapes,
        out,
        params,
        params if node.trainable else 0,
        macs,
        kernel,
        groups,
        False,
        layer,
        node.scope,
        inputs=node.inputs,
        functional=node.functional,
    )


def _activations(rows: Sequence[Row], all_rows: Sequence[Row]) -> int:
    """Elements in the output of every module without children: each layer or merge that is
    not functional, and each block whose rows are all functional (a module whose forward only
    calls functions)."""
    total = sum(prod(r.output_shape) for r in rows if not r.functional)
    return total + sum(prod(block.output_shape) for block in _functional_blocks(all_rows))


def _functional_blocks(rows: Sequence[Row]) -> list[Row]:
    """The block rows of ``rows`` (a summary's, blocks included) holding no block and only
    functional layers: modules whose forward only calls functions."""
    if not any(r.functional for r in rows):
        return []
    # Each block scope holding a layer that is not functional, or a block.
    mixed: set[tuple[str, ...]] = set()
    last = None
    for row in rows:
        scope = row.scope
        if (row.is_block or not row.functional) and scope is not last:
            last = scope  # the rows of one block instance share their scope
            mixed.update(scope[:depth] for depth in range(1, len(scope) + 1))
    return [r for r in rows if r.is_block and (*r.scope, r.name) not in mixed]


def _with_blocks(rows: list[Row], network: Network) -> list[Row]:
    """Insert a row for each block instance before its first layer, totalling its layers."""
    if not network.blocks:
        return rows
    kinds = dict(network.blocks)
    result: list[Row | None] = []
    slots: dict[tuple[str, ...], int] = {}
    # Each block's first and last member (the last by its place in the result), and the
    # sums of its own members' params, trainable params and MACs, added up as the rows go
    # by; a nested block's sums are added to its parent's at the end.
    totals: dict[tuple[str, ...], list[Any]] = {}
    scope: tuple[str, ...] | None = None
    total: list[Any] | None = None
    for row in rows:
        if row.scope is not scope:  # the rows of one block instance share their scope
            scope = row.scope
            for depth in range(1, len(scope) + 1):
                inner = scope[:depth]
                if inner not in slots:
                    slots[inner] = len(result)
                    result.append(None)  # filled in once every member is known
                    totals[inner] = [row, (0, row), 0, 0, 0]
            total = totals[scope] if scope else None
        if total is not None:
            total[1] = (len(result), row)
            total[2] += row.params
            total[3] += row.trainable_params
            total[4] += row.macs
        result.append(row)
    for inner in sorted(totals, key=len, reverse=True):  # the innermost first
        if len(inner) > 1:
            own, parent = totals[inner], totals[inner[:-1]]
            parent[1] = max(parent[1], own[1], key=lambda placed: placed[0])
            parent[2] += own[2]
            parent[3] += own[3]
            parent[4] += own[4]
    for inner, slot in slots.items():
        first, (_, last), params, trainable, macs = totals[inner]
        result[slot] = Row(  # by position: index, name, type, depth, shapes, counts, ...
            first.index,
            inner[-1],
            kinds.get(inner, "Block"),
            len(inner) - 1,
            first.input_shapes,
            last.output_shape,
            params,
            trainable,
            macs,
            None,  # kernel_size
            None,  # groups
            True,  # is_block
            None,  # layer
            inner[:-1],  # scope
        )
    return [r for r in result if r is not None]
