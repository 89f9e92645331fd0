"""Write a network as a self-contained PyTorch module, every inferred number filled in.

``to_pytorch(network, input_shape)`` returns Python source defining an ``nn.Module`` whose
layers are the summary's resolved layers (``in_channels``, ``in_features``... all explicit)
and whose ``forward`` follows the graph: ``Add`` and ``Mul`` become ``+`` and ``*``,
``Concat`` becomes ``torch.cat``. The file runs on its own: ``python model.py`` builds the
model, runs a tensor of the spec's input shape through it and prints the output shape and
parameter count.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence

from .errors import SpecError
from .layers import Layer, layer_fields
from .network import INPUT, Add, Concat, Mul, Network, summarize

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


def _constructor(layer: Layer) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in layer_fields(layer).items())
    return f"nn.{type(layer).__name__}({args})"


def to_pytorch(network: Network, input_shape: Sequence[int] | None = None) -> str:
    """PyTorch source for ``network`` at ``input_shape`` (the spec's own by default)."""
    summary = summarize(network, input_shape)
    rows = summary.layer_rows()
    taken: set[str] = {"self", "x", "torch", "nn"}
    attributes: list[str | None] = []
    init: list[str] = []
    frozen: list[str] = []
    for node, row in zip(network.nodes, rows, strict=True):
        if isinstance(row.layer, Layer):
            if type(row.layer).__name__.startswith("MaxUnpool"):
                raise SpecError(
                    f"{node.where}: MaxUnpool needs the indices of a MaxPool, which a spec "
                    "cannot pass; it cannot be exported"
                )
            attribute = _identifier(node.name, taken)
            attributes.append(attribute)
            init.append(f"        self.{attribute} = {_constructor(row.layer)}")
            if not node.trainable and row.params:
                frozen.append(attribute)
        else:
            attributes.append(None)
    forward = []
    for index, (node, row) in enumerate(zip(network.nodes, rows, strict=True)):
        sources = ["x" if i == INPUT else f"h{i}" for i in node.inputs]
        op = row.layer
        if isinstance(op, Add):
            expression = " + ".join(sources)
        elif isinstance(op, Mul):
            expression = " * ".join(sources)
        elif isinstance(op, Concat):
            expression = f"torch.cat([{', '.join(sources)}], dim={op.dim})"
        else:
            expression = f"self.{attributes[index]}({sources[0]})"
        forward.append(f"        h{index} = {expression}  # {list(row.output_shape)}")
    last = f"h{len(rows) - 1}" if rows else "x"
    class_name = _class_name(network.name)
    for name in frozen:
        init.append(f"        for parameter in self.{name}.parameters():")
        init.append("            parameter.requires_grad_(False)")
    lines = [
        f'"""{network.name}: a PyTorch module written by convcalc from its spec.',
        "",
        f"Input {list(summary.input_shape)} -> output {list(summary.output_shape)}; "
        f"{summary.totals.params:,} parameters",
        f"({summary.totals.trainable_params:,} trainable), {summary.totals.macs:,} MACs.",
        '"""',
        "",
        "import torch",
        "from torch import nn",
        "",
        "",
        f"class {class_name}(nn.Module):",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        *init,
        "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        *forward,
        f"        return {last}",
        "",
        "",
        f"INPUT_SHAPE = {tuple(summary.input_shape)!r}",
        "",
        "",
        'if __name__ == "__main__":',
        f"    model = {class_name}()",
        "    with torch.no_grad():",
        "        out = model(torch.zeros(INPUT_SHAPE))",
        "    print(tuple(out.shape), sum(p.numel() for p in model.parameters()))",
        "",
    ]
    return "\n".join(lines)
