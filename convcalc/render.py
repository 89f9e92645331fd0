"""Reports -> rich tables, or JSON-ready dictionaries.

The table functions return rich objects and never print or create a ``Console``: the CLI owns
the console. rich is imported inside them, so the JSON path never loads it. The number
formatting helpers are pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .explain import LayerReport, SeparableComparison, describe
from .layers import layer_fields
from .network import Row, Summary

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


# --------------------------------------------------------------------------------------------
# network summaries

COLUMNS = {
    "input_size": "Input Shape",
    "output_size": "Output Shape",
    "kernel_size": "Kernel Shape",
    "groups": "Groups",
    "num_params": "Param #",
    "params_percent": "Param %",
    "mult_adds": "Mult-Adds",
    "trainable": "Trainable",
}
COLUMN_ALIASES = {
    "input": "input_size",
    "output": "output_size",
    "kernel": "kernel_size",
    "params": "num_params",
    "percent": "params_percent",
    "param_percent": "params_percent",
    "macs": "mult_adds",
}
DEFAULT_COLUMNS = ("output_size", "num_params")


def format_bytes(value: float) -> str:
    """Decimal units down to kB, as torchinfo reports sizes.

    >>> format_bytes(200_704), format_bytes(1_724_320), format_bytes(512)
    ('200.70 kB', '1.72 MB', '0.51 kB')
    """
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if value >= scale:
            return f"{value / scale:.2f} {unit}"
    return f"{value / 1e3:.2f} kB"


def summary_sizes(summary: Summary, dtype_bytes: int) -> dict[str, int]:
    """Input, forward-activation, parameter and total bytes at ``dtype_bytes`` per element."""
    totals = summary.totals
    sizes = {
        "input_bytes": totals.input_elements * dtype_bytes,
        "activation_bytes": totals.activations * dtype_bytes,
        "param_bytes": totals.params * dtype_bytes,
    }
    sizes["total_bytes"] = sum(sizes.values())
    return sizes


def _visible(summary: Summary, depth: int) -> list[tuple[Row, str, str]]:
    """Rows to show at ``depth``, each with its tree prefix and depth-index label."""
    rows = [r for r in summary.rows if r.depth < depth]
    # A row is the last of its siblings when no later row shares its depth before a
    # shallower one: one backward pass decides it for every row.
    last = [False] * len(rows)
    sibling_follows: dict[int, bool] = {}
    for i in range(len(rows) - 1, -1, -1):
        d = rows[i].depth
        last[i] = not sibling_follows.get(d, False)
        sibling_follows[d] = True
        for deeper in [k for k in sibling_follows if k > d]:
            del sibling_follows[deeper]
    counters: dict[int, int] = {}
    result = []
    for i, row in enumerate(rows):
        counters[row.depth] = counters.get(row.depth, 0) + 1
        for deeper in [k for k in counters if k > row.depth]:
            del counters[deeper]
        prefix = "│    " * row.depth + ("└─" if last[i] else "├─")
        result.append((row, prefix, f"{row.depth + 1}-{counters[row.depth]}"))
    return result


def _cell(row: Row, column: str, total_params: int) -> str:
    if column == "input_size":
        return ", ".join(format_shape(s) for s in row.input_shapes)
    if column == "output_size":
        return format_shape(row.output_shape)
    if column == "kernel_size":
        return format_shape(row.kernel_size) if row.kernel_size else "--"
    if column == "groups":
        return str(row.groups) if row.groups is not None else "--"
    if column == "num_params":
        if row.is_block:
            return format_count(row.params) if row.params else "--"
        return format_count(row.params) if row.params else "--"
    if column == "params_percent":
        return f"{100 * row.params / total_params:.2f}%" if total_params and row.params else "--"
    if column == "mult_adds":
        return format_count(row.macs) if row.macs else "--"
    if column == "trainable":
        if not row.params:
            return "--"
        if row.trainable_params == row.params:
            return "True"
        return "False" if row.trainable_params == 0 else "Partial"
    raise ValueError(column)


def summary_rows(summary: Summary, columns: Sequence[str], depth: int) -> list[list[str]]:
    """The visible rows as text cells, first the tree label, then ``columns``."""
    total = summary.totals.params
    return [
        [f"{prefix}{_layer_text(row)}: {label}", *(_cell(row, c, total) for c in columns)]
        for row, prefix, label in _visible(summary, depth)
    ]


_DESCRIBED: dict[Any, str] = {}


def _layer_text(row: Row) -> str:
    """``Linear(800, 500)``: the layer with its arguments, inferred ones included."""
    from .layers import Layer

    if isinstance(row.layer, Layer):
        text = _DESCRIBED.get(row.layer)
        if text is None:
            text = _DESCRIBED[row.layer] = describe(row.layer)
        return text
    if row.type == "Concat" and row.layer is not None:
        return f"Concat(dim={row.layer.dim})"  # type: ignore[attr-defined]
    return row.type


def totals_lines(summary: Summary, dtype: str, dtype_bytes: int) -> list[tuple[str, str]]:
    t = summary.totals
    sizes = summary_sizes(summary, dtype_bytes)
    return [
        ("Total params", format_count(t.params)),
        ("Trainable params", format_count(t.trainable_params)),
        ("Non-trainable params", format_count(t.non_trainable_params)),
        ("Total MACs (mult-adds)", f"{format_count(t.macs)} ({format_si(t.macs)})"),
        ("Total FLOPs (2 × MACs)", f"{format_count(t.flops)} ({format_si(t.flops)})"),
        (f"Input size ({dtype})", format_bytes(sizes["input_bytes"])),
        (f"Forward activations ({dtype})", format_bytes(sizes["activation_bytes"])),
        (f"Params size ({dtype})", format_bytes(sizes["param_bytes"])),
        ("Estimated total size", format_bytes(sizes["total_bytes"])),
    ]


def summary_lines(
    summary: Summary,
    *,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    depth: int = 3,
    dtype: str = "float32",
    dtype_bytes: int = 4,
) -> list[tuple[str, bool]]:
    """The summary laid out like torchinfo's, as lines of plain text, each with whether it is
    a heading (shown bold in a terminal)."""
    header = ["Layer (type:depth-idx)", *(COLUMNS[c] for c in columns)]
    rows = summary_rows(summary, columns, depth)
    widths = [max(len(cells[i]) for cells in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "   ".join([first, *rest]).rstrip()

    rule = ("=" * (sum(widths) + 3 * (len(widths) - 1)), False)
    title = (
        f"{summary.name}: input {format_shape(summary.input_shape)} -> output "
        f"{format_shape(summary.output_shape)}"
    )
    lines = [(title, True), rule, (line(header), True), rule]
    lines += [(line(cells), False) for cells in rows]
    lines.append(rule)
    totals = totals_lines(summary, dtype, dtype_bytes)
    label_width = max(len(label) for label, _ in totals) + 2
    value_width = max(len(value) for _, value in totals)
    lines += [
        (f"{label}:".ljust(label_width) + value.rjust(value_width), False)
        for label, value in totals
    ]
    lines.append(rule)
    return lines


def render_summary_table(
    summary: Summary,
    *,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    depth: int = 3,
    dtype: str = "float32",
    dtype_bytes: int = 4,
) -> Any:
    """:func:`summary_lines` as one rich ``Text``, headings in bold.

    The columns are aligned here rather than by a rich ``Table``: a network has hundreds of
    rows, and rich's table layout costs more than the whole summary. Print it with
    ``soft_wrap=True`` so that wide lines are not cut.
    """
    from rich.text import Text

    text = Text(no_wrap=True)
    lines = summary_lines(
        summary, columns=columns, depth=depth, dtype=dtype, dtype_bytes=dtype_bytes
    )
    for i, (line, heading) in enumerate(lines):
        text.append(line + ("\n" if i < len(lines) - 1 else ""), style="bold" if heading else "")
    return text


def summary_dict(
    summary: Summary, *, dtype: str = "float32", dtype_bytes: int = 4
) -> dict[str, Any]:
    """The summary as JSON-ready data: ``layers`` (every layer, blocks excluded) and ``totals``."""
    t = summary.totals
    layers = []
    for row in summary.layer_rows():
        layers.append(
            {
                "index": row.index,
                "name": row.name,
                "type": row.type,
                "arguments": _arguments(row),
                "depth": row.depth,
                "block": ".".join(row.scope) or None,
                "input_shape": _listed(row.input_shapes[0])
                if len(row.input_shapes) == 1
                else [list(s) for s in row.input_shapes],
                "output_shape": list(row.output_shape),
                "params": row.params,
                "trainable_params": row.trainable_params,
                "macs": row.macs,
                "kernel_size": _listed(row.kernel_size),
                "groups": row.groups,
            }
        )
    return {
        "name": summary.name,
        "input_shape": list(summary.input_shape),
        "output_shape": list(summary.output_shape),
        "layers": layers,
        "totals": {
            "params": t.params,
            "trainable_params": t.trainable_params,
            "non_trainable_params": t.non_trainable_params,
            "macs": t.macs,
            "flops": t.flops,
            "buffers": t.buffers,
            "dtype": dtype,
            **summary_sizes(summary, dtype_bytes),
        },
    }


def _arguments(row: Row) -> dict[str, Any]:
    if row.layer is None:
        return {}
    return {k: _plain(v) for k, v in layer_fields(row.layer).items()}  # type: ignore[arg-type]


def render_csv(summary: Summary) -> str:
    """One line per layer (blocks excluded), with a header."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "index",
            "name",
            "type",
            "block",
            "input_shape",
            "output_shape",
            "params",
            "trainable_params",
            "macs",
        ]
    )
    for row in summary.layer_rows():
        writer.writerow(
            [
                row.index,
                row.name,
                row.type,
                ".".join(row.scope),
                " ".join("x".join(map(str, s)) for s in row.input_shapes),
                "x".join(map(str, row.output_shape)),
                row.params,
                row.trainable_params,
                row.macs,
            ]
        )
    return out.getvalue()


def render_markdown(
    summary: Summary,
    *,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    depth: int = 3,
    dtype: str = "float32",
    dtype_bytes: int = 4,
) -> str:
    """A Markdown table of the visible rows, then the totals as a list."""
    header = ["Layer (type:depth-idx)", *(COLUMNS[c] for c in columns)]
    lines = [
        f"**{summary.name}**: input {format_shape(summary.input_shape)} -> output "
        f"{format_shape(summary.output_shape)}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * len(columns)) + "|",
    ]
    for row, _, label in _visible(summary, depth):
        name = "&nbsp;&nbsp;" * row.depth + f"{_layer_text(row)}: {label}"
        cells = [_cell(row, c, summary.totals.params) for c in columns]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    lines.append("")
    lines += [f"- {label}: {value}" for label, value in totals_lines(summary, dtype, dtype_bytes)]
    return "\n".join(lines) + "\n"
