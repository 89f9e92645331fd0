"""Values of small tensors built from Python numbers (``torch.arange(4)``,
``torch.tensor([1, 2])``), so that a model computing its layer widths with torch ops (as
torchvision's RegNet does) can be traced.

Only 0-d and 1-d tensors of at most :data:`LIMIT` elements carry values, and only through
elementwise arithmetic, rounding and the functions listed here; any other op drops them, and a
value asked of a tensor without values stops the trace. Floating-point results are rounded to
float32 after every operation, as PyTorch's float32 kernels round them.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["BINARY", "LIMIT", "UNARY", "cast", "combine", "f32"]

LIMIT = 4096

Number = int | float | bool


def f32(value: float) -> float:
    """``value`` rounded to the nearest float32."""
    try:
        return float(struct.unpack("f", struct.pack("f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def _div(a: Number, b: Number) -> float:
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a)
    return a / b


def _floor_div(a: Number, b: Number) -> Number:
    if b == 0:
        raise ZeroDivisionError("ZeroDivisionError")
    return a // b


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": _div,
    "true_divide": _div,
    "floor_divide": _floor_div,
    "pow": lambda a, b: a**b,
    "maximum": max,
    "minimum": min,
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}

UNARY: dict[str, Callable[[Any], Any]] = {
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
    "trunc": math.trunc,
    "abs": abs,
    "neg": operator.neg,
    "__neg__": operator.neg,
    "log": lambda v: math.log(v) if v > 0 else (-math.inf if v == 0 else math.nan),
    "log2": lambda v: math.log2(v) if v > 0 else (-math.inf if v == 0 else math.nan),
    "exp": math.exp,
    "sqrt": lambda v: math.sqrt(v) if v >= 0 else math.nan,
}


def cast(values: Sequence[Number], kind: str) -> list[Number] | None:
    """Values converted to a dtype (by name); None where PyTorch's result is not a number
    convcalc keeps."""
    if kind == "bool":
        return [bool(v) for v in values]
    if kind in ("float32",):
        return [f32(float(v)) for v in values]
    if kind == "float64":
        return [float(v) for v in values]
    if kind in ("int64", "int32", "int16", "int8", "uint8"):
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            return None
        return [math.trunc(v) for v in values]
    return None


def combine(
    op: Callable[[Any, Any], Any],
    a: Sequence[Number],
    b: Sequence[Number],
    kind: str,
) -> list[Number] | None:
    """``op`` elementwise over two value lists (a list of one broadcasts), cast to ``kind``."""
    if len(a) != len(b) and 1 not in (len(a), len(b)):
        return None
    size = max(len(a), len(b))
    try:
        if kind.startswith("float"):
            raw = [op(float(a[i % len(a)]), float(b[i % len(b)])) for i in range(size)]
        else:
            raw = [op(a[i % len(a)], b[i % len(b)]) for i in range(size)]
    except (OverflowError, ZeroDivisionError, ValueError):
        return None
    return cast(raw, kind)
