"""How a failed operation's operands read in a message: ``[64, 1568] = 32×7×7 from the view
on line 20``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _shapes as S
from ._state import Stop, stop
from .messages import PyTorchError

__all__ = ["describe", "fail"]


def describe(value: Any) -> str:
    """``[64, 1568] = 32×7×7 from the view on line 20``: a tensor operand and its origin."""
    if not hasattr(value, "origin"):
        return repr(value)
    text = S.listed(value.shape)
    origin = value.origin
    if origin is None:
        return text
    if origin.line == 0:
        return f"{text} ({origin.what})"
    if origin.factors and len(origin.factors) > 1:
        text += " = " + "×".join(str(f) for f in origin.factors)
    return f"{text} from {origin.what} on line {origin.line}"


def fail(op: str, operands: Sequence[object], failure: S.ShapeFailure, fix: str = "") -> Stop:
    return stop(
        PyTorchError(op, [describe(t) for t in operands if hasattr(t, "origin")], failure.text, fix)
    )
