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


def _json_string(text: str) -> str:
    if _PLAIN.fullmatch(text):
        return f'"{text}"'
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _json(value: Any, depth: int) -> str:
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
        if not value:
            return "{}"
        items = [f"{inner}{_json_string(str(k))}: {_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)):
        if all(type(v) is int for v in value):
            return "[" + ", ".join(map(str, value)) + "]"
        if all(isinstance(v, (int, float)) or v is None for v in value):
            return "[" + ", ".join(_json(v, depth + 1) for v in value) + "]"
        items = [f"{inner}{_json(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
