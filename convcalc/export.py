"""Write a network as a self-contained PyTorch module, every inferred number filled in.

``to_pytorch(network, input_shape)`` returns Python source defining an ``nn.Module`` whose
layers are the summary's resolved layers (``in_channels``, ``in_features``... all explicit)
and whose ``forward`` follows the graph: ``Add`` and ``Mul`` become ``+`` and ``*``,
``Concat`` becomes ``torch.cat``, and a layer applied as a function (``functional: true``) its
call, ``F.relu(h1, inplace=False)``. Each block of the spec becomes a submodule of a class named
after its block type (one class per type, taking its layers as constructor arguments), so the
module tree, the state-dict keys and torchinfo's rows follow the spec's blocks. The file runs
on its own: ``python model.py`` builds the model, runs a tensor of the spec's input shape
through it in eval mode and prints the output shape and parameter count.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._record import record_fields
from .errors import ShapeError, SpecError
from .functional import FUNCTIONS, call_source
from .layers import Layer, layer_fields
from .network import INPUT, Add, Chunk, Concat, Mul, Network, Row, Split, summarize

__all__ = ["to_pytorch"]


def _identifier(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name).strip("_") or "layer"
    if base[0].isdigit() or keyword.iskeyword(base):
        base = f"layer_{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _class_name(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w) or "Network"
    return text if text[0].isalpha() else f"Net{text}"


def _literal(value: object) -> str:
    """Python source for an argument: ``float('-inf')`` where ``repr`` would give ``-inf``."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return f"float({str(value)!r})"
    return repr(value)


def _constructor(layer: Layer) -> str:
    args = ", ".join(f"{key}={_literal(value)}" for key, value in layer_fields(layer).items())
    name = type(layer).__name__
    return f"{name}({args})" if name in _OPS else f"nn.{name}({args})"


# Layers of torchvision.ops that torch.nn lacks, written out so that the file runs on its own.
_OPS: dict[str, str] = {
    "StochasticDepth": '''class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth: the identity in eval; in training, zeroes each row of
    the batch (mode 'row') or the whole batch (mode 'batch') with probability p, and scales
    what is kept by 1 / (1 - p)."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        size = [x.shape[0]] + [1] * (x.ndim - 1) if self.mode == "row" else [1] * x.ndim
        mask = torch.empty(size, dtype=x.dtype, device=x.device).bernoulli_(keep)
        return x * (mask / keep if keep > 0.0 else mask)''',
    "Permute": '''class Permute(nn.Module):
    """torchvision.ops.misc.Permute: torch.permute(x, dims)."""

    def __init__(self, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.permute(x, self.dims)''',
    "Scale": '''class Scale(nn.Module):
    """A learnable tensor of the given shape multiplying the input (layer scale)."""

    def __init__(self, shape: tuple[int, ...], init: float = 1.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(shape) * init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * x''',
    "FrozenBatchNorm2d": '''class FrozenBatchNorm2d(nn.Module):
    """torchvision.ops.FrozenBatchNorm2d: a batch norm whose statistics and affine terms are
    buffers, fixed in training too: x * w / sqrt(var + eps) + (b - mean * w / sqrt(var + eps))."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(num_features))
        self.register_buffer("bias", torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.weight.reshape(1, -1, 1, 1) * (
            self.running_var.reshape(1, -1, 1, 1) + self.eps
        ).rsqrt()
        shift = self.bias.reshape(1, -1, 1, 1) - self.running_mean.reshape(1, -1, 1, 1) * scale
        return x * scale + shift''',
    "LayerNorm2d": '''class LayerNorm2d(nn.LayerNorm):
    """torchvision's LayerNorm2d: a LayerNorm over the channels of an (N, C, H, W) input."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)''',
}


@dataclass
class _Group:
    """A block instance (or the whole network): its children in order, each a node index or
    a nested group."""

    path: str
    kind: str
    children: list[int | _Group] = field(default_factory=list)
    first: int = -1
    last: int = -1


def _tree(network: Network) -> _Group:
    kinds = dict(network.blocks)
    root = _Group("", "")
    open_groups: dict[tuple[str, ...], _Group] = {(): root}
    for index, node in enumerate(network.nodes):
        parent = root
        for depth in range(1, len(node.scope) + 1):
            scope = node.scope[:depth]
            group = open_groups.get(scope)
            if group is None:
                group = _Group(scope[-1], kinds.get(scope, "Block"), first=index)
                parent.children.append(group)
                open_groups[scope] = group
            group.last = index
            parent = group
        parent.children.append(index)
    root.first, root.last = 0, len(network.nodes) - 1
    return root


class _Flat(Exception):
    """The blocks' wiring cannot be written as nested modules (an entry reads a layer inside
    another block, or the network returns a tensor from inside a block)."""


class _Writer:
    def __init__(self, network: Network, rows: Sequence[Row]) -> None:
        self.network = network
        self.rows = rows
        self.classes: dict[str, list[str]] = {}  # class name -> its source lines
        self.signatures: dict[tuple[str, tuple[str, ...]], str] = {}
        self.frozen: list[str] = []
        self.attributes: dict[int, tuple[str, str]] = {}  # node -> (block path, attribute)

    def local_name(
        self, group: _Group, child: int | _Group, taken: set[str], counts: dict[str, int]
    ) -> str:
        """The attribute name of a child in its block: a name the spec gave (``id:``) as it
        is, a generated one (``conv2d_7``) numbered again within the block, so that every
        instance of a block type has the same attributes."""
        if isinstance(child, int):
            full = self.network.nodes[child].name
            op = self.network.nodes[child].op
            kind = (op.type if hasattr(op, "type") else type(op).__name__).lower()
        else:
            full, kind = child.path, child.kind.lower()
        prefix = group.path + "." if group.path else ""
        local = full[len(prefix) :] if full.startswith(prefix) else full
        match = re.fullmatch(r"([a-z0-9]+)_\d+", local)
        if match and match.group(1) == kind:
            counts[kind] = counts.get(kind, 0) + 1
            local = f"{kind}_{counts[kind]}"
        return _identifier(local, taken)

    def group(
        self, group: _Group, path: str, inputs: Sequence[int] = (INPUT,)
    ) -> tuple[list[tuple[str, str]], list[str], list[list[int]]]:
        """The (attribute, constructor) pairs, the forward lines and each line's output shape
        (for a comment where the shapes are fixed) of a group. ``inputs`` are the tensors it
        reads from outside, in the order its ``forward`` takes them (``x``, or ``x0, x1...``).
        """
        taken = {"self", "x", "torch", "nn"}
        if len(inputs) == 1:
            arguments = dict.fromkeys(inputs, "x")
        else:
            arguments = {i: f"x{k}" for k, i in enumerate(inputs)}
        counts: dict[str, int] = {}
        members: list[tuple[str, str]] = []
        forward: list[str] = []
        shapes: list[list[int]] = []
        outputs: dict[int, str] = {}  # node index -> the local variable holding it
        for step, child in enumerate(group.children):
            # A layer applied as a function is a call in forward, with no attribute.
            called = isinstance(child, int) and self.network.nodes[child].functional
            attribute = "" if called else self.local_name(group, child, taken, counts)
            variable = f"h{step}"
            if isinstance(child, int):
                node, row = self.network.nodes[child], self.rows[child]
                sources = [self.source(i, group, outputs, arguments) for i in node.inputs]
                op = row.layer
                if node.shares is not None:
                    if node.shares not in self.attributes or (
                        self.attributes[node.shares][0] != path
                    ):
                        raise _Flat  # the module lives in another block
                    members_before = self.attributes[node.shares][1]
                    expression = f"self.{members_before}({sources[0]})"
                elif isinstance(op, Chunk):
                    expression = f"torch.chunk({sources[0]}, {op.chunks}, dim={op.dim})[{op.index}]"
                elif isinstance(op, Split):
                    split = op.split_size_or_sections
                    sizes = list(split) if isinstance(split, tuple) else split
                    expression = f"torch.split({sources[0]}, {sizes}, dim={op.dim})[{op.index}]"
                elif isinstance(op, Add):
                    expression = " + ".join(sources)
                elif isinstance(op, Mul):
                    expression = " * ".join(sources)
                elif isinstance(op, Concat):
                    expression = f"torch.cat([{', '.join(sources)}], dim={op.dim})"
                elif called and isinstance(op, Layer):
                    if op.param_count or op.buffer_count:
                        raise SpecError(
                            f"{node.where}: {type(op).__name__} applied as a function with its "
                            "block's parameters cannot be exported; make it a module"
                        )
                    if type(op).__name__ in FUNCTIONS:
                        expression = call_source(op, sources[0], _literal)
                    else:  # no function of its own: a module made in forward, never registered
                        expression = f"{_constructor(op)}({sources[0]})"
                else:
                    if not isinstance(op, Layer):  # pragma: no cover - summarize built it
                        raise TypeError(op)
                    if type(op).__name__.startswith("MaxUnpool"):
                        raise SpecError(
                            f"{node.where}: MaxUnpool needs the indices of a MaxPool, which a "
                            "spec cannot pass; it cannot be exported"
                        )
                    members.append((attribute, _constructor(op)))
                    self.attributes[child] = (path, attribute)
                    if not node.trainable and row.params:
                        self.frozen.append(f"{path}{attribute}")
                    expression = f"self.{attribute}({sources[0]})"
                if node.train_only:
                    expression = f"{expression} if self.training else None"
                shape = list(row.output_shape)
                outputs[child] = variable
            else:
                inner_sources = self.group_inputs(child)
                sources = [self.source(i, group, outputs, arguments) for i in inner_sources]
                members.append(
                    (attribute, self.instance(child, f"{path}{attribute}.", inner_sources))
                )
                expression = f"self.{attribute}({', '.join(sources)})"
                if all(
                    self.network.nodes[i].train_only for i in range(child.first, child.last + 1)
                ):
                    expression = f"{expression} if self.training else None"
                shape = list(self.rows[child.last].output_shape)
                outputs[child.last] = variable
            forward.append(f"        {variable} = {expression}")
            shapes.append(shape)
        last = f"h{len(group.children) - 1}" if group.children else "x"
        if not group.path and self.network.outputs:
            if any(i not in outputs for i in self.network.outputs):
                raise _Flat  # a tensor inside a block, not its output
            last = "(" + ", ".join(outputs[i] for i in self.network.outputs) + ",)"
        forward.append(f"        return {last}")
        return members, forward, shapes

    def group_inputs(self, group: _Group) -> list[int]:
        """The tensors a block reads from outside, in the order it first reads them."""
        inside = range(group.first, group.last + 1)
        sources = {
            i: None
            for index in inside
            for i in self.network.nodes[index].inputs
            if i not in inside or i == INPUT
        }
        return list(sources)

    def source(
        self, index: int, group: _Group, outputs: dict[int, str], arguments: dict[int, str]
    ) -> str:
        if index in outputs:
            return outputs[index]
        if index in arguments:
            return arguments[index]
        raise _Flat  # a layer inside an earlier block, not its output

    def instance(self, group: _Group, path: str, inputs: Sequence[int]) -> str:
        """The expression that builds a block instance, defining its class on first use."""
        members, forward, _ = self.group(group, path, inputs)
        signature = (group.kind, (*(a for a, _ in members), *forward))
        class_name = self.signatures.get(signature)
        if class_name is None:
            base = _class_name(group.kind)
            class_name, n = base, 2
            while class_name in self.classes:
                class_name, n = f"{base}{n}", n + 1
            self.signatures[signature] = class_name
            self.classes[class_name] = _class_source(
                class_name, group.kind, members, forward, len(inputs)
            )
            if class_name != base:
                # Instances whose conditions left out different entries: one class each,
                # every one named after the spec's block (as torchinfo and print show it).
                self.classes[class_name] += ["", "", f"{class_name}.__name__ = {base!r}"]
        arguments = "".join(f"\n{a}={_indent(c)}," for a, c in members)
        return f"{class_name}({_indent(arguments)}\n)"


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def _class_source(
    class_name: str, kind: str, members: list[tuple[str, str]], forward: list[str], inputs: int
) -> list[str]:
    parameters = "".join(f", {a}: nn.Module" for a, _ in members)
    signature = f"    def __init__(self{parameters}) -> None:"
    if len(signature) > 100:
        signature = (
            "\n".join(
                [
                    "    def __init__(",
                    "        self,",
                    *(f"        {a}: nn.Module," for a, _ in members),
                ]
            )
            + "\n    ) -> None:"
        )
    return [
        f"class {class_name}(nn.Module):",
        f'    """The spec\'s block {kind}."""',
        "",
        signature,
        "        super().__init__()",
        *(f"        self.{a} = {a}" for a, _ in members),
        "",
        f"    def forward(self, {_parameters(inputs)}) -> torch.Tensor:",
        *forward,
    ]


def _parameters(count: int) -> str:
    """The tensor arguments of a forward: ``x``, or ``x0, x1...`` for a block of several."""
    if count == 1:
        return "x: torch.Tensor"
    return ", ".join(f"x{k}: torch.Tensor" for k in range(count))


def to_pytorch(
    network: Network, input_shape: Sequence[int] | None = None, *, mode: str = "eval"
) -> str:
    """PyTorch source for ``network`` at ``input_shape`` (the spec's own by default).

    The module holds every entry; training-only ones run in ``forward`` only when the module
    is training. ``mode`` chooses the counts its docstring gives.
    """
    summary = summarize(network, input_shape, mode=mode)
    network = _rebuilt(network, input_shape)
    # Without training-only entries, eval's rows are the train rows, and a batch of one that a
    # training batch norm refuses (DeepLabV3's image pooling) still exports.
    if any(node.train_only for node in network.nodes):
        rows = _every_row(network, input_shape)
    else:
        rows = summarize(network, input_shape).layer_rows()
    writer = _Writer(network, rows)
    try:
        members, forward, shapes = writer.group(_tree(network), "")
    except _Flat:
        writer = _Writer(network, rows)
        flat = _Group("", "", list(range(len(network.nodes))), 0, len(network.nodes) - 1)
        members, forward, shapes = writer.group(flat, "")
    forward = [
        f"{line}  # {shape}" for line, shape in zip(forward, shapes, strict=False)
    ] + forward[len(shapes) :]
    class_name = _class_name(network.name)
    init = [f"        self.{a} = {_indent(_indent(c))}" for a, c in members]
    for path in writer.frozen:
        init.append(f'        self.get_submodule("{path}").requires_grad_(False)')
    used = {type(row.layer).__name__ for row in rows if not row.functional}
    called = any(row.functional for row in rows)
    helpers = [line for name in _OPS if name in used for line in [_OPS[name], "", ""]]
    classes = helpers + [line for source in writer.classes.values() for line in [*source, "", ""]]
    several = len(summary.outputs) > 1
    returned = (
        f"outputs {', '.join(str(list(s)) for s in summary.outputs)}"
        if several
        else f"output {list(summary.output_shape)}"
    )
    lines = [
        f'"""{network.name}: a PyTorch module written by convcalc from its spec.',
        "",
        f"Input {list(summary.input_shape)} -> {returned}; {summary.totals.params:,} parameters",
        f"({summary.totals.trainable_params:,} trainable), {summary.totals.macs:,} MACs.",
        '"""',
        "",
        "import torch",
        "from torch import nn",
        *(["from torch.nn import functional as F"] if called else []),
        "",
        f'__all__ = ["INPUT_SHAPE", "{class_name}"]',
        "",
        "",
        *classes,
        f"class {class_name}(nn.Module):",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        *init,
        "",
        "    def forward(self, x: torch.Tensor) -> "
        + ("tuple[torch.Tensor, ...]:" if several else "torch.Tensor:"),
        *forward,
        "",
        "",
        f"INPUT_SHAPE = {tuple(summary.input_shape)!r}",
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {class_name}().eval()",
        "    with torch.no_grad():",
        "        out = model(torch.zeros(INPUT_SHAPE))",
        "    shapes = [tuple(o.shape) for o in out]"
        if several
        else "    shapes = tuple(out.shape)",
        "    print(shapes, sum(p.numel() for p in model.parameters()))",
        "",
    ]
    return "\n".join(lines)


def _every_row(network: Network, input_shape: Sequence[int] | None) -> Sequence[Row]:
    """A row for every node, training-only ones included: the train-mode summary's.

    A training-mode BatchNorm refuses a batch with one value per channel (Inception v3's aux
    head on a batch of 1), but a module does not depend on the batch: then the rows come from
    the same nodes on a batch of 2, with the batch of 1 put back in their shapes, provided
    every layer that runs in eval mode is built the same (so dimension 0 was the batch).
    """
    try:
        return summarize(network, input_shape, mode="train").layer_rows()
    except ShapeError as exc:
        shape = tuple(input_shape or network.input_shape or ())
        if len(shape) < 2 or shape[0] != 1:
            raise
        refused = exc
    same = Network(
        network.nodes, network.input_shape, network.name, network.blocks, source=network.source
    )
    try:
        rows = summarize(same, (2, *shape[1:]), mode="train").layer_rows()
    except ShapeError:
        raise refused from None
    built = {row.index: row.layer for row in rows}
    if any(built[row.index] != row.layer for row in summarize(network, shape).layer_rows()):
        raise refused
    return [
        Row(**{**record_fields(row), "output_shape": (1, *row.output_shape[1:])}) for row in rows
    ]


def _rebuilt(network: Network, input_shape: Sequence[int] | None) -> Network:
    """The network as summarised at ``input_shape`` (a spec reading its input is read again)."""
    if network.rebuild is None or input_shape is None:
        return network
    if tuple(input_shape) == network.input_shape:
        return network
    return network.rebuild(tuple(input_shape))
