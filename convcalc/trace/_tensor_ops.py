"""Arithmetic, comparisons, unary functions, casts and matrix products of the stand-in
tensor: broadcasting and type promotion as PyTorch does them, on shapes only."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from math import prod
from typing import Any

from . import _shapes as S
from . import _values as V
from ._state import cannot, here
from ._tensor import DTYPE_ALIASES, DTYPES, FLOAT, Tensor, dtype, fail

__all__ = ["binary", "broadcast_shapes", "install", "matmul"]


def _shape_of(value: Any) -> S.Shape:
    if isinstance(value, Tensor):
        return tuple(value.shape)
    if isinstance(value, (int, float, complex)) or value is None:
        return ()
    raise cannot(f"arithmetic with {type(value).__name__}")


def broadcast_shapes(a: Any, b: Any, op: str) -> S.Shape:
    try:
        return S.broadcast(_shape_of(a), _shape_of(b))
    except S.ShapeFailure as exc:
        raise fail(op, [a, b], exc) from None


def _result_dtype(a: Any, b: Any, compare: bool) -> dtype:
    if compare:
        return DTYPES["bool"]
    for value in (a, b):
        if isinstance(value, Tensor) and value.dtype.is_floating_point:
            return value.dtype
    if isinstance(a, float) or isinstance(b, float):
        return FLOAT
    return a.dtype if isinstance(a, Tensor) else b.dtype


def _known(value: Any) -> list[Any] | None:
    if isinstance(value, Tensor):
        return value.values
    if isinstance(value, (int, float)):
        return [value]
    return None


def _values_of(a: Any, b: Any, name: str, kind: dtype, shape: S.Shape) -> list[Any] | None:
    if len(shape) > 1 or prod(shape) > V.LIMIT:
        return None
    op = V.BINARY.get(name)
    first, second = _known(a), _known(b)
    if op is None or first is None or second is None:
        return None
    return V.combine(op, first, second, kind.name)


def _ordered(tensor: Tensor, shape: S.Shape) -> bool:
    """Whether the tensor's dimensions that are not broadcast run from outer to inner, as a
    contiguous tensor's do (strides strictly decreasing)."""
    assert tensor._strides is not None  # noqa: S101  (checked by the caller)
    offset = len(shape) - len(tensor.shape)
    kept = [
        stride
        for i, (size, stride) in enumerate(zip(tensor.shape, tensor._strides, strict=True))
        if size != 1 and stride != 0 and shape[offset + i] != 1
    ]
    return all(x > y for x, y in pairwise(kept))


def _layout(tensors: list[Tensor], shape: S.Shape) -> S.Strides | bool:
    """The output layout of an elementwise operation, where PyTorch's is certain: contiguous
    when a contiguous operand has the output's shape and every operand runs in the same
    order (broadcast dimensions aside); the common layout of dense operands of one layout;
    else unknown (None)."""
    if any(t._strides is None for t in tensors):
        return None
    full = [t for t in tensors if tuple(t.shape) == shape]
    if any(S.is_contiguous(t.shape, t._strides) for t in full) and all(
        _ordered(t, shape) for t in tensors
    ):
        return True
    layouts = {t._strides for t in tensors if prod(t.shape) != 1}
    if len(full) == len(tensors) and len(layouts) == 1 and S.dense(shape, full[0]._strides):
        return full[0]._strides
    if all(S.is_contiguous(t.shape, t._strides) and prod(t.shape) == 1 for t in tensors):
        return True
    return None


def binary(a: Any, b: Any, op: str, what: str, compare: bool = False) -> Tensor:
    """An elementwise operation of two operands with broadcasting."""
    shape = broadcast_shapes(a, b, op)
    strides = _layout([t for t in (a, b) if isinstance(t, Tensor)], shape)
    origin_of = a if isinstance(a, Tensor) else b
    kind = _result_dtype(a, b, compare)
    if what in ("div", "true_divide") and not kind.is_floating_point and not compare:
        kind = FLOAT
    return Tensor(
        shape,
        strides=strides,
        dtype=kind,
        values=_values_of(a, b, what, kind, shape),
        origin=here(f"the {what}") if origin_of.origin is not None else None,
    )


def _inplace(a: Tensor, b: Any, op: str) -> Tensor:
    shape = broadcast_shapes(a, b, op)
    if shape != tuple(a.shape):
        raise fail(
            op,
            [a, b],
            S.ShapeFailure(
                f"output with shape {S.listed(a.shape)} doesn't match the broadcast shape "
                f"{S.listed(shape)}"
            ),
        )
    return a


def matmul(a: Any, b: Any, op: str) -> Tensor:
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise cannot(f"{op} with a {type(b).__name__}")
    try:
        shape = S.matmul_shape(tuple(a.shape), tuple(b.shape))
    except S.ShapeFailure as exc:
        raise fail(op, [a, b], exc) from None
    return Tensor(shape, dtype=a.dtype, origin=here(f"the {op}"))


def install() -> None:
    """Put the arithmetic, comparison, unary and cast methods on :class:`Tensor`."""
    symbols = {
        "add": "+",
        "sub": "-",
        "mul": "*",
        "div": "/",
        "true_divide": "/",
        "floor_divide": "//",
        "remainder": "%",
        "pow": "**",
        "maximum": "maximum",
        "minimum": "minimum",
        "atan2": "atan2",
    }
    dunders = {
        "add": "add",
        "sub": "sub",
        "mul": "mul",
        "truediv": "div",
        "floordiv": "floor_divide",
        "mod": "remainder",
        "pow": "pow",
    }

    def method(name: str, symbol: str, compare: bool = False) -> Callable[..., Tensor]:
        def op(self: Tensor, other: Any, *args: Any, **kwargs: Any) -> Tensor:
            return binary(self, other, symbol, name, compare)

        return op

    def reflected(name: str, symbol: str) -> Callable[..., Tensor]:
        def op(self: Tensor, other: Any) -> Tensor:
            return binary(other, self, symbol, name)

        return op

    def inplace(name: str, symbol: str) -> Callable[..., Tensor]:
        def op(self: Tensor, other: Any, *args: Any, **kwargs: Any) -> Tensor:
            return _inplace(self, other, f"{symbol}=")

        return op

    for name, symbol in symbols.items():
        setattr(Tensor, name, method(name, symbol))
        setattr(Tensor, f"{name}_", inplace(name, symbol))
    for dunder, name in dunders.items():
        setattr(Tensor, f"__{dunder}__", method(name, symbols[name]))
        setattr(Tensor, f"__r{dunder}__", reflected(name, symbols[name]))
        setattr(Tensor, f"__i{dunder}__", inplace(name, symbols[name]))
    for name, dunder in (
        ("eq", "eq"),
        ("ne", "ne"),
        ("lt", "lt"),
        ("le", "le"),
        ("gt", "gt"),
        ("ge", "ge"),
    ):
        setattr(Tensor, name, method(name, name, compare=True))
        setattr(Tensor, f"__{dunder}__", method(name, name, compare=True))
    for name in ("logical_and", "logical_or", "__and__", "__or__", "__xor__"):
        setattr(Tensor, name, method(name, name, compare=True))

    def unary(name: str) -> Callable[..., Tensor]:
        def op(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            keep = S.dense(self.shape, self._strides)
            out = self._like(self.shape, strides=self._strides if keep else True)
            function = V.UNARY.get(name)
            if self.values is not None and function is not None and not args and not kwargs:
                try:
                    out.values = V.cast([function(v) for v in self.values], out.dtype.name)
                except (OverflowError, ValueError):
                    out.values = None
            return out

        op.__name__ = name
        return op

    names = (
        "relu sigmoid tanh exp log log2 log10 log1p sqrt rsqrt abs neg sin cos erf exp2 "
        "clamp clip reciprocal sign floor ceil round trunc frac square gelu silu hardswish "
        "hardsigmoid softplus nan_to_num sigmoid_ relu_ tanh_ clamp_min clamp_max "
        "abs_ neg_ sqrt_ exp_ __neg__ __pos__ __abs__ __invert__ logical_not"
    )
    for name in names.split():
        setattr(Tensor, name, unary(name))

    def cast(name: str) -> Callable[..., Tensor]:
        def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
            return self.to(DTYPES[DTYPE_ALIASES.get(name, name)])

        to.__name__ = name
        return to

    for name in ("float", "double", "half", "long", "int", "bool", "bfloat16"):
        setattr(Tensor, name, cast(name))
