"""PyTorch call text as a spec entry: ``- Conv2d(1, 20, 5, stride=2)``, ``- nn.Linear(800, 500)``.

The text is parsed with :mod:`ast` and never evaluated: the callee must be a layer type (bare,
``nn.`` or ``torch.nn.``), every argument a literal (numbers, strings, ``True``/``False``/
``None``, tuples and lists of them). Arguments are bound to PyTorch's own signature, the first
size argument included, so ``Conv2d(1, 20, 5)`` is ``in_channels=1, out_channels=20,
kernel_size=5``, and the given ``in_channels`` is then checked against the incoming tensor.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from ..errors import SpecError
from ._common import _suggest
from ._expr import _parse_quietly

# Arguments of PyTorch's constructors that change nothing about shapes or counts.
_IGNORED = ("device", "dtype", "inplace")


def looks_like_call(text: str) -> bool:
    """Whether an entry's text is call syntax rather than a layer name."""
    return "(" in text


def _callee(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    if parts[:-1] in ([], ["nn"], ["torch", "nn"]):
        return parts[-1]
    return None


def _literal(node: ast.expr) -> Any:
    value = ast.literal_eval(node)
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ValueError(type(value).__name__)


def parse_call(
    text: str, fail: Callable[[str], SpecError]
) -> tuple[str, list[Any], dict[str, Any]]:
    """Layer type, positional and keyword arguments of call text like ``Conv2d(1, 20, 5)``."""
    source = text.strip()
    try:
        tree = _parse_quietly(source)
    except SyntaxError as exc:
        raise fail(f"cannot read {source!r} as a PyTorch call: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise fail(f"cannot read {source!r} as a PyTorch call") from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise fail(
            f"{source!r} is not a layer: write a layer type ('ReLU'), a mapping "
            "('Conv2d: [20, 5]') or a PyTorch call ('Conv2d(1, 20, 5)')"
        )
    name = _callee(call.func)
    if name is None:
        raise fail(
            f"{ast.unparse(call.func)!r} is not a layer type; call one by its torch.nn name, "
            "such as Conv2d(1, 20, 5) or nn.Linear(800, 500)"
        )
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for node in call.args:
        if isinstance(node, ast.Starred):
            raise fail(f"{source!r}: give the arguments one by one, not *{ast.unparse(node.value)}")
        args.append(_argument(node, source, fail))
    for keyword in call.keywords:
        if keyword.arg is None:
            raise fail(f"{source!r}: give keyword arguments by name, not **")
        kwargs[keyword.arg] = _argument(keyword.value, source, fail)
    return name, args, kwargs


def _argument(node: ast.expr, source: str, fail: Callable[[str], SpecError]) -> Any:
    try:
        return _literal(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise fail(
            f"{source!r}: {ast.unparse(node)!r} is not a literal; arguments are numbers, "
            "strings, True/False/None, or tuples of them (the text is read, never run)"
        ) from None


def bind(
    kind: str,
    positional: tuple[str, ...],
    fields: Any,
    args: list[Any],
    kwargs: dict[str, Any],
    fail: Callable[[str], SpecError],
) -> dict[str, Any]:
    """Bind arguments to PyTorch's signature (``positional`` includes the first size argument)."""
    if len(args) > len(positional):
        raise fail(
            f"{kind} takes at most {len(positional)} positional arguments "
            f"({', '.join(positional)}), got {len(args)}"
        )
    bound = dict(zip(positional, args, strict=False))
    for key, value in kwargs.items():
        if key not in fields:
            if key in _IGNORED:
                continue
            raise fail(f"{kind} has no argument {key!r}{_suggest(key, fields)}")
        if key in bound:
            raise fail(f"{kind}: {key} is given both by position and by name")
        bound[key] = value
    return bound
