"""Reports -> rich tables, or JSON-ready dictionaries.

The table functions return rich objects and never print or create a ``Console``: the CLI owns
the console. rich is imported inside them, so the JSON path never loads it. The number
formatting helpers are pure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .explain import LayerReport, SeparableComparison, describe
from .layers import layer_fields

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "format_count",
    "format_shape",
    "format_si",
    "layer_report_dict",
    "render_json",
    "render_layer_table",
    "render_separable_table",
    "separable_dict",
]


def format_count(value: int) -> str:
    """Thousands separators: ``format_count(21840) == '21,840'``.

    >>> format_count(21840)
    '21,840'
    """
    return f"{value:,}"


def format_si(value: float) -> str:
    """Decimal units, as torchinfo and torchvision quote MACs: ``'2.34 G'``.

    >>> format_si(2_341_011_456)
    '2.34 G'
    >>> format_si(640)
    '640'
    """
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value:g}"


def format_shape(shape: Sequence[int] | None) -> str:
    """A shape as PyTorch users read it in summaries: ``[8, 32, 126, 126]``.

    >>> format_shape((8, 32, 126, 126))
    '[8, 32, 126, 126]'
    """
    return "—" if shape is None else f"[{', '.join(str(s) for s in shape)}]"


def _counted(value: int | None) -> str:
    if value is None:
        return "— (give -i)"
    if value < 1000:
        return format_count(value)
    return f"{format_count(value)} ({format_si(value)})"


def _listed(shape: Sequence[int] | None) -> list[int] | None:
    return None if shape is None else list(shape)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def layer_report_dict(report: LayerReport) -> dict[str, Any]:
    """The report as JSON-ready data; shapes are lists, absent values ``None``."""
    data: dict[str, Any] = {
        "layer": type(report.layer).__name__,
        "arguments": {k: _plain(v) for k, v in layer_fields(report.layer).items()},
        "input_shape": _listed(report.input_shape),
        "output_shape": _listed(report.output_shape),
        "weight_shape": _listed(report.weight_shape),
        "bias_shape": _listed(report.bias_shape),
        "params": report.params,
        "macs": report.macs,
        "flops": report.flops,
        "formulas": [{"axis": a.axis, "formula": a.formula, "note": a.note} for a in report.axes],
    }
    if report.output_padding is not None:
        data["output_padding"] = list(report.output_padding)
    return data


def separable_dict(comparison: SeparableComparison) -> dict[str, Any]:
    """Standard, grouped and depthwise-separable variants as JSON-ready data."""
    return {
        "groups": comparison.groups,
        "standard": layer_report_dict(comparison.standard),
        "grouped": layer_report_dict(comparison.grouped),
        "depthwise_separable": {
            "depthwise": layer_report_dict(comparison.depthwise),
            "pointwise": layer_report_dict(comparison.pointwise),
            "params": comparison.separable_params,
            "macs": comparison.separable_macs,
        },
    }


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


def _json_string(text: str) -> str:
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
        if all(isinstance(v, (int, float)) or v is None for v in value):
            return "[" + ", ".join(_json(v, depth + 1) for v in value) + "]"
        items = [f"{inner}{_json(v, depth + 1)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def render_layer_table(report: LayerReport) -> Table:
    """Shapes, parameters, MACs and the worked formula of each axis."""
    from rich.table import Table

    table = Table(title=describe(report.layer), show_header=False, title_justify="left")
    table.add_column("quantity", style="bold")
    table.add_column("value")
    table.add_row("Input shape", format_shape(report.input_shape))
    table.add_row("Output shape", format_shape(report.output_shape))
    if report.output_padding is not None:
        table.add_row("output_padding", format_shape(report.output_padding))
    table.add_row("Weight shape", format_shape(report.weight_shape))
    table.add_row("Bias shape", format_shape(report.bias_shape))
    table.add_row("Params", format_count(report.params))
    table.add_row("MACs", _counted(report.macs))
    table.add_row("FLOPs (2 × MACs)", _counted(report.flops))
    for axis in report.axes:
        table.add_row(axis.axis, axis.formula)
        if axis.note:
            table.add_row("", f"note: {axis.note}")
    return table


def render_separable_table(comparison: SeparableComparison) -> Table:
    """Standard vs grouped vs depthwise-separable, side by side."""
    from rich.table import Table

    standard = comparison.standard
    table = Table(
        title=f"Same in/out/kernel, three ways: {describe(standard.layer)}", title_justify="left"
    )
    table.add_column("")
    table.add_column("standard", justify="right")
    table.add_column(f"grouped (groups={comparison.groups})", justify="right")
    table.add_column("depthwise-separable", justify="right")
    dw, pw = comparison.depthwise, comparison.pointwise
    table.add_row(
        "layers",
        describe(standard.layer),
        describe(comparison.grouped.layer),
        f"{describe(dw.layer)}\n+ {describe(pw.layer)}",
    )
    table.add_row(
        "weight",
        format_shape(standard.weight_shape),
        format_shape(comparison.grouped.weight_shape),
        f"{format_shape(dw.weight_shape)} + {format_shape(pw.weight_shape)}",
    )
    table.add_row(
        "output",
        format_shape(standard.output_shape),
        format_shape(comparison.grouped.output_shape),
        format_shape(pw.output_shape),
    )
    table.add_row(
        "params",
        format_count(standard.params),
        format_count(comparison.grouped.params),
        format_count(comparison.separable_params),
    )
    table.add_row(
        "vs standard",
        "1.00×",
        _ratio(comparison.grouped.params, standard.params),
        _ratio(comparison.separable_params, standard.params),
    )
    table.add_row(
        "MACs",
        _counted(standard.macs),
        _counted(comparison.grouped.macs),
        _counted(comparison.separable_macs),
    )
    return table


def _ratio(value: int, base: int) -> str:
    return f"{value / base:.2f}×" if base else "—"
