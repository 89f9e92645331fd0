"""Expressions: ``${width * 4}``, evaluated with a small parser, never ``eval``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..errors import SpecError
from ._common import LIMITS, _describe, _suggest

_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z_0-9]*)|(//|[-+*%()/]))")


def _evaluate(expression: str, scope: dict[str, Any], fail: Callable[[str], SpecError]) -> Any:
    """Integer arithmetic over block parameters: + - * // % ( ), and / when it divides."""
    if len(expression) > LIMITS["expression"]:
        raise fail(f"expression longer than {LIMITS['expression']} characters")
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise fail(
                f"cannot read {text[pos:]!r} in ${{{expression}}}; use integers, "
                "parameter names, + - * // % and parentheses"
            )
        number, name, op = match.groups()
        if number is not None:
            tokens.append(("num", int(number)))
        elif name is not None:
            if name not in scope:
                raise fail(
                    f"unknown parameter {name!r} in ${{{expression}}}{_suggest(name, scope)}"
                )
            tokens.append(("num", scope[name]))
        else:
            tokens.append(("op", op))
        pos = match.end()
    position = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal position
        if position >= len(tokens):
            raise fail(f"${{{expression}}} ends too early")
        position += 1
        return tokens[position - 1]

    def atom() -> Any:
        kind, value = take()
        if kind == "num":
            return value
        if value == "-":
            return -_as_int(atom())
        if value == "(":
            result = expr()
            if take() != ("op", ")"):
                raise fail(f"missing ')' in ${{{expression}}}")
            return result
        raise fail(f"unexpected {value!r} in ${{{expression}}}")

    def _as_int(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(
                f"${{{expression}}} does arithmetic on {_describe(value)}, which is not an integer"
            )
        return value

    def term() -> Any:
        result = atom()
        while (token := peek()) is not None and token[1] in ("*", "//", "/", "%"):
            take()
            left, right = _as_int(result), _as_int(atom())
            if token[1] == "*":
                result = left * right
            elif right == 0:
                raise fail(f"division by zero in ${{{expression}}}")
            elif token[1] == "%":
                result = left % right
            elif token[1] == "/" and left % right:
                raise fail(
                    f"{left} / {right} is not a whole number in ${{{expression}}}; "
                    "use // to round down"
                )
            else:
                result = left // right
        return result

    def expr() -> Any:
        result = term()
        while (token := peek()) is not None and token[1] in ("+", "-"):
            take()
            left, right = _as_int(result), _as_int(term())
            result = left + right if token[1] == "+" else left - right
        return result

    value = expr()
    if position != len(tokens):
        raise fail(f"unexpected {tokens[position][1]!r} in ${{{expression}}}")
    return value


_EXPR = re.compile(r"\$\{(.*)\}", re.DOTALL)
