"""A trace's dataflow as a :class:`~convcalc.network.Network`.

Each module call with submodules (or with no layer of its own) becomes a block scope of its
class; each layer a module applies is a node with the module's name; what ``forward`` does
with functions (``F.relu``, ``torch.cat``, ``x + y``, ``x.view``, ``chunk``) becomes a
*functional* node, which has no row in the table, as in torchinfo's. Operations that change
no shape and mix nothing across positions (``contiguous``, ``x * 0.5``, ``F.dropout``,
activations given arguments) pass their input on. The network describes the model at the
traced input size: a ``view`` is the ``Flatten``/``Unflatten`` it is at that size.

An operation the network format cannot express stops with
:class:`~convcalc.errors.UntraceableError` (exit code 3), naming its line; and the network is
summarised and checked against the trace's own table before it is returned, so a wrong
network is never given.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import TYPE_CHECKING, Any

from .. import layers as L
from ..errors import ShapeError, UntraceableError
from ..network import INPUT, Add, Chunk, Concat, Mul, Network, Node, Split
from ._check import check_same
from ._flow import Event

if TYPE_CHECKING:
    from ._result import TraceSummary

__all__ = ["trace_network"]

Shape = tuple[int, ...]

_TRANSPARENT = frozenset(
    """contiguous clone detach to type_as float double half long int bool bfloat16 cuda cpu relu
    sigmoid tanh exp log log2 log10 log1p sqrt rsqrt abs neg sin cos erf exp2 clamp clip
    reciprocal sign floor ceil round trunc frac square gelu silu hardswish hardsigmoid softplus
    nan_to_num sigmoid_ relu_ tanh_ clamp_min clamp_max abs_ neg_ sqrt_ exp_ clamp_ __neg__
    __pos__ __abs__ __invert__ logical_not masked_fill masked_fill_ F.dropout F.dropout1d
    F.dropout2d F.dropout3d F.alpha_dropout F.feature_alpha_dropout F.batch_norm F.instance_norm
    F.local_response_norm prelu rrelu threshold hardshrink softshrink celu elu leaky_relu
    hardtanh""".split()  # noqa: SIM905 - a word list reads as one
)
_ACTIVATIONS = {
    "relu": "ReLU",
    "relu6": "ReLU6",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "gelu": "GELU",
    "silu": "SiLU",
    "hardswish": "Hardswish",
    "hardsigmoid": "Hardsigmoid",
    "mish": "Mish",
    "elu": "ELU",
    "selu": "SELU",
    "leaky_relu": "LeakyReLU",
    "softplus": "Softplus",
    "hardtanh": "Hardtanh",
    "logsigmoid": "LogSigmoid",
    "softsign": "Softsign",
    "tanhshrink": "Tanhshrink",
}
_ELEMENTWISE = frozenset(
    """add sub mul div true_divide floor_divide remainder pow maximum minimum atan2 eq ne lt le gt
    ge logical_and logical_or divide multiply subtract where""".split()  # noqa: SIM905 - a word list reads as one
)
_RESHAPES = frozenset(
    """view reshape view_as reshape_as flatten unflatten squeeze unsqueeze""".split()  # noqa: SIM905 - a word list reads as one
)
_SOFTMAX = {"softmax": "Softmax", "log_softmax": "LogSoftmax", "softmin": "Softmin"}
_PADS = {
    "reflect": "ReflectionPad",
    "replicate": "ReplicationPad",
    "circular": "CircularPad",
}


class _Cannot(Exception):
    """An operation with no node in the network format: why."""


def _plain(name: str) -> str:
    """``__iadd__`` -> ``add``, ``F.relu`` -> ``relu``, ``add_`` -> ``add``."""
    if name.startswith("F."):
        name = name[2:]
    if not name.startswith("__") and name.endswith("_"):
        name = name[:-1]
    if name.startswith("__") and name.endswith("__"):
        name = name[2:-2]
        if name[:1] in "ri" and name[1:] in _DUNDER_NAMES:
            name = name[1:]
    return {
        "truediv": "div",
        "floordiv": "floor_divide",
        "mod": "remainder",
        "matmul": "matmul",
    }.get(name, name)


_DUNDER_NAMES = frozenset(
    """add sub mul truediv floordiv mod pow matmul and or xor""".split()  # noqa: SIM905 - a word list reads as one
)


def _what(event: Event) -> str:
    """How the user wrote the operation, for messages."""
    name = event.name
    if name.startswith("__"):
        symbols = {"add": "+", "sub": "-", "mul": "*", "div": "/", "matmul": "@"}
        plain = _plain(name)
        if name == "__getitem__":
            return "the indexing"
        return f"`{symbols.get(plain, plain)}`" + (" (in place)" if name.startswith("__i") else "")
    if name.startswith("F."):
        return f"{name}()"
    return f"{name}()" if name in ("cat", "stack", "where") else f".{name}()"


def _reshape_nodes(shape: Shape, out: Shape) -> list[Any]:
    """The Flatten and/or Unflatten that turn ``shape`` into ``out`` (same number of
    elements): one of them where one does, else a Flatten of the dimensions that differ and
    an Unflatten into the new ones."""
    if shape == out:
        return []
    if not shape or not out:
        raise _Cannot("a reshape to or from a 0-d tensor has no spec entry")
    n, m = len(shape), len(out)
    for start in range(n):
        for end in range(start + 1, n):
            if (*shape[:start], prod(shape[start : end + 1]), *shape[end + 1 :]) == out:
                return [L.Flatten(start, end if end < n - 1 else -1)]
    if m > n:
        k = m - n + 1
        for dim in range(n):
            sizes = out[dim : dim + k]
            fits = shape[:dim] == out[:dim] and shape[dim + 1 :] == out[dim + k :]
            if fits and prod(sizes) == shape[dim]:
                return [L.Unflatten(dim, tuple(sizes))]
    p = 0
    while p < min(n, m) - 1 and shape[p] == out[p]:
        p += 1
    q = 0
    while q < min(n, m) - p - 1 and shape[n - 1 - q] == out[m - 1 - q]:
        q += 1
    middle = out[p : m - q]
    steps: list[Any] = []
    if n - q - 1 > p:
        steps.append(L.Flatten(p, n - q - 1 if q else -1))
    if len(middle) > 1:
        steps.append(L.Unflatten(p, tuple(middle)))
    return steps


class _Builder:
    def __init__(self, summary: TraceSummary) -> None:
        self.summary = summary
        self.events: list[Event] = summary.dataflow.events
        self.nodes: list[Node] = []
        self.node_of: dict[int, int] = {}
        self.failed: dict[int, UntraceableError] = {}
        self.pieces: dict[int, list[int]] = {}
        self.scope: list[str] = []
        self.frames: list[tuple[Any, bool, int]] = []  # (draft, is a block, nodes at entry)
        self.blocks: list[tuple[tuple[str, ...], str]] = []
        self.first_use: dict[int, int] = {}
        self.counts: dict[str, int] = {}
        self.used: set[tuple[str, ...]] = set()
        self.own_layer = {
            id(e.draft) for e in self.events if e.kind == "layer" and e.module is not None
        }

    # -- helpers

    def error(self, text: str, event: Event) -> UntraceableError:
        return UntraceableError(f"cannot export: {text}", source=event.file, line=event.line)

    def source(self, index: int | None, event: Event) -> int:
        if index is None:
            raise self.error(
                f"{_what(event)} reads a tensor made in the model (a parameter, a buffer or "
                "torch.zeros), which a spec cannot hold",
                event,
            )
        if index in self.failed:
            raise self.failed[index]
        found = self.node_of.get(index)
        if found is None:
            made = self.events[index]
            if made.kind == "input":
                raise self.error(
                    f"forward takes {made.index + 1} or more tensors; a spec has one input",
                    event,
                )
            raise self.error(f"{_what(event)} reads a tensor convcalc did not follow", event)
        return found

    def add(
        self,
        op: Any,
        sources: Sequence[int],
        event: Event,
        *,
        name: str = "",
        functional: bool = True,
        shares: int | None = None,
    ) -> int:
        kind = type(op).__name__
        if not name:
            count = self.counts[kind] = self.counts.get(kind, 0) + 1
            name = f"{kind.lower()}_{count}"
        self.nodes.append(
            Node(
                op,
                name,
                tuple(sources),
                tuple(self.scope),
                f"{event.file}:{event.line}: {name}" if event.file else name,
                functional=functional,
                shares=shares,
                source=event.file,
                line=event.line,
            )
        )
        return len(self.nodes) - 1

    # -- events

    def build(self) -> Network:
        for i, event in enumerate(self.events):
            handler = getattr(self, f"on_{event.kind}")
            try:
                handler(i, event)
            except _Cannot as exc:
                self.failed[i] = self.error(f"{_what(event)} on this line: {exc}", event)
            except UntraceableError as exc:
                if event.kind == "op" or event.kind == "piece":
                    self.failed[i] = exc
                else:
                    raise
        flow = self.summary.dataflow
        if not flow.outputs:
            raise UntraceableError("cannot export: forward returned no tensor")
        last = Event("op", "return", file=_file(self.summary), line=None)
        outs = tuple(self.source(o, last) for o in flow.outputs)
        if len(outs) == 1 and (not self.nodes or outs[0] != len(self.nodes) - 1):
            self.add(L.Identity(), outs, last, name="output")
        return Network(
            tuple(self.nodes),
            self.summary.input_shape,
            self.summary.name,
            tuple(self.blocks),
            source=_file(self.summary),
            outputs=outs if len(outs) > 1 else (),
        )

    def on_input(self, i: int, event: Event) -> None:
        if event.index == 0:
            self.node_of[i] = INPUT

    def on_enter(self, i: int, event: Event) -> None:
        draft = event.draft
        module = draft.module
        # A module that applies its own layer (nn.Conv2d, not a subclass with a forward of
        # its own) is one node; any other module call is a block.
        leaf = draft.children == 0 and id(draft) in self.own_layer
        self.frames.append((draft, not leaf, len(self.nodes)))
        if not leaf:
            self.scope.append(draft.name)
            scope = tuple(self.scope)
            if scope in self.used:
                raise self.error(
                    f"self.{draft.name} ({type(module).__name__}) runs twice; a block of a "
                    "spec runs once",
                    event,
                )
            self.used.add(scope)
            self.blocks.append((scope, type(module).__name__))

    def on_leave(self, i: int, event: Event) -> None:
        draft, block, start = self.frames.pop()
        if not block:
            return
        if len(event.sources) != 1 or not event.args[0]:
            raise self.error(
                f"self.{draft.name} ({type(draft.module).__name__}) returns "
                f"{len(event.sources)} tensors; a block of a spec gives one",
                event,
            )
        out = self.source(event.sources[0], event)
        if len(self.nodes) == start or out != len(self.nodes) - 1:
            # The block's output is its last entry: pass the module's result on.
            self.add(L.Identity(), (out,), event, name=f"{draft.name}.output")
        self.scope.pop()

    def on_layer(self, i: int, event: Event) -> None:
        x = self.source(event.sources[0], event)
        module = event.module
        if module is None:
            self.node_of[i] = self.add(event.layer, (x,), event)
            return
        shares = None
        if event.layer.param_count:
            shares = self.first_use.get(id(module))
        index = self.add(
            event.layer, (x,), event, name=event.draft.name, functional=False, shares=shares
        )
        self.first_use.setdefault(id(module), index)
        self.node_of[i] = index

    def on_piece(self, i: int, event: Event) -> None:
        parent = event.sources[0]
        assert parent is not None  # noqa: S101 - a piece always has its operation
        if parent in self.failed:
            self.failed[i] = self.failed[parent]
            return
        self.node_of[i] = self.pieces[parent][event.index]

    def on_op(self, i: int, event: Event) -> None:
        name = _plain(event.name)
        live = [(k, s) for k, s in enumerate(event.sources) if s is not None]
        first = event.sources[0]
        if name in _ACTIVATIONS and _no_arguments(event):
            x = self.source(first, event)
            self.node_of[i] = self.add(getattr(L, _ACTIVATIONS[name])(), (x,), event)
            return
        if event.name in _TRANSPARENT or name in _TRANSPARENT or name in _ACTIVATIONS:
            self.node_of[i] = self.passed_on(event)
            return
        if name in _ELEMENTWISE:
            scale = _parameter_operand(event) if name in ("mul", "multiply") else None
            if len(live) == 1 and scale is not None:
                # x * self.gamma: a learned scale (ConvNeXt's layer scale), with its weights.
                x = self.source(live[0][1], event)
                self.node_of[i] = self.add(L.Scale(tuple(scale.shape)), (x,), event)
                return
            if len(live) == 1:
                self.node_of[i] = self.passed_on(event)
                return
            merge = {"add": Add, "mul": Mul, "multiply": Mul}.get(name)
            if merge is None or len(event.sources) != 2 or event.kwargs.get("alpha", 1) != 1:
                raise _Cannot("the spec format joins two tensors only by Add, Mul and Concat")
            sources = [self.source(s, event) for s in event.sources]
            self.node_of[i] = self.add(merge(), sources, event)
            return
        shape, out = event.shapes[0], event.out
        if name in _RESHAPES:
            self.chain(i, event, _reshape_nodes(shape, out))
            return
        if name in ("permute", "transpose", "swapaxes", "swapdims", "t"):
            if len(shape) < 2:
                self.node_of[i] = self.passed_on(event)
                return
            self.chain(i, event, [L.Permute(_order(event, len(shape)))])
            return
        if name == "mean":
            dim = event.args[1] if len(event.args) > 1 else event.kwargs.get("dim")
            keep = event.args[2] if len(event.args) > 2 else event.kwargs.get("keepdim", False)
            if isinstance(dim, list):
                dim = tuple(dim)
            self.chain(i, event, [L.Mean(dim, keepdim=bool(keep))])
            return
        if name in _SOFTMAX:
            dim = event.args[1] if len(event.args) > 1 else event.kwargs.get("dim")
            self.chain(i, event, [getattr(L, _SOFTMAX[name])(dim)])
            return
        if name == "pad":
            self.chain(i, event, [_pad_layer(event)])
            return
        if name in ("cat", "concat", "concatenate"):
            tensors = event.args[0] if event.args else event.kwargs.get("tensors", ())
            dim = event.args[1] if len(event.args) > 1 else event.kwargs.get("dim", 0)
            if len(event.sources) != len(tensors) or len(live) != len(event.sources):
                raise _Cannot("it joins a tensor made in the model, which a spec cannot hold")
            sources = [self.source(s, event) for s in event.sources]
            if len(sources) == 1:
                self.node_of[i] = sources[0]
                return
            self.node_of[i] = self.add(Concat(dim), sources, event)
            return
        if name in ("chunk", "split", "split_with_sizes"):
            self.split(i, event, name)
            return
        if (name == "expand_as" or (name == "expand" and len(live) == 1)) and first is not None:
            # Kept at its own shape: the merge it feeds broadcasts it the same way, and the
            # check of the whole network catches any other use.
            self.node_of[i] = self.source(first, event)
            return
        if name == "getitem" and _whole(event.args[1] if len(event.args) > 1 else None):
            self.node_of[i] = self.passed_on(event)
            return
        raise _Cannot("the spec format has no entry for it")

    # -- op helpers

    def passed_on(self, event: Event) -> int:
        live = [s for s in event.sources if s is not None]
        if len(live) != 1 or event.out != event.shapes[event.sources.index(live[0])]:
            raise _Cannot("the spec format has no entry for it")
        return self.source(live[0], event)

    def chain(self, i: int, event: Event, steps: list[Any]) -> None:
        live = [s for s in event.sources if s is not None]
        if len(live) != 1 or event.sources[0] is None:
            raise _Cannot("the spec format has no entry for it")
        node = self.source(event.sources[0], event)
        shape = event.shapes[0]
        for layer in steps:
            try:
                shape = layer.output_shape(shape)
            except ShapeError:
                raise _Cannot("the spec format has no entry for it") from None
            node = self.add(layer, (node,), event)
        if shape != event.out:
            raise _Cannot("the spec format has no entry for it")
        self.node_of[i] = node

    def split(self, i: int, event: Event, name: str) -> None:
        x = self.source(event.sources[0], event)
        if len(event.args) > 1:
            amount = event.args[1]
        else:
            amount = event.kwargs.get("chunks", event.kwargs.get("split_size", 1))
        dim = event.args[2] if len(event.args) > 2 else event.kwargs.get("dim", 0)
        count = event.index
        sizes: list[Any]
        if name == "chunk" and isinstance(amount, int) and count == amount:
            sizes = [Chunk(amount, dim, k) for k in range(count)]
        else:
            pieces = amount if isinstance(amount, int) else tuple(int(a) for a in amount)
            sizes = [Split(pieces, dim, k) for k in range(count)]
        self.pieces[i] = [self.add(op, (x,), event) for op in sizes]


def _file(summary: Any) -> str | None:
    return summary.lines[0].file if summary.lines else None


def _parameter_operand(event: Event) -> Any:
    """The trainable ``nn.Parameter`` an elementwise operation takes, if any."""
    from ._module import Parameter

    for value in (*event.args, *event.kwargs.values()):
        if isinstance(value, Parameter) and value.requires_grad:
            return value
    return None


def _no_arguments(event: Event) -> bool:
    return len(event.args) == 1 and set(event.kwargs) <= {"inplace"}


def _whole(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(
        item is Ellipsis or (isinstance(item, slice) and item == slice(None)) for item in items
    )


def _order(event: Event, rank: int) -> tuple[int, ...]:
    name = _plain(event.name)
    args = event.args[1:]
    if name == "permute":
        dims = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
        dims = dims or event.kwargs.get("dims", ())
        return tuple(d % rank for d in dims)
    if name == "t":
        a, b = 0, 1
    else:
        a = args[0] if args else event.kwargs.get("dim0", 0)
        b = args[1] if len(args) > 1 else event.kwargs.get("dim1", 1)
    order = list(range(rank))
    order[a % rank], order[b % rank] = order[b % rank], order[a % rank]
    return tuple(order)


def _pad_layer(event: Event) -> Any:
    args = event.args
    pad = tuple(args[1] if len(args) > 1 else event.kwargs.get("pad", ()))
    mode = args[2] if len(args) > 2 else event.kwargs.get("mode", "constant")
    value = args[3] if len(args) > 3 else event.kwargs.get("value")
    nd = len(pad) // 2
    if len(pad) % 2 or not 1 <= nd <= 3 or not all(isinstance(p, int) for p in pad):
        raise _Cannot("a pad of this many sides has no spec entry")
    if mode == "constant":
        if not value:
            return getattr(L, f"ZeroPad{nd}d")(pad)
        return getattr(L, f"ConstantPad{nd}d")(pad, value)
    if mode not in _PADS:
        raise _Cannot(f"mode {mode!r} has no spec entry")
    return getattr(L, f"{_PADS[mode]}{nd}d")(pad)


def trace_network(summary: TraceSummary) -> Network:
    """The network of a traced model, checked to give the trace's own table."""
    if summary.dataflow is None:
        raise UntraceableError("cannot export: the trace recorded no dataflow")
    network = _Builder(summary).build()
    check_same(network, summary)
    return network
