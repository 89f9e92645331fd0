"""A block used again is copied from its first expansion, not worked out afresh.

A use with the same arguments (and, if the block reads it, an input of the same shape)
expands to the same entries: they are copied, renamed and rewired. A use whose arguments
differ only in parameters that nothing but its own layers' arguments read (EfficientNet's
and ConvNeXt's blocks differ in a stochastic-depth ``index`` alone) is copied too, with those
layers worked out again; it is expanded afresh where one of them would pad as TensorFlow
does, fail, or change a shape the block reads after it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ..errors import ShapeError, SpecError
from ..network import INPUT, LayerSpec, Node, ShapeTracker, _list_fields
from ._blocks import _Block
from ._common import _Map
from ._expr import expression_of, names_read
from ._nodes import _META, _NodeWriter, _Out, _Scope
from ._tf import uses_tf_same

_ABSENT: Any = object()  # no ${repeat_index} where an entry was added


class Leaves:
    """A block's parameters that only its own layers' arguments read, and those entries."""

    __slots__ = ("entries", "params")

    def __init__(self, params: tuple[str, ...], entries: frozenset[int]) -> None:
        self.params = params  # in the block's order
        self.entries = entries  # id() of each entry whose arguments read one of them


_NONE = Leaves((), frozenset())


def leaf_parameters(block: _Block, layer_types: Collection[str]) -> Leaves:
    """The parameters of ``block`` read by nothing but the arguments of its own entries of a
    layer type named as such (not a block, a merge, Chunk or Split, nor a ``${...}`` type):
    not by another parameter's default, a check, an entry's ``if``, ``repeat`` or ``from``,
    nor a nested block's arguments. Their defaults are plain values, not ``${...}``."""
    structural: set[str] = set()
    read: set[str] = set()
    by_entry: dict[int, set[str]] = {}
    for default in block.params.values():
        if not _names(default, structural):
            return _NONE
    if block.checks is not None and not _names(block.checks, structural):
        return _NONE
    for entry in block.layers:
        kinds = [k for k in entry if k not in _META] if isinstance(entry, _Map) else []
        if len(kinds) != 1 or kinds[0] not in layer_types:
            if not _names(entry, structural):
                return _NONE
            continue
        arguments: set[str] = set()
        meta = {k: v for k, v in entry.items() if k != kinds[0]}
        if not _names(entry[kinds[0]], arguments) or not _names(meta, structural):
            return _NONE
        by_entry[id(entry)] = arguments
        read |= arguments
    params = tuple(
        p
        for p, default in block.params.items()
        if p in read and p not in structural and _constant(default)
    )
    if not params:
        return _NONE
    return Leaves(params, frozenset(k for k, names in by_entry.items() if names & set(params)))


def _names(value: Any, into: set[str]) -> bool:
    """Add the names the ``${...}`` texts in ``value`` read to ``into``; False if one cannot
    be read."""
    if isinstance(value, str):
        expression = expression_of(value)
        if expression is None:
            return True
        found = names_read(expression)
        if found is None:
            return False
        into |= found
        return True
    if isinstance(value, dict):
        return all(_names(k, into) for k in value) and all(_names(v, into) for v in value.values())
    if isinstance(value, list):
        return all(_names(v, into) for v in value)
    return True


def _constant(value: Any) -> bool:
    """A value with no ``${...}`` and no mapping in it: the same wherever it is worked out."""
    if isinstance(value, str):
        return expression_of(value) is None
    if isinstance(value, list):
        return all(map(_constant, value))
    return not isinstance(value, dict)


class _Copier(_NodeWriter):
    """Keeps each block expansion that can be copied, and copies it; the loader builds on it."""

    tracker: ShapeTracker | None
    block_scopes: list[tuple[tuple[str, ...], str]]
    block_entries: list[tuple[tuple[str, ...], str]]
    block_inputs: list[tuple[tuple[str, ...], tuple[tuple[str, int], ...]]]
    expansions: dict[Any, _Expansion]
    leaves: dict[str, Leaves]

    def copy_key(
        self, block: _Block, given: dict[str, Any], block_depth: int, sources: tuple[int, ...]
    ) -> tuple[Any, Leaves, tuple[Any, ...]]:
        """The key a use of ``block`` with ``given`` arguments is kept and copied by (None if
        it cannot be), its leaf parameters, and their values in this use."""
        leaves = self.leaves.get(block.name)
        if leaves is None:
            leaves = self.leaves[block.name] = leaf_parameters(block, self.types)
        leaf_values: tuple[Any, ...] = ()
        common = given
        if leaves.params:
            leaf_values = tuple(
                given[p]
                if p in given
                else self.value(
                    block.params[p], f"{block.path}.params.{p}", block.params, p, {}, None
                )
                for p in leaves.params
            )
            common = {k: v for k, v in given.items() if k not in leaves.params}
        key = _expansion_key(block.name, common, self.train_only, self.frozen, block_depth, sources)
        return key, leaves, leaf_values

    def same_input(self, known: _Expansion, source: int) -> bool:
        if known.shape is None:
            return True
        if self.tracker is None:  # pragma: no cover - a spec that reads needs one
            return False
        try:
            return self.tracker.shape(self.nodes, source) == known.shape
        except ShapeError:
            return False  # expanded afresh, the block says where

    def remember(
        self,
        key: Any,
        start: tuple[int, int, int, int],
        log: list[tuple[str, str | None, str | None, str]],
        outer: tuple[str, ...],
        instance: str,
        source: int,
        last: _Out,
        leaf: _Leaf,
    ) -> None:
        """Keep what a block's expansion added, if it reads nothing but its one input."""
        first, first_block, first_inputs, reads = start
        nodes = self.nodes[first:]
        inner = self.block_scopes[first_block:]
        entries = self.block_entries[first_block:]
        block_inputs = self.block_inputs[first_inputs:]
        used = [i for n in nodes for i in n.inputs]
        used += [n.shares for n in nodes if n.shares is not None]
        used += [i for _, given in block_inputs for _, i in given]
        used += list(last) if isinstance(last, tuple) else [last]
        if any(i < first and i != source for i in used):  # pragma: no cover - scopes forbid it
            return
        shape = None
        if self.tensor_reads != reads:
            assert self.tracker is not None  # noqa: S101 - a read without one fails
            shape = self.tracker.shape(self.nodes, source)
        self.expansions[key] = _Expansion(
            first,
            source,
            len(outer),
            instance,
            log,
            nodes,
            inner,
            entries,
            block_inputs,
            last,
            shape,
            leaf,
        )

    def rebuilt(
        self, known: _Expansion, params: tuple[str, ...], values: tuple[Any, ...]
    ) -> dict[int, LayerSpec] | None:
        """The layers of ``known`` that read ``params``, worked out for their new ``values``
        (by position in the expansion); None if the block must be expanded afresh: a layer
        would read the incoming tensor, or give another shape where the expansion read one."""
        leaf = known.leaf
        if _typed(values) == leaf.values:
            return {}
        if leaf.rebuilds is None:
            return None
        scope = _Scope(
            {**leaf.params, **dict(zip(params, values, strict=True))}, {"input": INPUT}, ()
        )
        ops: dict[int, LayerSpec] = {}
        for rebuild in leaf.rebuilds:
            if rebuild.repeat_index is _ABSENT:
                scope.values.pop("repeat_index", None)
            else:
                scope.values["repeat_index"] = rebuild.repeat_index
            kind, where = rebuild.kind, rebuild.path
            try:
                entry = rebuild.entry
                args, kwargs = self.arguments(kind, rebuild.value, where, entry, scope, None)
                fields = _list_fields(kind, self.types[kind])
                if "padding" in fields and uses_tf_same(kind, fields, args, kwargs, SpecError):
                    return None
            except SpecError:
                return None  # expanded afresh, the entry says what is wrong
            op = LayerSpec(kind, tuple(args), tuple(kwargs.items()))
            if known.shape is not None:
                assert self.tracker is not None  # noqa: S101 - a read needs one
                if not self.tracker.same_output(self.nodes, known.first + rebuild.node, op):
                    return None
            ops[rebuild.node] = op
        return ops

    def copy_expansion(
        self,
        known: _Expansion,
        outer: tuple[str, ...],
        instance: str,
        source: int,
        ops: dict[int, LayerSpec],
    ) -> _Out:
        """The entries of an earlier expansion again: new names, indices and scopes, and
        ``ops`` in place of the operations at those positions."""
        if known.shape is not None:
            # It read its input: so does a block being expanded around it.
            self.reads_input = True
            self.tensor_reads += 1
        renamed = {known.instance: instance}
        for kind, ident, parent, old in known.log:
            renamed[old] = self.name_in(kind, ident, renamed[parent] if parent else None)
        shift = len(self.nodes) - known.first
        cut = known.depth
        was = known.source

        def index(i: int) -> int:
            return source if i == was else i + shift

        # The nodes of one block instance share one scope tuple, and so do their copies
        # (a summary tells a block's rows by it).
        scopes: dict[int, tuple[str, ...]] = {}

        def scope(path: tuple[str, ...]) -> tuple[str, ...]:
            found = scopes.get(id(path))
            if found is None:
                found = scopes[id(path)] = (*outer, *[renamed[p] for p in path[cut:]])
            return found

        def name(old: str) -> str:
            if old in renamed:
                return renamed[old]
            base, _, k = old.rpartition(".")  # a Chunk's or Split's tensor: ID.k
            return f"{renamed[base]}.{k}"

        first = known.first
        start = len(self.nodes)
        append = self.nodes.append
        changed: set[int] = set()
        for k, n in enumerate(known.nodes):
            op = n.op
            if ops:  # a layer worked out again, or a module shared with one
                if k in ops:
                    op = ops[k]
                    changed.add(k)
                elif n.shares is not None and n.shares - first in ops:
                    op = ops[n.shares - first]
                    changed.add(k)
            append(
                Node(
                    op,
                    name(n.name),
                    tuple([index(i) for i in n.inputs]),
                    scope(n.scope),
                    n.where,
                    n.trainable,
                    train_only=n.train_only,
                    shares=None if n.shares is None else index(n.shares),
                    functional=n.functional,
                    source=n.source,
                    line=n.line,
                    path=n.path,
                )
            )
        if self.tracker is not None:
            self.tracker.copied(self.nodes, first, start, len(known.nodes), (was, source), changed)
        self.block_scopes.extend((scope(p), t) for p, t in known.block_scopes)
        self.block_entries.extend((scope(p), e) for p, e in known.block_entries)
        self.block_inputs.extend(
            (scope(p), tuple((n, index(i)) for n, i in given)) for p, given in known.block_inputs
        )
        last = known.last
        return tuple(index(i) for i in last) if isinstance(last, tuple) else index(last)


# Plain classes rather than NamedTuples, whose creation (an exec) every command that reads a
# spec would pay on import.


class _Expansion:
    """What a block's expansion added to the network, to copy for a second use."""

    __slots__ = (
        "block_entries",
        "block_inputs",
        "block_scopes",
        "depth",
        "first",
        "instance",
        "last",
        "leaf",
        "log",
        "nodes",
        "shape",
        "source",
    )

    def __init__(
        self,
        first: int,
        source: int,
        depth: int,
        instance: str,
        log: list[tuple[str, str | None, str | None, str]],
        nodes: list[Node],
        block_scopes: list[tuple[tuple[str, ...], str]],
        block_entries: list[tuple[tuple[str, ...], str]],
        block_inputs: list[tuple[tuple[str, ...], tuple[tuple[str, int], ...]]],
        last: _Out,
        shape: tuple[int, ...] | None,
        leaf: _Leaf,
    ) -> None:
        self.first = first  # the index of its first node
        self.source = source  # the node it took as input
        self.depth = depth  # how many scopes enclose the block's own
        self.instance = instance  # the block instance's name
        self.log = log  # the names given, in order
        self.nodes = nodes
        self.block_scopes = block_scopes
        self.block_entries = block_entries
        self.block_inputs = block_inputs
        self.last = last
        self.shape = shape  # the input's shape, if the expansion read it
        self.leaf = leaf  # what the layers that read leaf parameters need to be worked out again


class _Rebuild:
    """A layer whose arguments read a leaf parameter: what working it out again takes."""

    __slots__ = ("entry", "kind", "node", "path", "repeat_index", "value")

    def __init__(
        self, node: int, kind: str, value: Any, path: str, entry: Any, repeat_index: Any
    ) -> None:
        self.node = node  # its position in the expansion
        self.kind = kind
        self.value = value  # its arguments, as written
        self.path = path
        self.entry = entry
        self.repeat_index = repeat_index  # ${repeat_index} where it was added, or _ABSENT


class _Leaf:
    """An expansion's leaf parameters: the block's values, the leaf ones' typed values, and
    the layers to work out again for others (None if they cannot be)."""

    __slots__ = ("params", "rebuilds", "values")

    def __init__(
        self, params: dict[str, Any], values: Any, rebuilds: tuple[_Rebuild, ...] | None
    ) -> None:
        self.params = params
        self.values = values
        self.rebuilds = rebuilds


class _Template:
    """Notes, while a block is expanded from node ``first`` on, the layers whose arguments
    read its leaf parameters."""

    def __init__(self, entries: frozenset[int], first: int) -> None:
        self.entries = entries
        self.first = first
        self.found: list[_Rebuild] = []
        self.ok = True

    def note(self, before: tuple[int, int], after: tuple[int, int], rebuild: _Rebuild) -> None:
        """A layer added: one node, reading no tensor (padding tf_same adds two and reads)."""
        if after != (before[0] + 1, before[1]):
            self.ok = False
        self.found.append(rebuild)

    def rebuilds(self) -> tuple[_Rebuild, ...] | None:
        """The layers noted, unless one cannot be worked out again alone."""
        return tuple(self.found) if self.ok else None


def _expansion_key(
    kind: str,
    given: dict[str, Any],
    train_only: bool,
    frozen: bool,
    depth: int,
    sources: tuple[int, ...],
) -> Any:
    """What a block's expansion depends on besides its input, or None if it cannot be told
    (several inputs, or a value that is not hashable)."""
    if len(sources) != 1:
        return None
    key = (kind, train_only, frozen, depth, tuple((k, _typed(v)) for k, v in given.items()))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _typed(value: Any) -> Any:
    """A value with its type, so that 1, 1.0 and True, equal in Python, are told apart."""
    if type(value) is tuple:
        return ("tuple", *map(_typed, value))
    return (type(value), value)
