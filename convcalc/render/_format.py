"""Pure formatting helpers: counts, SI units, shapes and byte sizes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["format_bytes", "format_count", "format_outputs", "format_shape", "format_si"]


def format_count(value: int) -> str:
    """Thousands separators: ``format_count(21840) == '21,840'``.

    >>> format_count(21840)
    '21,840'
    """
    return f"{value:,}"


def format_si(value: float) -> str:
    """Decimal units, as torchinfo and torchvision quote MACs: ``'2.34 G'``.

    >>> format_si(2_341_011_456)
    '2.34 G'
    >>> format_si(640)
    '640'
    """
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:g}"


def format_shape(shape: Sequence[int] | None) -> str:
    """A shape as PyTorch users read it in summaries: ``[8, 32, 126, 126]``.

    >>> format_shape((8, 32, 126, 126))
    '[8, 32, 126, 126]'
    """
    if shape is None:
        return "—"
    text = _SHAPES.get(shape) if type(shape) is tuple else None
    if text is None:
        text = f"[{', '.join(map(str, shape))}]"
        if type(shape) is tuple and len(_SHAPES) < 4096:
            _SHAPES[shape] = text
    return text


# Shape texts by shape: a summary shows the same few shapes on hundreds of rows.
_SHAPES: dict[tuple[int, ...], str] = {}


def format_outputs(shapes: Sequence[Sequence[int]], output_shape: Sequence[int]) -> str:
    """What a network returns, for a title: ``output [1, 10]``, or ``outputs [...], [...]``.

    >>> format_outputs(((1, 8, 4, 4), (1, 8, 2, 2)), (1, 8, 4, 4))
    'outputs [1, 8, 4, 4], [1, 8, 2, 2]'
    """
    if len(shapes) > 1:
        return "outputs " + ", ".join(format_shape(s) for s in shapes)
    return f"output {format_shape(output_shape)}"


def _counted(value: int | None) -> str:
    if value is None:
        return "— (give -i)"
    if value < 1000:
        return format_count(value)
    return f"{format_count(value)} ({format_si(value)})"


def _listed(shape: Sequence[int] | None) -> list[int] | None:
    return None if shape is None else list(shape)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def format_bytes(value: float) -> str:
    """Decimal units down to kB, as torchinfo reports sizes.

    >>> format_bytes(200_704), format_bytes(1_724_320), format_bytes(512)
    ('200.70 kB', '1.72 MB', '0.51 kB')
    """
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value / 1e3:.2f} kB"
