"""Summaries: propagate a shape through a network's nodes -> rows and totals."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from math import prod
from typing import Any

from .. import _advice
from .._record import Record, field, record_fields
from ..errors import ShapeError
from ..functional import functional_refusal
from ..layers import Layer, Shape
from ._graph import (
    INPUT,
    LayerSpec,
    Mode,
    Network,
    Node,
    SpecWarning,
    _incoming_size,
    _list_fields,
)
from ._ops import _Merge, _Op, _Piece


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
            out, flat, messages = worked[1], worked[4], worked[8]
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
            worked = None
        shapes.append(out)
        flattened.append(flat)
        layer = row.layer
        assert layer is not None  # noqa: S101 - every layer and merge row holds its operation
        layers.append(layer)
        if worked is not None:
            layouts.append(worked[9])
        else:
            layouts.append(
                _advice.layout(row.type, in_shapes[0], out, in_layout) if in_shapes else None
            )
        if node.train_only and not training:
            idle += row.params
            if idle_rows is not None:
                idle_rows[node.name] = row
            continue
        for message in messages:
            warning = SpecWarning(message, source=node.source, line=node.line, path=node.path)
            advice.setdefault((node.where, message), warning)
        rows.append(row)
        if worked is not None:
            buffers += worked[10]
        elif isinstance(row.layer, Layer):
            buffers += row.layer.buffer_count
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


def _advise(
    op: Layer | LayerSpec | _Op,
    layer: Layer | _Op,
    in_shapes: tuple[Shape, ...],
    in_flat: tuple[Any, ...],
    in_layout: str | None,
) -> list[str]:
    """Warnings about a node that PyTorch accepts but that is probably not what was meant."""
    if not isinstance(layer, Layer) or len(in_shapes) != 1:
        return []
    messages: list[str] = []
    shape = in_shapes[0]
    cls = type(layer)
    if isinstance(op, LayerSpec):
        inferred = op.inferred_field()
        given = dict(zip(_list_fields(op.type, cls), op.args, strict=False))
        given.update(op.kwargs)
        flags = _advice.flag_numbers(cls, given)
        if inferred is not None and op.args:
            size, _ = _incoming_size(op.type, shape, in_flat[0], describe=False)
            if size is not None:

                def builds(kwargs: dict[str, Any]) -> bool:
                    try:
                        candidate = LayerSpec(op.type, (), tuple(kwargs.items()))
                        candidate.build(shape).output_shape(shape)
                    except (ShapeError, TypeError, ValueError):
                        return False
                    return True

                reading = _advice.list_reading(op.type, cls, inferred, op.args, size, builds)
                if reading:
                    flags = [reading]  # it names the number given for a flag already
        messages.extend(flags)
        if op.type == "Linear" and inferred not in dict(op.kwargs):
            hint = _advice.shape_advice("Linear", layer, shape, in_layout)
            if hint:
                messages.append(hint)
    if cls.__name__ == "Flatten":
        hint = _advice.shape_advice("Flatten", layer, shape, in_layout)
        if hint:
            messages.append(hint)
    return messages


class ShapeTracker:
    """Output shapes of a growing list of nodes, worked out when asked for.

    The spec reader uses it for ``${in_channels}`` and the like: a value read from the
    incoming tensor while the network is still being built.
    """

    def __init__(self, input_shape: Shape) -> None:
        self.input_shape = input_shape
        self.shapes: list[Shape] = []
        self.flattened: list[tuple[int, ...] | None] = []
        self.layers: list[Layer | _Op | None] = []

    def shape(self, nodes: Sequence[Node], index: int) -> Shape:
        if index == INPUT:
            return self.input_shape
        while len(self.shapes) <= index:
            i = len(self.shapes)
            node = nodes[i]
            if len(node.inputs) == 1:
                j = node.inputs[0]
                in_shapes: tuple[Shape, ...] = (self.input_shape if j == INPUT else self.shapes[j],)
                in_flat: tuple[Any, ...] = (None if j == INPUT else self.flattened[j],)
            else:
                in_shapes = tuple(
                    self.input_shape if j == INPUT else self.shapes[j] for j in node.inputs
                )
                in_flat = tuple(None if j == INPUT else self.flattened[j] for j in node.inputs)
            shared = self.layers[node.shares] if node.shares is not None else None
            try:
                layer, out, _, _, flat = _work(node, in_shapes, in_flat, shared, False)
            except ShapeError as exc:
                raise ShapeError(f"{node.where} {exc}" if node.where else str(exc)) from None
            self.shapes.append(out)
            self.flattened.append(flat)
            self.layers.append(layer)
        return self.shapes[index]

    def copied(
        self,
        nodes: Sequence[Node],
        first: int,
        start: int,
        count: int,
        inputs: tuple[int, int],
        changed: Collection[int],
    ) -> None:
        """Nodes ``start`` on are a copy of the ``count`` nodes from ``first``, their input
        node ``inputs[0]`` replaced by ``inputs[1]``: on an input of the same shape, theirs
        are the same, if known, but for the ``changed`` positions (other operations), worked
        out again; after one of them gives another shape, so may every node after it. Shapes
        not copied are left to be worked out when asked for."""
        was, now = inputs
        if len(self.shapes) != start or first + count > start:
            return
        if self.shape(nodes, was) != self.shape(nodes, now) or self.flat(was) != self.flat(now):
            return
        for k in range(count):
            if k in changed:
                try:
                    out = self.shape(nodes, start + k)
                except ShapeError:
                    return  # the error is the node's, when its shape is asked for
                if (out, self.flattened[-1]) != (self.shapes[first + k], self.flattened[first + k]):
                    return
            else:
                self.shapes.append(self.shapes[first + k])
                self.flattened.append(self.flattened[first + k])
                self.layers.append(self.layers[first + k])

    def flat(self, index: int) -> tuple[int, ...] | None:
        """The sizes a Flatten merged into a worked-out node's last dimension."""
        return None if index == INPUT else self.flattened[index]

    def same_output(self, nodes: Sequence[Node], index: int, op: LayerSpec) -> bool:
        """Whether node ``index``, a layer of one input, gives the same shape with ``op`` in
        place of its own operation (False where either cannot run)."""
        try:
            out = self.shape(nodes, index)
            node = nodes[index]
            j = node.inputs[0]
            other = Node(op, node.name, node.inputs, node.scope, functional=node.functional)
            return _work(other, (self.shape(nodes, j),), (self.flat(j),), None, False)[1] == out
        except ShapeError:
            return False


_WORKED: dict[Any, tuple[Layer, Shape, int, int, tuple[int, ...] | None]] = {}

# What a node's row holds besides the node's own fields (:func:`_worked`).
_Worked = tuple[
    Any,  # the layer or merge
    Shape,  # its output shape
    int,  # MACs
    int,  # parameters
    tuple[int, ...] | None,  # the sizes a Flatten merged into the output's last dimension
    tuple[int, ...] | None,  # kernel size
    int | None,  # groups
    str,  # the type's name
    tuple[str, ...],  # warnings (_advise)
    str | None,  # the output's layout tag
    int,  # buffers
]
_ROWS: dict[Any, tuple[Any, _Worked]] = {}  # with the LayerSpec worked out


def _worked(
    node: Node,
    in_shapes: tuple[Shape, ...],
    in_flat: tuple[Any, ...],
    in_layout: str | None,
    shared: Layer | _Op | None,
    training: bool,
) -> _Worked:
    """A node's layer, output, counts, warnings and output layout. Networks repeat the same
    layer on the same input (blocks, repeats): a layer of one input is worked out once."""
    op = node.op
    key: tuple[Any, ...] | None = None
    if shared is None and type(op) is LayerSpec and len(in_shapes) == 1:
        key = (op.type, op.args, op.kwargs, in_shapes[0], in_flat[0], training, in_layout)
        try:
            known = _ROWS.get(key)
        except TypeError:  # an argument that is no number, text or list: the layer says
            key, known = None, None
        # Equal arguments of other types (bias: 1 for bias: true) warn otherwise.
        if known is not None and (known[0] is op or _same_types(known[0], op)):
            if node.functional and not node.scope:
                _refuse_functional(known[1][0])
            return known[1]
    layer, out, macs, params, flat = _work(node, in_shapes, in_flat, shared, training)
    kernel = getattr(layer, "kernel_size", None)
    worked: _Worked = (
        layer,
        out,
        macs,
        params,
        flat,
        kernel if isinstance(kernel, tuple) else ((kernel,) if isinstance(kernel, int) else None),
        getattr(layer, "groups", None),
        type(layer).__name__,
        tuple(_advise(op, layer, in_shapes, in_flat, in_layout)),
        _advice.layout(type(layer).__name__, in_shapes[0], out, in_layout) if in_shapes else None,
        layer.buffer_count if isinstance(layer, Layer) else 0,
    )
    if key is not None:
        if len(_ROWS) > 100_000:
            _ROWS.clear()
        _ROWS[key] = (op, worked)
    return worked


def _same_types(one: LayerSpec, other: LayerSpec) -> bool:
    """Whether two LayerSpecs of equal arguments give them as values of the same types."""
    return list(map(type, one.args)) == list(map(type, other.args)) and [
        type(v) for _, v in one.kwargs
    ] == [type(v) for _, v in other.kwargs]


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


def _work(
    node: Node,
    in_shapes: tuple[Shape, ...],
    in_flat: tuple[Any, ...],
    shared: Layer | _Op | None,
    training: bool,
) -> tuple[Layer | _Op, Shape, int, int, tuple[int, ...] | None]:
    """A node's operation (a layer built for its input), output shape, MACs, parameters, and
    the sizes a Flatten merged into its output's last dimension."""
    op = node.op
    if type(op) is not LayerSpec and isinstance(op, (_Piece, _Merge)):
        if isinstance(op, _Piece):
            if len(in_shapes) != 1:
                raise ShapeError(f"takes one input, got {len(in_shapes)}")
            out = op.output_shape(in_shapes[0])
        else:
            if len(in_shapes) < 2:
                raise ShapeError(f"{type(op).__name__} needs two or more inputs (from: [a, b])")
            out = op.output_shape(in_shapes)
        return op, out, 0, 0, None
    if len(in_shapes) != 1:
        raise ShapeError(f"takes one input, got {len(in_shapes)}")
    shape = in_shapes[0]
    if isinstance(shared, Layer):
        # The same module again: built for its first use, it must take this input too.
        op = shared
    if not isinstance(op, (Layer, LayerSpec)):  # pragma: no cover - every operation is above
        raise TypeError(f"unknown operation {op!r}")
    # Networks repeat the same layer on the same shape (blocks, repeat:): work each out once.
    # A LayerSpec by its values: equal to comparing the records, without their Python calls.
    flat = in_flat[0]
    key: tuple[Any, ...] | None = (
        (op.type, op.args, op.kwargs, shape, flat, training)
        if type(op) is LayerSpec
        else (op, shape, flat, training)
    )
    try:
        known = _WORKED.get(key)
    except TypeError:  # an argument that is no number, text or list (a table): the layer says
        key, known = None, None
    if known is None:
        layer = op.build(shape, flattened=flat) if isinstance(op, LayerSpec) else op
        out = layer.output_shape(shape, training=training)
        known = (
            layer,
            out,
            layer.macs(shape, training=training),
            layer.param_count,
            _flattened_factors(layer, shape, out, flat),
        )
        if key is not None:
            _WORKED[key] = known
        if len(_WORKED) > 100_000:
            _WORKED.clear()
    if node.functional and not node.scope:
        _refuse_functional(known[0])
    return known


def _refuse_functional(layer: Layer) -> None:
    """A function's row outside any block: inside one, the block's module may keep a
    function's parameters (as F.layer_norm(x, shape, self.weight, self.bias) does); outside
    one, nothing can."""
    refused = functional_refusal(type(layer))
    if refused:
        raise ShapeError(refused)


def _flattened_factors(
    layer: Layer, shape: Shape, out: Shape, previous: tuple[int, ...] | None
) -> tuple[int, ...] | None:
    """The sizes a Flatten merged into the last dimension, carried through shape-preserving
    layers so a later Linear can say where its in_features come from."""
    name = type(layer).__name__
    if name == "Flatten" and len(out) >= 1 and out[-1] != (shape[-1] if shape else None):
        start = len(out) - 1
        return tuple(shape[start:]) if len(shape) > start else None
    if out == shape:
        return previous
    return None


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
