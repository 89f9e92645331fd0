"""Shapes as people type them: ``128``, ``1x3x224x224``, ``1,3,224,224``, ``[1, 3, 224, 224]``
or ``(1, 3, 224, 224)``; one parser for the command line and ``# convcalc:`` directives."""

from __future__ import annotations

__all__ = ["parse_shape"]


def parse_shape(text: str) -> tuple[int, ...]:
    """The shape ``text`` spells; ``ValueError`` with one sentence if it is not one.

    >>> parse_shape("1x3x224x224"), parse_shape("[1, 3, 32, 32]"), parse_shape("(8,)")
    ((1, 3, 224, 224), (1, 3, 32, 32), (8,))
    """
    inner = text.strip()
    if inner[:1] + inner[-1:] in ("[]", "()"):
        inner = inner[1:-1]
    parts = inner.lower().replace("×", "x").replace(",", "x").split("x")
    if len(parts) > 1 and parts[-1].strip() == "":
        parts.pop()  # (1, 3, 224, 224,)
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a shape like 128, 1x3x224x224, 1,3,224,224 or [1, 3, 224, 224]"
        ) from None
    if any(n < 0 for n in shape):
        raise ValueError(f"{text!r} has a negative size")
    return shape
