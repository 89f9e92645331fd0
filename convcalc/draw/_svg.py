"""A few SVG elements as text: enough for grids, boxes, arrows and labels."""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


class Canvas:
    """Collects elements; ``text()`` wraps them in an ``<svg>`` of the size they need."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.width = 0.0
        self.height = 0.0

    def _grow(self, x: float, y: float) -> None:
        self.width = max(self.width, x)
        self.height = max(self.height, y)

    def rect(self, x: float, y: float, w: float, h: float, **style: str | float) -> None:
        self._grow(x + w, y + h)
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"{_attrs(style)}/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, **style: str | float) -> None:
        self._grow(max(x1, x2), max(y1, y2))
        self.parts.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}"{_attrs(style)}/>')

    def path(self, d: str, **style: str | float) -> None:
        self.parts.append(f"<path d={quoteattr(d)}{_attrs(style)}/>")

    def label(
        self, x: float, y: float, text: str, size: float = 12, anchor: str = "start", **style: str
    ) -> None:
        self._grow(x + (len(text) * size * 0.6 if anchor == "start" else 0), y + 4)
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-family="{FONT}" font-size="{size:g}" '
            f'text-anchor="{anchor}"{_attrs(style)}>{escape(text)}</text>'
        )

    def text(self, margin: float = 12, defs: str = "") -> str:
        w, h = self.width + margin, self.height + margin
        body = "\n".join(self.parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:g}" height="{h:g}" '
            f'viewBox="0 0 {w:g} {h:g}">\n'
            f"{defs}"
            f'<rect x="0" y="0" width="{w:g}" height="{h:g}" fill="#ffffff"/>\n{body}\n</svg>\n'
        )


def _attrs(style: Mapping[str, str | float]) -> str:
    return "".join(
        f" {key.replace('_', '-')}={quoteattr(str(value))}" for key, value in style.items()
    )
