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
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import SpecError
from ._common import LIMITS, _describe, _suggest

__all__ = [
    "NOT_A_PARAMETER",
    "TENSOR_NAMES",
    "evaluate",
    "expression_of",
    "make_divisible",
    "names_read",
    "parameter_value",
]

_EXPR = re.compile(r"\$\{(.*)\}", re.DOTALL)
TENSOR_NAMES = ("in_channels", "in_height", "in_width", "in_rank", "in_shape")
_CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False}
_BIGGEST = 10**40  # no size in a network comes near; keeps arithmetic on huge numbers cheap


_INSIDE: dict[str, str | None] = {}


def expression_of(value: str) -> str | None:
    """The expression of a value written ``${...}`` (spaces around it allowed), else None."""
    if value in _INSIDE:
        return _INSIDE[value]
    match = _EXPR.fullmatch(value.strip())
    found = match.group(1) if match else None
    if len(_INSIDE) < 4096:  # a family spec writes the same few values many times
        _INSIDE[value] = found
    return found


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
        code: dict[ast.AST, _Code],
    ) -> None:
        self.expression = expression
        self.scope = scope
        self.tensor = tensor
        self.fail = fail
        self.code = code

    def error(self, message: str, fix: str = "") -> SpecError:
        return self.fail(f"{message} in ${{{self.expression}}}" + (f"; {fix}" if fix else ""))

    def number(self, value: Any) -> int | float:
        if type(value) is float or (type(value) is int and -_BIGGEST <= value <= _BIGGEST):
            return value  # the common case, first
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
        if name == "repeat_index":
            raise self.error(
                "no repeat here gives 'repeat_index'",
                "it counts the copies of an entry with 'repeat:', and a block that entry "
                "repeats takes it as a parameter, as {index: '${repeat_index}'}",
            )
        known = [*self.scope, *TENSOR_NAMES]
        raise self.fail(
            f"unknown parameter {name!r} in ${{{self.expression}}}{_suggest(name, known)}"
        )

    def run(self, node: ast.expr) -> Any:
        """The value of ``node``, worked out by the code :func:`_compile` wrote for it."""
        return self.code[node](self)

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
            if not _hashable(index):
                raise self.error(
                    f"{_describe(index)} cannot choose from a table",
                    "choose with a number, a string or a list",
                )
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


_Code = Callable[[_Evaluator], Any]


def _compile(tree: ast.Expression) -> dict[ast.AST, _Code]:
    """The code of every expression node of ``tree``: a closure that works the node out,
    written once per expression text rather than dispatched again at every evaluation (a
    family spec evaluates the same few expressions hundreds of times). Operators, indexing,
    calls and comprehensions keep their rules in the :class:`_Evaluator` methods, which the
    closures call."""
    code: dict[ast.AST, _Code] = {}
    for node in ast.walk(tree.body):
        if isinstance(node, ast.expr):
            _code_for(node, code)
    return code


def _code_for(node: ast.expr, code: dict[ast.AST, _Code]) -> _Code:
    written = code.get(node)
    if written is None:
        written = code[node] = _write(node, code)
    return written


def _write(node: ast.expr, code: dict[ast.AST, _Code]) -> _Code:
    """The closure for one node; an unsupported node gets one that raises its error."""
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            if type(value) is not int or abs(value) <= _BIGGEST:  # True and False included
                return lambda ev: value
            return lambda ev: ev.number(value)  # a huge number: the error
        return _raise(node, "unexpected {}", repr_node=False)
    if isinstance(node, ast.Name):
        name = node.id

        def lookup(ev: _Evaluator) -> Any:
            return ev.scope[name] if name in ev.scope else ev.name(name)

        return lookup
    if isinstance(node, ast.UnaryOp):
        operand = _code_for(node.operand, code)
        if isinstance(node.op, ast.Not):
            return lambda ev: not operand(ev)
        if isinstance(node.op, ast.USub):
            return lambda ev: -ev.number(operand(ev))
        if isinstance(node.op, ast.UAdd):
            return lambda ev: ev.number(operand(ev))
        return _raise(node, "unexpected {!r}", first=operand)
    if isinstance(node, ast.BinOp):
        return lambda ev: ev.binary(node)
    if isinstance(node, ast.BoolOp):
        return _boolean(isinstance(node.op, ast.And), [_code_for(v, code) for v in node.values])
    if isinstance(node, ast.Compare):
        return _comparison(
            _code_for(node.left, code),
            [
                (op, _code_for(right, code))
                for op, right in zip(node.ops, node.comparators, strict=True)
            ],
        )
    if isinstance(node, ast.IfExp):
        test, body = _code_for(node.test, code), _code_for(node.body, code)
        orelse = _code_for(node.orelse, code)
        return lambda ev: body(ev) if test(ev) else orelse(ev)
    if isinstance(node, ast.Subscript):
        return lambda ev: ev.subscript(node)
    if isinstance(node, ast.Call):
        return lambda ev: ev.call(node)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_code_for(item, code) for item in node.elts]
        return lambda ev: tuple([item(ev) for item in items])
    if isinstance(node, ast.ListComp):
        return lambda ev: ev.comprehension(node)
    if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
        pairs = [
            (_code_for(k, code), _code_for(v, code))
            for k, v in zip(node.keys, node.values, strict=True)
            if k is not None  # every key is given (checked above)
        ]
        return lambda ev: _table(ev, pairs)
    return _raise(node, "unexpected {!r}")


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _table(ev: _Evaluator, pairs: list[tuple[_Code, _Code]]) -> dict[Any, Any]:
    """``{18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}``: its keys numbers, strings or lists."""
    table = {}
    for key_code, value_code in pairs:
        key = key_code(ev)
        if not _hashable(key):
            raise ev.error(
                f"{_describe(key)} cannot be a key of a table",
                "a key is a number, a string or a list",
            )
        table[key] = value_code(ev)
    return table


def _raise(
    node: ast.expr, message: str, *, repr_node: bool = True, first: _Code | None = None
) -> _Code:
    def fail(ev: _Evaluator) -> Any:
        if first is not None:
            first(ev)  # the operand is worked out (and may fail) before the operator
        raise ev.error(message.format(ast.unparse(node)))

    return fail


def _boolean(conjunction: bool, operands: list[_Code]) -> _Code:
    def boolean(ev: _Evaluator) -> Any:
        result: Any = None
        for operand in operands:
            result = operand(ev)
            if conjunction and not result:
                return result
            if not conjunction and result:
                return result
        return result

    return boolean


def _comparison(first: _Code, rest: list[tuple[ast.cmpop, _Code]]) -> _Code:
    def comparison(ev: _Evaluator) -> Any:
        left = first(ev)
        for op, right_code in rest:
            right = right_code(ev)
            compare = _COMPARE.get(type(op))
            if compare is None:
                raise ev.error(f"unexpected {type(op).__name__}")
            try:
                if not compare(left, right):
                    return False
            except TypeError:
                raise ev.error(
                    f"cannot compare {_describe(left)} with {_describe(right)}"
                ) from None
            left = right
        return True

    return comparison


# Parsed expressions and their code, by text: a family spec repeats a few expressions many times.
_PARSED: dict[str, tuple[ast.Expression, dict[ast.AST, _Code]]] = {}
# The expressions that only name something, as ${out}, the most common: the text -> the name.
_NAMES: dict[str, str] = {}
NOT_A_PARAMETER: Any = object()


def _parse_quietly(text: str) -> ast.Expression:
    """``ast.parse`` in eval mode, without the SyntaxWarnings Python prints for text such as
    ``4if a else 2`` (it reads it): the user's spec is no Python module."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(text, mode="eval")


def names_read(expression: str) -> frozenset[str] | None:
    """The names an expression reads (parameters, the incoming tensor's, a comprehension's
    own), or None if it cannot be read."""
    if len(expression) > LIMITS["expression"]:
        return None
    try:
        _, code = _parsed(expression.strip())
    except _Unreadable:
        return None
    return frozenset(node.id for node in code if type(node) is ast.Name)  # code: every node


def parameter_value(expression: str, scope: Mapping[str, Any]) -> Any:
    """What ``evaluate`` gives for an expression seen before that only names a parameter of
    ``scope``, without an evaluator; else ``NOT_A_PARAMETER``."""
    name = _NAMES.get(expression)
    if name is not None and name in scope and len(expression) <= LIMITS["expression"]:
        return scope[name]
    return NOT_A_PARAMETER


class _Unreadable(Exception):
    """An expression that cannot be parsed; ``message`` words it for the text as written."""

    def __init__(self, message: Callable[[str], str]) -> None:
        super().__init__()
        self.message = message


def _parsed(text: str) -> tuple[ast.Expression, dict[ast.AST, _Code]]:
    """An expression's tree and code, parsed once per (stripped) text."""
    parsed = _PARSED.get(text)
    if parsed is not None:
        return parsed
    try:
        tree = _parse_quietly(text)
    except SyntaxError as exc:
        msg = exc.msg
        raise _Unreadable(lambda e: f"cannot read ${{{e}}}: {msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise _Unreadable(lambda e: f"cannot read ${{{e}}}") from None
    try:
        parsed = (tree, _compile(tree))
    except RecursionError:
        raise _Unreadable(lambda e: f"${{{e}}} nests too deeply") from None
    if len(_PARSED) < 4096:
        _PARSED[text] = parsed
        if isinstance(tree.body, ast.Name):
            _NAMES[text] = tree.body.id
    return parsed


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
    try:
        tree, code = _parsed(text)
    except _Unreadable as exc:
        raise fail(exc.message(expression)) from None
    evaluator = _Evaluator(expression, scope, tensor, fail, code)
    try:
        return code[tree.body](evaluator)
    except RecursionError:
        raise fail(f"${{{expression}}} nests too deeply") from None
