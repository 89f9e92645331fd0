"""A traced model's executed lines, annotated with shapes, as text and as JSON-ready data.

The layer table and totals below them are :mod:`.summary`'s, as ``convcalc net`` prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._format import format_count, format_shape
from .summary import _layer_text

if TYPE_CHECKING:
    from ..trace import TraceSummary

__all__ = ["trace_dict", "trace_lines"]


def _value(value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return "(" + ", ".join(format_shape(v) for v in value) + ")"
    if isinstance(value, tuple):
        return format_shape(value)
    return str(value)


def trace_lines(summary: TraceSummary, *, depth: int = 3) -> list[str]:
    """Each executed line of ``forward`` (and of what it calls, indented by module depth, those
    deeper than ``depth`` folded), with what it assigns or returns and the modules it calls.

    ``  16  x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))   # x: [1, 6, 14, 14]``
    followed by ``        conv1: Conv2d(1, 6, 5) -> [1, 6, 28, 28], 156 params``.
    """
    shown = [line for line in summary.lines if line.depth < depth]
    width = min(max((len(line.code) + 2 * line.depth for line in shown), default=0), 72)
    out: list[str] = []
    current_file = None
    for line in shown:
        if line.file != current_file:
            current_file = line.file
            out.append(f"{line.file}:")
        indent = "  " * line.depth
        text = f"{line.line:>5}  {indent}{line.code}"
        if line.shapes:
            notes = ", ".join(f"{name}: {_value(value)}" for name, value in line.shapes)
            text = f"{text.ljust(width + 7)}   # {notes}"
        out.append(text)
        for index in line.calls:
            row = summary.rows[index]
            if row.depth >= depth:
                continue
            what = row.type if row.is_block else _layer_text(row)
            params = f", {format_count(row.params)} params" if row.params else ""
            out.append(
                f"{'':>5}  {indent}  -> {row.name}: {what} -> {format_shape(row.output_shape)}"
                f"{params}"
            )
    return out


def trace_dict(summary: TraceSummary, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (the summary's JSON data, as ``net`` gives it) with ``output_shape`` or
    ``outputs`` and the executed ``lines``."""
    data = dict(base)
    if len(summary.outputs) == 1:
        data["output_shape"] = list(summary.outputs[0])
    else:
        data.pop("output_shape", None)
        data["outputs"] = [list(s) for s in summary.outputs]
    data["lines"] = [
        {
            "file": line.file,
            "line": line.line,
            "code": line.code,
            "depth": line.depth,
            "shapes": {name: _plain(value) for name, value in line.shapes},
            "calls": [summary.rows[i].name for i in line.calls],
        }
        for line in summary.lines
    ]
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
