"""Pictures as SVG text (no dependency): a layer as in conv_arithmetic, the padding modes, and
a network as a shape-flow diagram; the diagram also as Mermaid and DOT text."""

from __future__ import annotations

from .layer import layer_svg, layer_text, padding_modes_svg
from .network import diagram, network_dot, network_mermaid, network_svg

__all__ = [
    "diagram",
    "layer_svg",
    "layer_text",
    "network_dot",
    "network_mermaid",
    "network_svg",
    "padding_modes_svg",
]
