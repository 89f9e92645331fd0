"""The graph model: layers given by name (:class:`LayerSpec`), nodes, networks, builders."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from math import prod
from typing import Any

from .._record import Record, field
from ..errors import ShapeError, SpecError
from ..layers import Layer, Shape, dims_text, layer_types
from ._ops import MERGES, _Merge, _Op

INPUT = -1  # a node input index meaning "the network's input"


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
            size, _ = _incoming_size(self.type, shape, flattened, describe=False)
            if size is None:
                raise ShapeError(
                    f"{self.type}: cannot infer {name} from input {dims_text(shape)}; give it "
                    "explicitly"
                )
            if name in kwargs:
                given = kwargs[name]
                if given != size:
                    fix = f"leave {name} out to infer it, or make it {size}"
                    if self.type == "Linear" and len(shape) >= 3 and not flattened:
                        factors = "×".join(str(f) for f in shape[1:])
                        fix = (
                            f"a Flatten is probably missing before it (it would give "
                            f"{prod(shape[1:])} = {factors})"
                        )
                    description = _incoming_size(self.type, shape, flattened)[1]
                    raise ShapeError(
                        f"{self.type}: {name} is {given}, but the incoming tensor {description}; "
                        f"{fix}"
                    )
            else:
                kwargs[name] = size
        positional = _list_fields(self.type, cls)
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
    ("FrozenBatchNorm", "num_features"),
    ("InstanceNorm", "num_features"),
    ("GroupNorm", "num_channels"),
)


def _inferred_field(type_name: str) -> str | None:
    if type_name in _INFERRED:
        return _INFERRED[type_name]
    found = next((name for prefix, name in _INFER if type_name.startswith(prefix)), None)
    _INFERRED[type_name] = found
    return found


_INFERRED: dict[str, str | None] = {}  # by layer type: a network asks for each many times


def _list_fields(type_name: str, cls: Any) -> tuple[str, ...]:
    """The arguments a short list gives a layer type, in order: its class's positional fields
    without the one taken from the incoming tensor (worked out once per type)."""
    found = _LIST_FIELDS.get((type_name, cls))
    if found is None:
        inferred = _inferred_field(type_name)
        found = _LIST_FIELDS[type_name, cls] = tuple(
            f for f in cls._record_positional if f != inferred
        )
    return found


_LIST_FIELDS: dict[tuple[str, Any], tuple[str, ...]] = {}


def _incoming_size(
    type_name: str, shape: Shape, flattened: Sequence[int] | None, *, describe: bool = True
) -> tuple[int | None, str]:
    """The size the inferred argument takes from ``shape``, and (with ``describe``) where it
    comes from, for a message."""
    if type_name == "Linear":
        if not shape:
            return None, "is 0-d"
        size = shape[-1]
        if not describe:
            return size, ""
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
        return None, f"is {dims_text(shape)}" if describe else ""
    size = shape[index]
    return size, f"has {size} channels (input {dims_text(shape)})" if describe else ""


class Mode(StrEnum):
    """Which forward pass a summary describes: ``eval`` (published counts) or ``train``."""

    EVAL = "eval"
    TRAIN = "train"


class SpecWarning(Record):
    """Something a network accepts but probably does not mean; ``str()`` is what a user sees.

    >>> str(SpecWarning("bias 500 is read as true", source="net.yaml", line=3, path="layers[0]"))
    'net.yaml:3: layers[0] bias 500 is read as true'
    """

    message: str
    source: str | None = field(default=None, kw_only=True)
    line: int | None = field(default=None, kw_only=True)
    path: str = field(default="", kw_only=True)

    def __str__(self) -> str:
        where = ":".join(str(x) for x in (self.source, self.line) if x is not None)
        prefix = " ".join(x for x in (f"{where}:" if where else "", self.path) if x)
        return f"{prefix} {self.message}" if prefix else self.message

    def as_dict(self) -> dict[str, Any]:
        """The warning as JSON-able data."""
        return {
            "source": self.source,
            "line": self.line,
            "path": self.path,
            "message": self.message,
        }


class Node(Record):
    """One entry of a network: an operation, its name, and where its inputs come from."""

    op: Layer | LayerSpec | _Op
    name: str
    inputs: tuple[int, ...] = ()
    scope: tuple[str, ...] = ()
    where: str = ""
    trainable: bool = True
    train_only: bool = field(default=False, kw_only=True)
    shares: int | None = field(default=None, kw_only=True)
    # A function call in the model's forward (F.relu, torch.cat, x + y, x.view), not a
    # module: it has no row of its own in a summary, as torchinfo's table has none.
    functional: bool = field(default=False, kw_only=True)
    source: str | None = field(default=None, kw_only=True)
    line: int | None = field(default=None, kw_only=True)
    path: str = field(default="", kw_only=True)


class Network(Record):
    """Nodes in order; a node's inputs are earlier nodes (by index) or ``-1``, the input.

    ``blocks`` maps a scope (a path of block instance names) to its block type, for the tree
    view of a summary; ``block_entries`` maps it to the spec entry that made the instance
    (``blocks.Bottleneck.layers[8]``), so that an export can line up the instances of a type;
    ``block_inputs`` gives, for an instance of a block of several inputs, each input's name and
    the node given to it (``-1``: the network's input).
    """

    nodes: tuple[Node, ...]
    input_shape: Shape | None = None
    name: str = "network"
    blocks: tuple[tuple[tuple[str, ...], str], ...] = ()
    block_entries: tuple[tuple[tuple[str, ...], str], ...] = field(default=(), kw_only=True)
    block_inputs: tuple[tuple[tuple[str, ...], tuple[tuple[str, int], ...]], ...] = field(
        default=(), kw_only=True
    )
    source: str | None = field(default=None, kw_only=True)
    warnings: tuple[SpecWarning, ...] = field(default=(), kw_only=True)
    # For a spec that reads the incoming tensor in ${...}: the same spec for another input.
    rebuild: Callable[[Shape], Network] | None = field(default=None, kw_only=True)
    # For such a spec read again for another input: the input it was loaded for, which its
    # modules are built for (a training-only entry, which eval never runs, keeps them).
    built_for: Shape | None = field(default=None, kw_only=True)
    # The nodes whose tensors the network returns, in order (-1: the input); none: the last.
    outputs: tuple[int, ...] = field(default=(), kw_only=True)

    def own_input(self) -> Shape | None:
        """The input the network's modules are built for: the one it was loaded for."""
        return self.built_for if self.built_for is not None else self.input_shape

    def at(self, input_shape: Sequence[int] | None) -> Network:
        """The network for ``input_shape``: a spec that reads its incoming tensor in ``${...}``
        read again for it (its nodes may differ: a TF 'SAME' pad, a Split by size)."""
        if self.rebuild is None or input_shape is None or tuple(input_shape) == self.input_shape:
            return self
        return self.rebuild(tuple(input_shape))


def sequential(
    layers: Iterable[Layer | LayerSpec | str],
    *,
    input_shape: Sequence[int] | None = None,
    name: str = "network",
) -> Network:
    """A chain of layers, each taking the previous output.

    A string is a layer type without arguments (``"ReLU"``); a :class:`LayerSpec` infers its
    first size argument.

    >>> from convcalc import MaxPool2d, summarize
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

    >>> from convcalc import summarize
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
