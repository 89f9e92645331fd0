"""An export's blocks read into bodies: each block instance's steps, keyed and wired.

Each block instance is read into a :class:`Body`: its steps in order (a layer, a nested block,
a merge or a piece), each keyed by the spec entry that made it and its occurrence there
(``Network.block_entries`` says which entry made a nested block), with its inputs as
references to earlier steps or to the block's inputs. ``_export_classes`` writes the classes.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import SpecError
from .functional import FUNCTIONS, call_source
from .layers import Layer, layer_fields
from .network import INPUT, Add, Chunk, Concat, Mul, Network, Row, Split

Key = tuple[str, int]  # (spec entry, occurrence of that entry in the instance)
Ref = Key | int  # what a step reads: an earlier step, or the block's input at that position


class Flat(Exception):
    """The blocks' wiring cannot be written as nested modules (an entry reads a layer inside
    another block, or a module shared across blocks)."""


def identifier(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name).strip("_") or "layer"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"layer_{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def class_name(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w) or "Network"
    return text if text[0].isalpha() else f"Net{text}"


def _literal(value: object) -> str:
    """Python source for an argument: ``float('-inf')`` where ``repr`` would give ``-inf``."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f"float({str(value)!r})"
    return repr(value)


def constructor(layer: Layer, helpers: Sequence[str]) -> str:
    args = ", ".join(f"{key}={_literal(value)}" for key, value in layer_fields(layer).items())
    name = type(layer).__name__
    return f"{name}({args})" if name in helpers else f"nn.{name}({args})"


@dataclass
class Group:
    """A block instance (or the whole network): its children in order, each a node index or
    a nested group."""

    scope: tuple[str, ...]
    kind: str
    children: list[int | Group] = field(default_factory=list)
    first: int = -1
    last: int = -1

    @property
    def path(self) -> str:
        return self.scope[-1] if self.scope else ""


def tree(network: Network) -> Group:
    kinds = dict(network.blocks)
    root = Group((), "")
    open_groups: dict[tuple[str, ...], Group] = {(): root}
    for index, node in enumerate(network.nodes):
        parent = root
        for depth in range(1, len(node.scope) + 1):
            scope = node.scope[:depth]
            group = open_groups.get(scope)
            if group is None:
                group = Group(scope, kinds.get(scope, "Block"), first=index)
                parent.children.append(group)
                open_groups[scope] = group
            group.last = index
            parent = group
        parent.children.append(index)
    root.first, root.last = 0, len(network.nodes) - 1
    return root


def flat(network: Network) -> Group:
    """The whole network as one group of layers, its blocks inlined."""
    return Group((), "", list(range(len(network.nodes))), 0, len(network.nodes) - 1)


@dataclass
class Step:
    key: Key
    kind: str  # what it is, lowercased (conv2d, bottleneck, add), for its generated name
    given: str | None  # the name the spec gave it (id:), if any
    op: str  # "module", "share" (a module used before), or an expression with {0}, {1}...
    sources: tuple[Ref, ...]
    training: bool  # runs only in training
    shape: list[int]
    layer: str | None = None  # a layer's constructor
    body: Body | None = None  # a nested block's instance
    frozen: bool = False
    called: bool = False  # a layer applied as a function: no attribute of its own
    shares: Key | None = None  # for "share": the step whose module it runs again

    @property
    def module(self) -> bool:
        return self.op == "module"

    def wiring(self) -> tuple[object, ...]:
        return (self.key, self.op, self.shares, self.sources, self.training)


@dataclass
class Body:
    """One block instance: its steps, and the outer nodes it reads, in the order it reads them."""

    kind: str
    steps: list[Step]
    inputs: list[int]
    input_names: list[str] = field(default_factory=list)  # a block of several inputs: the spec's
    names: dict[Key, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # the flags its constructor sets
    produced: dict[int, Ref] = field(default_factory=dict)  # node -> the step that gives it

    def wiring(self) -> tuple[object, ...]:
        return (len(self.inputs), *(s.wiring() for s in self.steps))


class Reader:
    """Reads the groups of a network into bodies."""

    def __init__(self, network: Network, rows: Sequence[Row], helpers: Sequence[str]) -> None:
        self.network = network
        self.rows = rows
        self.helpers = helpers
        self.entries = dict(network.block_entries)
        self.given_inputs = dict(network.block_inputs)

    def body(self, group: Group) -> Body:
        nodes = self.network.nodes
        inside = range(group.first, group.last + 1)
        # A block that runs only in training is guarded where it is used, not inside.
        guarded = bool(group.scope) and all(nodes[i].train_only for i in inside)
        produced: dict[int, Ref] = {}
        # A block takes its inputs in the order it first reads them (the order a summary's
        # and torchinfo's input column follow), under the spec's names.
        named = self.given_inputs.get(group.scope, ()) if group.scope else ()
        inputs: list[int] = []
        occurrences: dict[str, int] = {}
        steps: list[Step] = []
        layers: dict[int, Key] = {}  # the block's own layers, which a later entry may share

        def ref(index: int) -> Ref:
            if index in produced:
                return produced[index]
            if index == INPUT or not group.first <= index <= group.last:
                if not group.scope and index != INPUT:
                    raise Flat
                if index not in inputs:
                    inputs.append(index)
                return inputs.index(index)
            raise Flat  # a layer inside an earlier block, not its output

        for child in group.children:
            if isinstance(child, int):
                node = nodes[child]
                full, entry = node.name, node.path
                kind = (
                    node.op.type if hasattr(node.op, "type") else type(node.op).__name__
                ).lower()
            else:
                full, kind = child.path, child.kind.lower()
                entry = self.entries.get(child.scope, "")
            prefix = group.path + "." if group.path else ""
            local = full[len(prefix) :] if full.startswith(prefix) else full
            match = re.fullmatch(r"([a-z0-9]+)_\d+", local)
            given = None if match and match.group(1) == kind else local
            # Without the spec entry (a traced model): the name within the block, else the kind.
            entry = entry or (f"type {kind}" if given is None else f"name {given}")
            key = (entry, occurrences.get(entry, 0))
            occurrences[entry] = key[1] + 1
            if isinstance(child, int):
                step = self.layer_step(child, key, kind, given, [ref(i) for i in node.inputs])
                step.training = node.train_only and not guarded
                if node.shares is not None:
                    if node.shares not in layers:
                        raise Flat  # the module lives in another block
                    step.op, step.shares, step.layer = "share", layers[node.shares], None
                elif step.module:
                    layers[child] = key
                produced[child] = key
            else:
                inner = self.body(child)
                shape = list(self.rows[child.last].output_shape)
                sources = tuple(ref(i) for i in inner.inputs)
                training = not guarded and all(
                    nodes[i].train_only for i in range(child.first, child.last + 1)
                )
                step = Step(key, kind, given, "module", sources, training, shape, body=inner)
                produced[child.last] = key
            steps.append(step)
        spec_names = {node: name for name, node in reversed(named)}
        names = [spec_names[i] for i in inputs] if all(i in spec_names for i in inputs) else []
        return Body(group.kind, steps, inputs, names, produced=produced)

    def layer_step(
        self, index: int, key: Key, kind: str, given: str | None, sources: list[Ref]
    ) -> Step:
        node, row = self.network.nodes[index], self.rows[index]
        op = row.layer
        shape = list(row.output_shape)
        slots = [f"{{{i}}}" for i in range(len(sources))]
        if isinstance(op, Chunk):
            expression = f"torch.chunk({{0}}, {op.chunks}, dim={op.dim})[{op.index}]"
        elif isinstance(op, Split):
            split = op.split_size_or_sections
            sizes = list(split) if isinstance(split, tuple) else split
            expression = f"torch.split({{0}}, {sizes}, dim={op.dim})[{op.index}]"
        elif isinstance(op, Add):
            expression = " + ".join(slots)
        elif isinstance(op, Mul):
            expression = " * ".join(slots)
        elif isinstance(op, Concat):
            expression = f"torch.cat([{', '.join(slots)}], dim={op.dim})"
        elif node.functional and isinstance(op, Layer):
            # A layer applied as a function: its call in forward, no module.
            if op.param_count or op.buffer_count:
                raise SpecError(
                    f"{node.where}: {type(op).__name__} applied as a function with its "
                    "block's parameters cannot be exported; make it a module"
                )
            if type(op).__name__ in FUNCTIONS:
                text = call_source(op, "\0", _literal)
            else:  # no function of its own: a module made in forward, never registered
                text = f"{constructor(op, self.helpers)}(\0)"
            expression = text.replace("{", "{{").replace("}", "}}").replace("\0", "{0}")
        else:
            if not isinstance(op, Layer):  # pragma: no cover - summarize built it
                raise TypeError(op)
            if type(op).__name__.startswith("MaxUnpool"):
                raise SpecError(
                    f"{node.where}: MaxUnpool needs the indices of a MaxPool, which a "
                    "spec cannot pass; it cannot be exported"
                )
            frozen = not node.trainable and bool(row.params)
            layer = constructor(op, self.helpers)
            return Step(
                key, kind, given, "module", tuple(sources), False, shape, layer, None, frozen
            )
        step = Step(key, kind, given, expression, tuple(sources), False, shape)
        step.called = node.functional and isinstance(op, Layer)
        return step
