"""A traced model written as a YAML spec (docs/spec-format.md) that ``convcalc net``
summarises to the trace's own table.

Each module call that is a block of the network becomes a block instance; a block
definition is named after the module's class, and instances of one class whose entries
differ get definitions of their own (``BasicBlock_2``, shown as ``BasicBlock`` by its
``type:``). A block's inputs are the tensors its entries read from outside it. Functional
nodes carry ``functional: true``. The text is read back and checked against the trace
before it is returned.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import UntraceableError
from ..explain import describe
from ..layers import Layer, layer_types
from ..network import INPUT, MERGES, PIECES, Chunk, Concat, Network, Split
from ._check import check_same
from ._graph import trace_network

if TYPE_CHECKING:
    from ._result import TraceSummary

__all__ = ["spec_text"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


class _Entry:
    """One entry of a list: a node (or the nodes of a Chunk/Split), or a block instance."""

    def __init__(self, nodes: list[int], block: _Block | None = None) -> None:
        self.nodes = nodes
        self.block = block
        self.id: str | None = None

    def output(self) -> int:
        return self.block.output() if self.block is not None else self.nodes[-1]


class _Block:
    def __init__(self, scope: tuple[str, ...], kind: str) -> None:
        self.scope = scope
        self.kind = kind
        self.entries: list[_Entry] = []
        self.inputs: list[int] = []  # nodes read from outside, in order of first use
        self.text: list[str] = []
        self.definition = ""

    def output(self) -> int:
        return self.entries[-1].output()


class _Writer:
    def __init__(self, network: Network, file: str | None) -> None:
        self.network = network
        self.file = file
        self.nodes = network.nodes
        self.root = _Block((), "")
        self.kinds = dict(network.blocks)
        self.definitions: dict[str, tuple[str, list[str]]] = {}  # name -> (text key, lines)
        self.by_text: dict[str, str] = {}
        self.reserved = {*layer_types(), *MERGES, *PIECES, "share"}

    def fail(self, index: int, text: str) -> UntraceableError:
        node = self.nodes[index]
        return UntraceableError(
            f"cannot export: {text}", source=node.source or self.file, line=node.line
        )

    # -- the tree of blocks

    def tree(self) -> None:
        stack = [self.root]
        k = 0
        nodes = self.nodes
        while k < len(nodes):
            node = nodes[k]
            while node.scope[: len(stack[-1].scope)] != stack[-1].scope or len(
                stack[-1].scope
            ) > len(node.scope):
                stack.pop()
            while len(stack[-1].scope) < len(node.scope):
                scope = node.scope[: len(stack[-1].scope) + 1]
                block = _Block(scope, self.kinds.get(scope, "Block"))
                stack[-1].entries.append(_Entry([], block))
                stack.append(block)
            group = [k]
            op = node.op
            if isinstance(op, (Chunk, Split)):
                while (
                    k + 1 < len(nodes)
                    and type(nodes[k + 1].op) is type(op)
                    and nodes[k + 1].inputs == node.inputs
                    and getattr(nodes[k + 1].op, "index", 0) == len(group)
                ):
                    k += 1
                    group.append(k)
            stack[-1].entries.append(_Entry(group))
            k += 1

    # -- references

    def owners(self, block: _Block) -> dict[int, tuple[_Entry, int | None]]:
        """Which entry of ``block`` gives each node it can name: (entry, piece index)."""
        found: dict[int, tuple[_Entry, int | None]] = {}
        for entry in block.entries:
            if entry.block is not None:
                found[entry.block.output()] = (entry, None)
            elif len(entry.nodes) > 1 or isinstance(self.nodes[entry.nodes[0]].op, (Chunk, Split)):
                for k, n in enumerate(entry.nodes):
                    found[n] = (entry, k)
            else:
                found[entry.nodes[0]] = (entry, None)
        return found

    def inside(self, block: _Block) -> set[int]:
        nodes: set[int] = set()
        for entry in block.entries:
            nodes.update(entry.nodes)
            if entry.block is not None:
                nodes |= self.inside(entry.block)
        return nodes

    def resolve(self, block: _Block) -> None:
        """Work out each list's references, innermost blocks first."""
        for entry in block.entries:
            if entry.block is not None:
                self.resolve(entry.block)
        own = self.inside(block)
        for entry in block.entries:
            sources = (
                entry.block.inputs if entry.block is not None else self.nodes[entry.nodes[0]].inputs
            )
            for s in sources:
                if (s == INPUT or s not in own) and s not in block.inputs:
                    block.inputs.append(s)

    def reference(
        self, block: _Block, owners: dict[int, tuple[_Entry, int | None]], s: int, at: int
    ) -> str:
        if s in block.inputs:
            if len(block.inputs) == 1:
                return "input"
            return f"in{block.inputs.index(s) + 1}"
        if s not in owners:
            raise self.fail(
                at, "an operation reads a tensor from inside a module it is not part of"
            )
        entry, piece = owners[s]
        if entry.id is None:
            entry.id = self.name_for(block, entry)
        return entry.id if piece is None else f"{entry.id}.{piece}"

    def name_for(self, block: _Block, entry: _Entry) -> str:
        if entry.block is not None:
            base = entry.block.scope[-1].rsplit(".", 1)[-1]
        else:
            node = self.nodes[entry.nodes[0]]
            base = (
                node.name.rsplit(".", 1)[-1]
                if not node.functional
                else type(node.op).__name__.lower()
            )
        base = _UNSAFE.sub("_", base)
        if not base or base[0].isdigit() or base in ("input", "share"):
            base = f"m{base}"
        taken = {e.id for e in block.entries if e.id is not None} | {
            f"in{i + 1}" for i in range(len(block.inputs))
        }
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        return name

    # -- text

    def lines_of(self, block: _Block) -> list[str]:
        owners = self.owners(block)
        for entry in block.entries:
            # Modules keep their attribute names (conv1, layer1_0) as ids; a position in a
            # Sequential says nothing an entry's place does not.
            if entry.id is None and (
                entry.block is not None or not self.nodes[entry.nodes[0]].functional
            ):
                name = entry.block.scope[-1] if entry.block else self.nodes[entry.nodes[0]].name
                if not name.rsplit(".", 1)[-1].isdigit():
                    entry.id = self.name_for(block, entry)
        previous: int | None = block.inputs[0] if block.inputs else INPUT
        # First pass: every reference, so that ids exist before any text is written.
        froms: list[list[str] | None] = []
        shares: list[str | None] = []
        for entry in block.entries:
            first = entry.nodes[0] if entry.nodes else None
            sources = (
                list(entry.block.inputs)
                if entry.block is not None
                else list(self.nodes[entry.nodes[0]].inputs)
            )
            at = first if first is not None else self.first_node(entry.block)
            if (
                len(sources) == 1
                and sources[0] == previous
                and (entry.block is None or len(entry.block.inputs) == 1)
            ):
                froms.append(None)
            else:
                froms.append([self.reference(block, owners, s, at) for s in sources])
            shared = self.nodes[first].shares if first is not None else None
            if first is not None and shared is not None:
                if shared not in owners or owners[shared][0].block is not None:
                    raise self.fail(first, "a module is used again from another module")
                original = owners[shared][0]
                if original.id is None:
                    original.id = self.name_for(block, original)
                shares.append(original.id)
            else:
                shares.append(None)
            # After a Chunk or Split, every entry names the tensor it takes.
            previous = None if len(entry.nodes) > 1 else entry.output()
        lines: list[str] = []
        for entry, refs, share in zip(block.entries, froms, shares, strict=True):
            lines += self.entry_lines(entry, refs, share)
        return lines

    def first_node(self, block: _Block | None) -> int:
        assert block is not None  # noqa: S101 - an entry is a node or a block
        entry = block.entries[0]
        return entry.nodes[0] if entry.nodes else self.first_node(entry.block)

    def entry_lines(self, entry: _Entry, refs: list[str] | None, share: str | None) -> list[str]:
        meta: list[str] = []
        if entry.id is not None:
            meta.append(f"id: {entry.id}")
        if refs is not None:
            meta.append(f"from: {_flow(refs) if len(refs) > 1 else refs[0]}")
        if entry.block is not None:
            name = self.define(entry.block)
            return [f"- {name}" + (":" if meta else ""), *(f"  {m}" for m in meta)]
        node = self.nodes[entry.nodes[0]]
        if node.functional:
            meta.append("functional: true")
        if share is not None:
            return [f"- share: {share}", *(f"  {m}" for m in meta)]
        op = node.op
        if isinstance(op, Layer):
            head = describe(op)
            return [f"- {head}" + (":" if meta else ""), *(f"  {m}" for m in meta)]
        kind = type(op).__name__
        if isinstance(op, Concat):
            head = f"{kind}: {{dim: {op.dim}}}"
        elif isinstance(op, Chunk):
            head = f"{kind}: {{chunks: {op.chunks}, dim: {op.dim}}}"
        elif isinstance(op, Split):
            split = op.split_size_or_sections
            sections = _flow([str(v) for v in split]) if isinstance(split, tuple) else str(split)
            head = f"{kind}: {{split_size_or_sections: {sections}, dim: {op.dim}}}"
        else:
            head = f"{kind}:"
        return [f"- {head}", *(f"  {m}" for m in meta)]

    def define(self, block: _Block) -> str:
        if block.definition:
            return block.definition
        body = self.lines_of(block)
        inputs = (
            [f"inputs: {_flow([f'in{i + 1}' for i in range(len(block.inputs))])}"]
            if len(block.inputs) > 1
            else []
        )
        key = "\n".join([*inputs, *body])
        kind = block.kind
        name = self.by_text.get(f"{kind}\n{key}")
        if name is None:
            name, n = kind, 1
            while name in self.definitions or name in self.reserved:
                n += 1
                name = f"{kind}_{n}"
            lines = [f"{name}:"]
            if name != kind:
                lines.append(f"  type: {kind}")
            lines += [f"  {line}" for line in inputs]
            lines.append("  layers:")
            lines += [f"    {line}" for line in body]
            self.definitions[name] = (key, lines)
            self.by_text[f"{kind}\n{key}"] = name
        block.definition = name
        return name

    def text(self, name: str, description: str, shape: tuple[int, ...]) -> str:
        self.tree()
        self.resolve(self.root)
        self.root.inputs = [INPUT]
        # Several outputs: each is named (ids first, so that the entries carry them).
        outputs = []
        if self.network.outputs:
            owners = self.owners(self.root)
            for s in self.network.outputs:
                at = s if s != INPUT else 0
                outputs.append(self.reference(self.root, owners, s, at))
        body = self.lines_of(self.root)
        lines = [
            f"name: {name}",
            f"description: {_quoted(description)}",
            f"input: {_flow([str(s) for s in shape])}",
        ]
        if self.definitions:
            lines.append("blocks:")
            for _, block_lines in self.definitions.values():
                lines += [f"  {line}" for line in block_lines]
        lines.append("layers:")
        lines += [f"  {line}" for line in body]
        if outputs:
            lines.append(f"outputs: {_flow(outputs)}")
        return "\n".join(lines) + "\n"


def _flow(items: list[str]) -> str:
    return f"[{', '.join(items)}]"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def spec_text(summary: TraceSummary, *, command: str = "") -> str:
    """The traced model as a YAML spec that ``convcalc net`` summarises to the same table.

    Raises :class:`~convcalc.errors.UntraceableError` (exit code 3), naming the line, for an
    operation the spec format cannot express.
    """
    network = trace_network(summary)
    file = network.source
    extra = ""
    description = (
        f"{summary.name} traced from {file or 'its source'}"
        + (f" ({command})" if command else "")
        + f": the operations of forward at input {list(summary.input_shape)}{extra}"
    )
    writer = _Writer(network, file)
    name = summary.name if re.fullmatch(r"[A-Za-z_][\w.-]*", summary.name) else "model"
    text = writer.text(name, description, tuple(summary.input_shape))
    from ..spec import load_spec

    try:
        loaded = load_spec(text)
    except Exception as exc:  # the writer's own mistake, never a wrong spec
        raise UntraceableError(
            f"cannot export: the spec written does not read back: {exc}"
        ) from None
    check_same(loaded, summary, "exported spec")
    return text
