"""JSON text, written without :mod:`json`, whose import is a measurable share of a
``--json`` call's start-up."""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["render_json"]


def render_json(data: Any) -> str:
    """JSON text with two-space indents and short lists of numbers on one line.

    Written here rather than with :mod:`json`, whose import is a measurable share of a
    ``--json`` call's start-up.

    >>> print(render_json({"shape": [8, 32], "note": None, "ok": True}))
    {
      "shape": [8, 32],
      "note": null,
      "ok": true
    }
    """
    return _json(data, 0)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


_PLAIN = re.compile(r'[^\x00-\x1f"\\]*')
# Quoted strings, by text: a summary writes the same keys and layer types hundreds of times.
_QUOTED: dict[str, str] = {}


def _json_string(text: str) -> str:
    exact = type(text) is str  # a subclass may print itself otherwise
    quoted = _QUOTED.get(text) if exact else None
    if quoted is not None:
        return quoted
    if _PLAIN.fullmatch(text):
        quoted = f'"{text}"'
    else:
        out = []
        for char in text:
            if char in _ESCAPES:
                out.append(_ESCAPES[char])
            elif char < " ":
                out.append(f"\\u{ord(char):04x}")
            else:
                out.append(char)
        quoted = '"' + "".join(out) + '"'
    if exact and len(_QUOTED) < 8192:
        _QUOTED[text] = quoted
    return quoted


def _json(value: Any, depth: int) -> str:
    kind = type(value)  # the common exact types first; subclasses take the general path
    if kind is str:
        return _json_string(value)
    if kind is int:
        return str(value)
    if kind is dict:
        return _object(value, depth)
    if (kind is list or kind is tuple) and set(map(type, value)) <= _INT:
        return "[" + ", ".join(map(str, value)) + "]"
    return _general(value, depth)


_INT = frozenset({int})


def _object(value: dict[Any, Any], depth: int) -> str:
    """A mapping, its plain values written in place (a summary has thousands of them)."""
    if not value:
        return "{}"
    inner = "  " * (depth + 1)
    quoted = _QUOTED
    items = []
    for key, item in value.items():
        name = quoted.get(key) if type(key) is str else None
        if name is None:
            name = _json_string(str(key))
        kind = type(item)
        if kind is str:
            text = quoted.get(item) or _json_string(item)
        elif kind is int:
            text = str(item)
        elif (kind is list or kind is tuple) and set(map(type, item)) <= _INT:
            text = "[" + ", ".join(map(str, item)) + "]"
        elif item is None:
            text = "null"
        elif kind is bool:
            text = "true" if item else "false"
        elif kind is float:
            text = repr(item) if math.isfinite(item) else "null"
        else:
            text = _json(item, depth + 1)
        items.append(f"{inner}{name}: {text}")
    return "{\n" + ",\n".join(items) + f"\n{'  ' * depth}}}"


def _general(value: Any, depth: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return _json_string(value)
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        return _object(value, depth)
    if isinstance(value, (list, tuple)):
        if all(type(v) is int for v in value):
            return "[" + ", ".join(map(str, value)) + "]"
        if all(isinstance(v, (int, float)) or v is None for v in value):
            return "[" + ", ".join(_json(v, depth + 1) for v in value) + "]"
        items = [f"{inner}{_json(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
