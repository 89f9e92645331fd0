"""Expressions: ``${width * 4}``, parsed with :mod:`ast` and worked out here, never ``eval``.

The language is a small, safe subset of Python's expressions:

- numbers, ``true``/``false``/``null`` (and Python's spellings), names of parameters, and
  the incoming tensor: ``in_channels`` (dimension 1), ``in_height``, ``in_width`` (the last
  two), ``in_rank`` and ``in_shape`` (a list, ``in_shape[-1]``);
- ``+ - * // %``, ``/`` (between integers only when it divides; with a float, a float), ``**``
  (a real power, within the size limit), comparisons, ``and``/``or``/``not``,
  ``a if condition else b``, indexing a list ``xs[i]`` and choosing from a table
  ``{18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}[depth]``;
- slices ``xs[:i]`` and list comprehensions ``[row[5] * 2 for row in rows if row[0]]``;
- the functions ``min``, ``max``, ``round`` (half to even, as Python and ``torch.round``),
  ``ceil``, ``floor``, ``int``, ``float``, ``abs``, ``len``, ``sum``, ``log(x, base=e)``,
  ``range`` (a list of at most ``LIMITS["repeat"]`` integers) and ``make_divisible(value,
  divisor, min_value=None)`` (torchvision's ``_make_divisible``: the nearest multiple of
  ``divisor``, at least ``min_value`` and never 10% below ``value``).

Every node of the parsed tree is checked against that list before anything is worked out, so
an attribute, a call of anything else or a lambda is an error, not a behaviour.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SpecError
from ._common import LIMITS, _describe, _suggest

__all__ = ["TENSOR_NAMES", "evaluate", "make_divisible"]

_EXPR = re.compile(r"\$\{(.*)\}", re.DOTALL)
TENSOR_NAMES = ("in_channels", "in_height", "in_width", "in_rank", "in_shape")
_CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False}
_BIGGEST = 10**40  # no size in a network comes near; keeps arithmetic on huge numbers cheap


def make_divisible(value: float, divisor: int, min_value: int | None = None) -> int:
    """torchvision's ``_make_divisible``: round ``value`` to a multiple of ``divisor``.

    >>> make_divisible(16 * 1.0, 8), make_divisible(40 * 0.75, 8), make_divisible(3, 8)
    (16, 32, 8)
    """
    if min_value is None:
        min_value = divisor
    new = max(min_value, int(value + divisor / 2) // divisor * divisor)
    if new < 0.9 * value:
        new += divisor
    return new


def _log(value: float, base: float | None = None) -> float:
    """``math.log``, with a sentence for a value or base it has no answer for."""
    if not _number(value) or (base is not None and not _number(base)):
        raise TypeError("takes numbers")
    if value <= 0:
        raise ValueError(f"{value} is not positive")
    if base is None:
        return math.log(value)
    if base <= 0 or base == 1:
        raise ValueError(f"the base must be positive and not 1, got {base}")
    return math.log(value, base)


def _float(value: float) -> float:
    """``float`` of a number (not of text: ``float("nan")`` is no size)."""
    if not _number(value):
        raise TypeError("takes a number")
    return float(value)


def _range(*bounds: int) -> tuple[int, ...]:
    """``range(stop)``, ``range(start, stop[, step])`` as a list, as long as a repeat may be."""
    if any(not isinstance(bound, int) or isinstance(bound, bool) for bound in bounds):
        raise TypeError("takes integers")
    numbers = range(*bounds)
    if numbers[LIMITS["repeat"] :]:
        raise ValueError(f"more than {LIMITS['repeat']:,} numbers")
    return tuple(numbers)


def _tensor_value(name: str, shape: tuple[int, ...]) -> Any:
    if name == "in_shape":
        return shape
    if name == "in_rank":
        return len(shape)
    index = {"in_channels": 1, "in_height": -2, "in_width": -1}[name]
    if len(shape) < (index + 1 if index >= 0 else -index):
        raise LookupError(name)
    return shape[index]


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOL = {
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "min": min,
    "max": max,
    "round": round,
    "ceil": math.ceil,
    "floor": math.floor,
    "int": int,
    "float": _float,
    "abs": abs,
    "len": len,
    "sum": sum,
    "log": _log,
    "range": _range,
    "make_divisible": make_divisible,
}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Evaluator:
    def __init__(
        self,
        expression: str,
        scope: Mapping[str, Any],
        tensor: Callable[[], tuple[int, ...]] | None,
        fail: Callable[[str], SpecError],
    ) -> None:
        self.expression = expression
        self.scope = scope
        self.tensor = tensor
        self.fail = fail

    def error(self, message: str, fix: str = "") -> SpecError:
        return self.fail(f"{message} in ${{{self.expression}}}" + (f"; {fix}" if fix else ""))

    def number(self, value: Any) -> int | float:
        if not _number(value):
            raise self.fail(
                f"${{{self.expression}}} does arithmetic on {_describe(value)}, "
                "which is not a number"
            )
        if isinstance(value, int) and abs(value) > _BIGGEST:
            raise self.error("a number far beyond any size")
        return value  # type: ignore[no-any-return]

    def name(self, name: str) -> Any:
        if name in self.scope:
            return self.scope[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in TENSOR_NAMES:
            if self.tensor is None:
                raise self.error(f"{name!r} reads the incoming tensor, which is not known here")
            shape = self.tensor()
            try:
                return _tensor_value(name, shape)
            except LookupError:
                raise self.error(
                    f"{name!r} does not exist for a {len(shape)}-d incoming tensor"
                ) from None
        known = [*self.scope, *TENSOR_NAMES]
        raise self.fail(
            f"unknown parameter {name!r} in ${{{self.expression}}}{_suggest(name, known)}"
        )

    def run(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, (bool, int, float, str)):
                return node.value if not isinstance(node.value, int) else self.number(node.value)
            raise self.error(f"unexpected {ast.unparse(node)}")
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            value = self.run(node.operand)
            if isinstance(node.op, ast.Not):
                return not value
            if isinstance(node.op, ast.USub):
                return -self.number(value)
            if isinstance(node.op, ast.UAdd):
                return self.number(value)
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.BoolOp):
            result: Any = None
            for operand in node.values:
                result = self.run(operand)
                if isinstance(node.op, ast.And) and not result:
                    return result
                if isinstance(node.op, ast.Or) and result:
                    return result
            return result
        if isinstance(node, ast.Compare):
            left = self.run(node.left)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.run(right_node)
                compare = _COMPARE.get(type(op))
                if compare is None:
                    raise self.error(f"unexpected {type(op).__name__}")
                try:
                    if not compare(left, right):
                        return False
                except TypeError:
                    raise self.error(
                        f"cannot compare {_describe(left)} with {_describe(right)}"
                    ) from None
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.run(node.body) if self.run(node.test) else self.run(node.orelse)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            return tuple(self.run(item) for item in node.elts)
        if isinstance(node, ast.ListComp):
            return self.comprehension(node)
        if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
            return {self.run(k): self.run(v) for k, v in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]
        raise self.error(f"unexpected {ast.unparse(node)!r}")

    def binary(self, node: ast.BinOp) -> Any:
        if type(node.op) in _SYMBOL:
            raise self.error(
                f"unexpected {_SYMBOL[type(node.op)]!r}", "use + - * / // % ** and parentheses"
            )
        left, right = self.number(self.run(node.left)), self.number(self.run(node.right))
        if isinstance(node.op, ast.Pow):
            return self.power(left, right)
        if isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)) and right == 0:
            raise self.error("division by zero")
        if isinstance(node.op, ast.Div):
            if isinstance(left, int) and isinstance(right, int):
                if left % right:
                    raise self.error(
                        f"{left} / {right} is not a whole number; use // to round down"
                    )
                return left // right
            return left / right
        return self.number(_BINARY[type(node.op)](left, right))

    def power(self, base: int | float, exponent: int | float) -> int | float:
        """``base ** exponent`` as Python works it out, refused before it grows past any size."""
        if base == 0 and exponent < 0:
            raise self.error("division by zero")
        if base < 0 and isinstance(exponent, float) and not exponent.is_integer():
            raise self.error(f"{base} to the power {exponent} is not a real number")
        # |base| ** exponent >= 2 ** ((bits - 1) * exponent): refuse before computing it
        if (
            isinstance(exponent, int)
            and isinstance(base, int)
            and (abs(base).bit_length() - 1) * exponent > _BIGGEST.bit_length()
        ):
            raise self.error("a number far beyond any size")
        try:
            return self.number(base**exponent)
        except OverflowError:
            raise self.error("a number far beyond any size") from None

    def comprehension(self, node: ast.ListComp) -> tuple[Any, ...]:
        """``[row[5] * 2 for row in rows if row[0]]``: one ``for`` over a list, and conditions
        that keep an item when all of them hold."""
        if len(node.generators) != 1 or node.generators[0].is_async:
            raise self.error("a list comprehension takes one 'for'")
        loop = node.generators[0]
        if not isinstance(loop.target, ast.Name):
            raise self.error("a list comprehension's 'for' takes one name")
        items = self.run(loop.iter)
        if not isinstance(items, tuple):
            raise self.error(f"{_describe(items)} is not a list to go through")
        outer = self.scope
        results = []
        try:
            for item in items:
                self.scope = {**outer, loop.target.id: item}
                if all(self.run(condition) for condition in loop.ifs):
                    results.append(self.run(node.elt))
        finally:
            self.scope = outer
        return tuple(results)

    def subscript(self, node: ast.Subscript) -> Any:
        value = self.run(node.value)
        if isinstance(node.slice, ast.Slice):
            if not isinstance(value, tuple):
                raise self.error(f"{_describe(value)} is not a list to slice")
            bounds = [
                None if part is None else self.run(part)
                for part in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            if not all(
                b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds
            ):
                raise self.error("a slice takes integers")
            if bounds[2] == 0:
                raise self.error("a slice step cannot be 0")
            return value[slice(*bounds)]
        index = self.run(node.slice)
        if isinstance(value, dict):
            # A table of choices: {18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}[depth]
            if index not in value:
                choices = ", ".join(map(_describe, value))
                raise self.error(f"{_describe(index)} is not one of {choices}")
            return value[index]
        if not isinstance(value, tuple):
            raise self.error(f"{_describe(value)} is not a list to index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise self.error(f"a list index must be an integer, not {_describe(index)}")
        if not -len(value) <= index < len(value):
            raise self.error(f"index {index} is out of range for a list of {len(value)}")
        return value[index]

    def call(self, node: ast.Call) -> Any:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS:
            shown = name or ast.unparse(node.func)
            raise self.error(
                f"unknown function {shown!r}{_suggest(shown, _FUNCTIONS)}",
                "the functions are " + ", ".join(_FUNCTIONS),
            )
        args = [self.run(arg) for arg in node.args]
        kwargs = {kw.arg: self.run(kw.value) for kw in node.keywords if kw.arg}
        if len(kwargs) != len(node.keywords):
            raise self.error(f"{name}() takes its arguments by name or position, not **")
        try:
            result = _FUNCTIONS[name](*args, **kwargs)
        except (TypeError, ValueError, OverflowError, ZeroDivisionError) as exc:
            raise self.error(f"{name}(): {exc}") from None
        return self.number(result) if _number(result) else result


_PARSED: dict[str, ast.Expression] = {}


def evaluate(
    expression: str,
    scope: Mapping[str, Any],
    fail: Callable[[str], SpecError],
    tensor: Callable[[], tuple[int, ...]] | None = None,
) -> Any:
    """The value of ``expression`` (the text inside ``${...}``) over ``scope``."""
    if len(expression) > LIMITS["expression"]:
        raise fail(f"expression longer than {LIMITS['expression']} characters")
    text = expression.strip()
    if not text:
        raise fail("${} is empty; write an expression such as ${width * 2}")
    tree = _PARSED.get(text)
    if tree is None:
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise fail(f"cannot read ${{{expression}}}: {exc.msg}") from None
        except (RecursionError, MemoryError, ValueError):
            raise fail(f"cannot read ${{{expression}}}") from None
        if len(_PARSED) < 4096:  # a family spec repeats a few expressions many times
            _PARSED[text] = tree
    evaluator = _Evaluator(expression, scope, tensor, fail)
    try:
        return evaluator.run(tree.body)
    except RecursionError:
        raise fail(f"${{{expression}}} nests too deeply") from None
