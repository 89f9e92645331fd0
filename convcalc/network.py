"""Networks as graphs of layers, and the per-layer summary of shapes, parameters and MACs.

A :class:`Network` is a list of :class:`Node` s in order; each node takes its input from
earlier nodes (the previous one by default) or from the network's input. A node's operation
is a layer (:mod:`convcalc.layers`), a :class:`LayerSpec` whose first size argument
(``in_channels``, ``in_features``, ``num_features``, ...) is inferred from the incoming tensor
as PyTorch's lazy modules do, or a merge: :class:`Add`, :class:`Mul` (PyTorch broadcasting) or
:class:`Concat`.

``summarize(network, input_shape)`` propagates the shape through the graph without any
tensor and returns a :class:`Summary`: one row per layer (and per block, for the tree view)
plus totals. Build networks in Python with :func:`sequential` or :class:`NetworkBuilder`, or
from YAML with :func:`convcalc.spec.load_spec`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from math import prod
from typing import Any

from ._record import Record, field
from .errors import ShapeError, SpecError
from .layers import Layer, Shape, dims_text, layer_types

__all__ = [
    "Add",
    "Concat",
    "LayerSpec",
    "Mul",
    "Network",
    "NetworkBuilder",
    "Node",
    "Row",
    "Summary",
    "Totals",
    "dtype_size",
    "sequential",
    "summarize",
]

INPUT = -1  # a node input index meaning "the network's input"


class _Merge(Record):
    """An operation on two or more tensors (``torch.add``, ``torch.mul``, ``torch.cat``)."""

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        raise NotImplementedError


def _broadcast(name: str, shapes: Sequence[Shape]) -> Shape:
    rank = max(len(s) for s in shapes)
    out = []
    for axis in range(rank):
        sizes = {s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            listed = " and ".join(dims_text(s) for s in shapes)
            raise ShapeError(
                f"{name}: shapes {listed} do not broadcast: dimension {axis} has sizes "
                f"{', '.join(str(x) for x in sorted(sizes))}"
            )
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


class Add(_Merge):
    """``a + b + ...`` with PyTorch broadcasting (a residual connection)."""

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        return _broadcast("Add", shapes)


class Mul(_Merge):
    """``a * b * ...`` with PyTorch broadcasting (a gate, squeeze-and-excitation)."""

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        return _broadcast("Mul", shapes)


class Concat(_Merge):
    """``torch.cat(tensors, dim)``: sizes add along ``dim``; every other dimension must match."""

    dim: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.dim, int) or isinstance(self.dim, bool):
            raise ShapeError(f"Concat: dim must be an integer, got {self.dim!r}")

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        first = shapes[0]
        if any(len(s) != len(first) for s in shapes):
            listed = " and ".join(dims_text(s) for s in shapes)
            raise ShapeError(f"Concat: tensors {listed} have different numbers of dimensions")
        bound = max(len(first), 1)
        if not -bound <= self.dim < bound:
            raise ShapeError(f"Concat: dim {self.dim} is out of range for {len(first)}-d tensors")
        dim = self.dim % bound
        for shape in shapes[1:]:
            for axis, (a, b) in enumerate(zip(first, shape, strict=True)):
                if axis != dim and a != b:
                    listed = " and ".join(dims_text(s) for s in shapes)
                    raise ShapeError(
                        f"Concat: tensors {listed} differ in dimension {axis} ({a} vs {b}); "
                        f"only dimension {dim} may differ"
                    )
        return (*first[:dim], sum(s[dim] for s in shapes), *first[dim + 1 :])


MERGES: dict[str, type[_Merge]] = {"Add": Add, "Mul": Mul, "Concat": Concat}


class LayerSpec(Record):
    """A layer given by PyTorch name and arguments, built once its input shape is known.

    The first size argument (``in_channels``, ``in_features``, ``num_features``,
    ``num_channels``) is left out of ``args`` and inferred; given in ``kwargs``, it must agree.

    >>> LayerSpec("Conv2d", (20, 5)).build((64, 1, 28, 28)).weight_shape
    (20, 1, 5, 5)
    """

    type: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def inferred_field(self) -> str | None:
        """The name of the argument taken from the incoming tensor, if the type has one."""
        return _inferred_field(self.type)

    def build(self, shape: Shape, *, flattened: Sequence[int] | None = None) -> Layer:
        """The layer for an input of ``shape``. ``flattened`` names the factors a preceding
        Flatten merged into the last dimension, for a clearer message on a mismatch."""
        cls = layer_types().get(self.type)
        if cls is None:
            raise ShapeError(f"unknown layer type {self.type!r}")
        kwargs = dict(self.kwargs)
        name = self.inferred_field()
        if name is not None:
            size, description = _incoming_size(self.type, shape, flattened)
            if size is None:
                raise ShapeError(
                    f"{self.type}: cannot infer {name} from input {dims_text(shape)}; give it "
                    "explicitly"
                )
            if name in kwargs:
                given = kwargs[name]
                if given != size:
                    raise ShapeError(
                        f"{self.type}: {name} is {given}, but the incoming tensor {description}; "
                        f"leave {name} out to infer it, or make it {size}"
                    )
            else:
                kwargs[name] = size
        positional = [f for f in cls._record_positional if f != name]
        if len(self.args) > len(positional):
            raise ShapeError(
                f"{self.type} takes at most {len(positional)} positional arguments here "
                f"({', '.join(positional)}), got {len(self.args)}"
            )
        for key, value in zip(positional, self.args, strict=False):
            if key in kwargs:
                raise ShapeError(f"{self.type}: {key} is given both by position and by name")
            kwargs[key] = value
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise ShapeError(f"{self.type}: {_type_error_text(exc)}") from None


def _type_error_text(exc: TypeError) -> str:
    text = str(exc)
    return text.split("() ", 1)[1] if "() " in text else text


_INFER = (
    ("ConvTranspose", "in_channels"),
    ("Conv", "in_channels"),
    ("Linear", "in_features"),
    ("BatchNorm", "num_features"),
    ("InstanceNorm", "num_features"),
    ("GroupNorm", "num_channels"),
)


def _inferred_field(type_name: str) -> str | None:
    for prefix, name in _INFER:
        if type_name.startswith(prefix):
            return name
    return None


def _incoming_size(
    type_name: str, shape: Shape, flattened: Sequence[int] | None
) -> tuple[int | None, str]:
    if type_name == "Linear":
        if not shape:
            return None, "is 0-d"
        size = shape[-1]
        if flattened and len(flattened) > 1:
            factors = "×".join(str(f) for f in flattened)
            return size, f"flattens to {size} (= {factors})"
        return size, f"has {size} features (last dimension of {dims_text(shape)})"
    nd = int(type_name[-2]) if type_name[-2:-1].isdigit() else 0
    if type_name.startswith(("BatchNorm", "GroupNorm")) or nd == 0:
        index = 1
    else:
        index = 1 if len(shape) == nd + 2 else 0
    if len(shape) <= index:
        return None, f"is {dims_text(shape)}"
    size = shape[index]
    return size, f"has {size} channels (input {dims_text(shape)})"


class Node(Record):
    """One entry of a network: an operation, its name, and where its inputs come from."""

    op: Layer | LayerSpec | _Merge
    name: str
    inputs: tuple[int, ...] = ()
    scope: tuple[str, ...] = ()
    where: str = ""
    trainable: bool = True


class Network(Record):
    """Nodes in order; a node's inputs are earlier nodes (by index) or ``-1``, the input.

    ``blocks`` maps a scope (a path of block instance names) to its block type, for the tree
    view of a summary.
    """

    nodes: tuple[Node, ...]
    input_shape: Shape | None = None
    name: str = "network"
    blocks: tuple[tuple[tuple[str, ...], str], ...] = ()
    source: str | None = field(default=None, kw_only=True)


def sequential(
    layers: Iterable[Layer | LayerSpec | str],
    *,
    input_shape: Sequence[int] | None = None,
    name: str = "network",
) -> Network:
    """A chain of layers, each taking the previous output.

    A string is a layer type without arguments (``"ReLU"``); a :class:`LayerSpec` infers its
    first size argument.

    >>> from convcalc import MaxPool2d
    >>> net = sequential([LayerSpec("Conv2d", (20, 5)), "ReLU", MaxPool2d(2), "Flatten"],
    ...                  input_shape=(1, 1, 28, 28))
    >>> summarize(net).output_shape
    (1, 2880)
    """
    builder = NetworkBuilder(input_shape=input_shape, name=name)
    for layer in layers:
        builder.add(layer)
    return builder.build()


class NetworkBuilder:
    """Build a graph node by node; ``add`` returns the node's name for later ``inputs``.

    >>> b = NetworkBuilder(input_shape=(1, 8, 16, 16))
    >>> skip = b.add(LayerSpec("Conv2d", (8, 3), (("padding", 1),)))
    >>> b.add("Add", inputs=[skip, "input"])
    'add_2'
    >>> summarize(b.build()).output_shape
    (1, 8, 16, 16)
    """

    def __init__(self, *, input_shape: Sequence[int] | None = None, name: str = "network") -> None:
        self._nodes: list[Node] = []
        self._names: dict[str, int] = {"input": INPUT}
        self._input_shape = tuple(input_shape) if input_shape is not None else None
        self._name = name

    def add(
        self,
        op: Layer | LayerSpec | _Merge | str,
        *,
        name: str | None = None,
        inputs: Sequence[str | int] | None = None,
        trainable: bool = True,
    ) -> str:
        if isinstance(op, str):
            op = MERGES[op]() if op in MERGES else LayerSpec(op)
        index = len(self._nodes)
        kind = op.type if isinstance(op, LayerSpec) else type(op).__name__
        name = name or f"{kind.lower()}_{index + 1}"
        if name in self._names:
            raise SpecError(f"name {name!r} is used twice")
        sources: tuple[int, ...]
        if inputs is None:
            sources = (index - 1,) if index else (INPUT,)
        else:
            sources = tuple(self._resolve(i) for i in inputs)
        self._nodes.append(
            Node(op, name, sources, where=f"layer {index + 1} ({name})", trainable=trainable)
        )
        self._names[name] = index
        return name

    def _resolve(self, ref: str | int) -> int:
        if isinstance(ref, int):
            return ref
        if ref not in self._names:
            raise SpecError(f"no node named {ref!r}")
        return self._names[ref]

    def build(self) -> Network:
        return Network(tuple(self._nodes), self._input_shape, self._name)


# --------------------------------------------------------------------------------------------
# summaries


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
    layer: Layer | _Merge | None = None
    scope: tuple[str, ...] = ()


class Totals(Record):
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int
    buffers: int
    activations: int  # elements in every layer's output, summed (the forward pass)
    input_elements: int

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

    def layer_rows(self) -> tuple[Row, ...]:
        """The rows of layers and merges, without block rows."""
        return tuple(row for row in self.rows if not row.is_block)

    def __str__(self) -> str:
        """The table ``convcalc net`` prints (no width limit, Unicode tree)."""
        from .render.summary import summary_lines

        return "\n".join(line for line, _ in summary_lines(self))

    def _repr_html_(self) -> str:
        """The table as HTML, for Jupyter."""
        from .render.data import render_html

        return render_html(self)

    def _repr_markdown_(self) -> str:
        """The table as Markdown, for Jupyter front ends that prefer it."""
        from .render.data import render_markdown

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


def summarize(network: Network, input_shape: Sequence[int] | None = None) -> Summary:
    """Propagate ``input_shape`` (or the network's own) through every node."""
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
    rows: list[Row] = []
    for index, node in enumerate(network.nodes):
        in_shapes = tuple(shape0 if i == INPUT else shapes[i] for i in node.inputs)
        in_flat = tuple(None if i == INPUT else flattened[i] for i in node.inputs)
        try:
            row, out, flat = _run(index, node, in_shapes, in_flat)
        except ShapeError as exc:
            raise ShapeError(f"{node.where} {exc}" if node.where else str(exc)) from None
        shapes.append(out)
        flattened.append(flat)
        rows.append(row)
    output_shape = shapes[-1] if shapes else shape0
    all_rows = _with_blocks(rows, network)
    params = sum(r.params for r in rows)
    trainable = sum(r.trainable_params for r in rows)
    totals = Totals(
        params=params,
        trainable_params=trainable,
        non_trainable_params=params - trainable,
        macs=sum(r.macs for r in rows),
        buffers=sum(r.layer.buffer_count for r in rows if isinstance(r.layer, Layer)),
        activations=sum(prod(r.output_shape) for r in rows),
        input_elements=prod(shape0),
    )
    return Summary(network.name, shape0, output_shape, tuple(all_rows), totals)


_WORKED: dict[Any, tuple[Layer, Shape, int]] = {}


def _run(
    index: int, node: Node, in_shapes: tuple[Shape, ...], in_flat: tuple[Any, ...]
) -> tuple[Row, Shape, tuple[int, ...] | None]:
    op = node.op
    if isinstance(op, _Merge):
        if len(in_shapes) < 2:
            raise ShapeError(f"{type(op).__name__} needs two or more inputs (from: [a, b])")
        out = op.output_shape(in_shapes)
        row = Row(
            index,
            node.name,
            type(op).__name__,
            len(node.scope),
            in_shapes,
            out,
            0,
            0,
            0,
            layer=op,
            scope=node.scope,
        )
        return row, out, None
    if len(in_shapes) != 1:
        raise ShapeError(f"takes one input, got {len(in_shapes)}")
    shape = in_shapes[0]
    # Networks repeat the same layer on the same shape (blocks, repeat:): work each out once.
    key = (op, shape, in_flat[0])
    known = _WORKED.get(key)
    if known is None:
        layer = op.build(shape, flattened=in_flat[0]) if isinstance(op, LayerSpec) else op
        known = _WORKED[key] = (layer, layer.output_shape(shape), layer.macs(shape))
        if len(_WORKED) > 100_000:
            _WORKED.clear()
    layer, out, macs = known
    params = layer.param_count
    kernel = getattr(layer, "kernel_size", None)
    row = Row(
        index,
        node.name,
        type(layer).__name__,
        len(node.scope),
        in_shapes,
        out,
        params,
        params if node.trainable else 0,
        macs,
        kernel_size=kernel
        if isinstance(kernel, tuple)
        else ((kernel,) if isinstance(kernel, int) else None),
        groups=getattr(layer, "groups", None),
        layer=layer,
        scope=node.scope,
    )
    return row, out, _flattened_factors(layer, shape, out, in_flat[0])


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


def _with_blocks(rows: list[Row], network: Network) -> list[Row]:
    """Insert a row for each block instance before its first layer, totalling its layers."""
    if not network.blocks:
        return rows
    kinds = dict(network.blocks)
    result: list[Row | None] = []
    members: dict[tuple[str, ...], list[Row]] = {}
    slots: dict[tuple[str, ...], int] = {}
    for row in rows:
        for depth in range(1, len(row.scope) + 1):
            scope = row.scope[:depth]
            if scope not in slots:
                slots[scope] = len(result)
                result.append(None)  # filled in once every member is known
                members[scope] = []
            members[scope].append(row)
        result.append(row)
    for scope, slot in slots.items():
        inside = members[scope]
        result[slot] = Row(
            index=inside[0].index,
            name=scope[-1],
            type=kinds.get(scope, "Block"),
            depth=len(scope) - 1,
            input_shapes=inside[0].input_shapes,
            output_shape=inside[-1].output_shape,
            params=sum(r.params for r in inside),
            trainable_params=sum(r.trainable_params for r in inside),
            macs=sum(r.macs for r in inside),
            is_block=True,
            scope=scope[:-1],
        )
    return [r for r in result if r is not None]
