"""Write a network as a self-contained PyTorch module, every inferred number filled in.

``to_pytorch(network, input_shape)`` returns Python source defining an ``nn.Module`` whose
layers are the summary's resolved layers (``in_channels``, ``in_features``... all explicit)
and whose ``forward`` follows the graph: ``Add`` and ``Mul`` become ``+`` and ``*``,
``Concat`` becomes ``torch.cat``, and a layer applied as a function (``functional: true``) its
call, ``F.relu(h1, inplace=False)``. Each block of the spec becomes a submodule of a class named
after its block type (one class per type, taking its layers as constructor arguments, a part
that a condition left out as ``None``: see ``_export_classes``), so the module tree, the
state-dict keys and torchinfo's rows follow the spec's blocks. The file runs
on its own: ``python model.py`` builds the model, runs a tensor of the spec's input shape
through it in eval mode and prints the output shape and parameter count.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._export_blocks import Flat, Reader, Ref, constructor, flat, tree
from ._export_blocks import class_name as _class_name
from ._export_classes import Writer, forward_lines, indent, names_of
from ._record import record_fields
from .errors import ShapeError
from .layers import Layer
from .network import Network, Row, _summarize, summarize

__all__ = ["to_pytorch"]


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


def _constructor(layer: Layer) -> str:
    """The source that builds ``layer``: ``nn.Conv2d(in_channels=3, ...)``."""
    return constructor(layer, list(_OPS))


def to_pytorch(
    network: Network, input_shape: Sequence[int] | None = None, *, mode: str = "eval"
) -> str:
    """PyTorch source for ``network`` at ``input_shape`` (the spec's own by default).

    The module holds every entry; training-only ones run in ``forward`` only when the module
    is training. ``mode`` chooses the counts its docstring gives.
    """
    summary = summarize(network, input_shape, mode=mode)
    network = network.at(input_shape)
    # Without training-only entries, eval's rows are the train rows, and a batch of one that a
    # training batch norm refuses (DeepLabV3's image pooling) still exports.
    built_for = None  # the input the training-only entries are built for, if not this one
    if any(node.train_only for node in network.nodes):
        rows, built_for = _every_row(network, input_shape)
    else:
        rows = summarize(network, input_shape).layer_rows()
    reader = Reader(network, rows, list(_OPS))
    try:
        root = reader.body(tree(network))
        returned = _returned(network, root.produced)
        writer = Writer()
        writer.write_classes(root)
    except Flat:
        root = reader.body(flat(network))
        returned = _returned(network, root.produced)
        writer = Writer()
    root.names = names_of(root.steps, {"self", "x", "torch", "nn"})
    forward, shapes = forward_lines(root.steps, root.names, ["x"], set(), returned)
    forward = [
        f"{line}  # {shape}" for line, shape in zip(forward, shapes, strict=False)
    ] + forward[len(shapes) :]
    class_name = _class_name(network.name)
    members = writer.arguments(root, "")
    init = [f"        self.{a} = {indent(indent(c))}" for a, c in members]
    for path in writer.frozen:
        init.append(f'        self.get_submodule("{path}").requires_grad_(False)')
    used = {type(row.layer).__name__ for row in rows if not row.functional}
    called = any(row.functional for row in rows)
    helpers = [line for name in _OPS if name in used for line in [_OPS[name], "", ""]]
    classes = helpers + [line for source in writer.classes.values() for line in [*source, "", ""]]
    several = len(summary.outputs) > 1
    returns = (
        f"outputs {', '.join(str(list(s)) for s in summary.outputs)}"
        if several
        else f"output {list(summary.output_shape)}"
    )
    lines = [
        f'"""{network.name}: a PyTorch module written by convcalc from its spec.',
        "",
        f"Input {list(summary.input_shape)} -> {returns}; {summary.totals.params:,} parameters",
        f"({summary.totals.trainable_params:,} trainable), {summary.totals.macs:,} MACs.",
        *(
            [
                "",
                "Its training-only entries are built, and their shapes commented, for the spec's",
                f"input {list(built_for)}: training needs that size (eval never runs them).",
            ]
            if built_for
            else []
        ),
        '"""',
        "",
        *(["from collections import OrderedDict", ""] if writer.sequential else []),
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


def _returned(network: Network, produced: dict[int, Ref]) -> list[Ref] | None:
    """What the network's forward returns when it has several outputs (-1: its input)."""
    if not network.outputs:
        return None
    if any(i not in produced and i != -1 for i in network.outputs):
        raise Flat  # a tensor inside a block, not its output
    return [0 if i == -1 else produced[i] for i in network.outputs]


def _every_row(
    network: Network, input_shape: Sequence[int] | None
) -> tuple[Sequence[Row], tuple[int, ...] | None]:
    """A row for every node, training-only ones included, and the input the training-only
    ones are built for if it is not ``input_shape``.

    The rows are the train-mode summary's where it works (see :func:`_train_rows`). Where the
    training-only entries do not fit ``input_shape`` (Inception v3's auxiliary head below 299
    pixels), eval never runs them, as in PyTorch: the rows are eval's, the training-only ones
    as summarize counts them (built for the input the network was loaded for).
    """
    try:
        return _train_rows(network, input_shape), None
    except ShapeError as exc:
        own = network.own_input()
        if own is None or input_shape is None or tuple(input_shape) == tuple(own):
            raise
        refused = exc
    idle: dict[str, Row] = {}
    summary = _summarize(network, input_shape, "eval", idle)
    by_index = {row.index: row for row in summary.layer_rows()}
    rows = []
    for index, node in enumerate(network.nodes):
        row = by_index.get(index) or idle.get(node.name)
        if row is None:
            raise refused from None
        rows.append(row if row.index == index else Row(**{**record_fields(row), "index": index}))
    return rows, tuple(own)


def _train_rows(network: Network, input_shape: Sequence[int] | None) -> Sequence[Row]:
    """The train-mode summary's rows.

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
