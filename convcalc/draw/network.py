"""A network as a shape-flow diagram: SVG, Mermaid (renders in GitHub markdown) and DOT.

Each box is a layer, or a block folded to ``depth``, with its output shape and parameter
count; an arrow joins each node to the nodes that read it, and arrows that skip over boxes
(residual connections, U-Net skips) curve along the right-hand side.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._record import Record
from ..layers import Shape, dims_text
from ..network import INPUT, Network, summarize
from ._svg import Canvas

__all__ = ["Box", "Diagram", "diagram", "network_dot", "network_mermaid", "network_svg"]

BOX_W, BOX_H, STEP = 380, 38, 58


class Box(Record):
    key: str
    title: str
    shape: Shape
    params: int


class Diagram(Record):
    """Boxes in order and the edges between them (indices; -1 is the input)."""

    name: str
    input_shape: Shape
    boxes: tuple[Box, ...]
    edges: tuple[tuple[int, int], ...]


def diagram(network: Network, input_shape: Sequence[int] | None = None, depth: int = 1) -> Diagram:
    """Fold ``network`` to ``depth`` levels of blocks and list its boxes and edges."""
    summary = summarize(network, input_shape)
    rows = summary.layer_rows()
    kinds = dict(network.blocks)
    boxes: list[Box] = []
    where: dict[str, int] = {}
    owner: list[int] = []
    for node, row in zip(network.nodes, rows, strict=True):
        if depth > 0 and len(node.scope) >= depth:
            key = node.scope[depth - 1]  # scope entries are full paths
            if key not in where:
                where[key] = len(boxes)
                boxes.append(
                    Box(
                        key, f"{key}: {kinds.get(node.scope[:depth], 'Block')}", row.output_shape, 0
                    )
                )
            index = where[key]
            box = boxes[index]
            boxes[index] = Box(box.key, box.title, row.output_shape, box.params + row.params)
        else:
            index = len(boxes)
            boxes.append(Box(node.name, f"{node.name}: {row.type}", row.output_shape, row.params))
        owner.append(index)
    edges: set[tuple[int, int]] = set()
    for node, target in zip(network.nodes, owner, strict=True):
        for source in node.inputs:
            start = -1 if source == INPUT else owner[source]
            if start != target:
                edges.add((start, target))
    return Diagram(network.name, summary.input_shape, tuple(boxes), tuple(sorted(edges)))


def _caption(box: Box) -> str:
    params = f" · {box.params:,} params" if box.params else ""
    return f"{dims_text(box.shape)}{params}"


def network_svg(network: Network, input_shape: Sequence[int] | None = None, depth: int = 1) -> str:
    """The diagram as SVG text."""
    d = diagram(network, input_shape, depth)
    canvas = Canvas()
    canvas.label(12, 22, f"{d.name}: input {dims_text(d.input_shape)}", 14, font_weight="bold")
    x = 12.0
    # Wide enough for the longest title (bold 12 px: about 7.5 px a character).
    box_w = max(BOX_W, 20 + 7.5 * max((len(box.title) for box in d.boxes), default=0))

    def top(i: int) -> float:
        return 40 + (i + 1) * STEP

    canvas.rect(x, top(-1), box_w, BOX_H, fill="#eeeeee", stroke="#666666", rx=6)
    canvas.label(x + 10, top(-1) + 16, "input", 12, font_weight="bold")
    canvas.label(x + 10, top(-1) + 31, dims_text(d.input_shape), 11)
    for i, box in enumerate(d.boxes):
        y = top(i)
        fill = "#d9ead3" if box.params else "#cfe2f3"
        canvas.rect(x, y, box_w, BOX_H, fill=fill, stroke="#666666", rx=6)
        canvas.label(x + 10, y + 16, box.title, 12, font_weight="bold")
        canvas.label(x + 10, y + 31, _caption(box), 11)
    lanes = _lanes([e for e in d.edges if e[1] != e[0] + 1])
    for start, end in d.edges:
        y1, y2 = top(start) + BOX_H, top(end)
        if end == start + 1:
            canvas.line(
                x + box_w / 2, y1, x + box_w / 2, y2 - 6, stroke="#444444", stroke_width=1.5
            )
            _arrow(canvas, x + box_w / 2, y2)
            continue
        reach = x + box_w + 14 * lanes[(start, end)]
        a, b = top(start) + BOX_H / 2, top(end) + BOX_H / 2
        canvas.path(
            f"M {x + box_w} {a} C {reach} {a}, {reach} {a}, {reach} {a + 12} "
            f"L {reach} {b - 12} C {reach} {b}, {reach} {b}, {x + box_w + 6} {b}",
            fill="none",
            stroke="#cc4125",
            stroke_width=1.5,
        )
        canvas.path(
            f"M {x + box_w + 8} {b - 4} L {x + box_w} {b} L {x + box_w + 8} {b + 4} Z",
            fill="#cc4125",
        )
        canvas.rect(reach, a, 1, 1, fill="none")  # room for the lane
    return canvas.text()


def _lanes(skips: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Shorter skips run closer to the boxes; a skip runs outside every shorter one it
    overlaps, so nested skips (a U-Net's) never cross."""
    lanes: dict[tuple[int, int], int] = {}
    for start, end in sorted(skips, key=lambda e: (e[1] - e[0], e[0])):
        inner = [lane for (a, b), lane in lanes.items() if a < end and start < b]
        lanes[(start, end)] = max(inner, default=0) + 1
    return lanes


def _arrow(canvas: Canvas, x: float, y: float) -> None:
    canvas.path(f"M {x - 4} {y - 7} L {x} {y} L {x + 4} {y - 7} Z", fill="#444444")


def network_mermaid(
    network: Network, input_shape: Sequence[int] | None = None, depth: int = 1
) -> str:
    """A Mermaid ``flowchart`` (GitHub renders it inside a ```mermaid block)."""
    d = diagram(network, input_shape, depth)
    lines = ["flowchart TD", f'  input["input<br/>{dims_text(d.input_shape)}"]']
    for i, box in enumerate(d.boxes):
        text = f"{box.title}<br/>{_caption(box)}".replace('"', "'")
        lines.append(f'  n{i}["{text}"]')
    for start, end in d.edges:
        source = "input" if start == -1 else f"n{start}"
        lines.append(f"  {source} --> n{end}")
    return "\n".join(lines) + "\n"


def network_dot(network: Network, input_shape: Sequence[int] | None = None, depth: int = 1) -> str:
    """Graphviz DOT text."""
    d = diagram(network, input_shape, depth)
    name = d.name.replace('"', "'")
    lines = [
        f'digraph "{name}" {{',
        "  node [shape=box, style=rounded, fontname=Helvetica];",
        f'  input [label="input\\n{dims_text(d.input_shape)}"];',
    ]
    for i, box in enumerate(d.boxes):
        text = f"{box.title}\\n{_caption(box)}".replace('"', "'")
        lines.append(f'  n{i} [label="{text}"];')
    for start, end in d.edges:
        source = "input" if start == -1 else f"n{start}"
        lines.append(f"  {source} -> n{end};")
    lines.append("}")
    return "\n".join(lines) + "\n"
