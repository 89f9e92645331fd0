"""What one node of a network works out to: its layer built for its input, output shape,
MACs, parameters, warnings and layout; and the shapes the spec reader tracks while it builds
a network. Networks repeat the same layer on the same input (blocks, repeats), so each is
worked out once per process."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from .. import _advice
from ..errors import ShapeError
from ..functional import functional_refusal
from ..layers import Layer, Shape
from ._graph import INPUT, LayerSpec, Node, _incoming_size, _list_fields
from ._ops import _Merge, _Op, _Piece

__all__ = ["ShapeTracker"]


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


# The two caches below key a LayerSpec by its values, under which bias: 1 and bias: true are
# equal: each entry keeps the operation it was worked out for (see _cached).
_WORKED: dict[Any, tuple[Any, tuple[Layer, Shape, int, int, tuple[int, ...] | None]]] = {}

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
_ROWS: dict[Any, tuple[Any, _Worked]] = {}
_T = TypeVar("_T")


def _cached(cache: dict[Any, tuple[Any, _T]], key: Any, op: Any) -> _T | None:
    """What ``cache`` keeps under ``key`` if it was worked out for ``op``, or for arguments
    equal to its own and of the same types (a layer given bias: 1 is not one given bias:
    true, nor are its warnings); else None. Raises TypeError for a key that is not hashable."""
    known = cache.get(key)
    if known is None:
        return None
    seen, value = known
    if seen is op or (type(op) is LayerSpec and _same_types(seen, op)):
        return value
    return None


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
            known = _cached(_ROWS, key, op)
        except TypeError:  # an argument that is no number, text or list: the layer says
            key, known = None, None
        if known is not None:
            if node.functional and not node.scope:
                _refuse_functional(known[0])
            return known
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
        known = _cached(_WORKED, key, op)
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
            _WORKED[key] = (op, known)
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
