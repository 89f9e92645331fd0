"""A network summary as data for other programs and pages: JSON-ready dictionaries, CSV,
Markdown and HTML (for notebooks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..conventions import MacsConvention, row_macs, total_macs
from ..layers import layer_fields
from ..network import Row, Summary
from ._format import _listed, _plain, format_outputs, format_shape
from .summary import (
    COLUMNS,
    DEFAULT_COLUMNS,
    RF_COLUMNS,
    _Cells,
    _layer_text,
    summary_sizes,
    table_rows,
    totals_lines,
)

if TYPE_CHECKING:
    from ..analysis import ReceptiveFields

__all__ = ["CSV_COLUMNS", "render_csv", "render_html", "render_markdown", "summary_dict"]

# What the CSV writes by default, beside index, name, type, layer and block.
CSV_COLUMNS = ("input_size", "output_size", "num_params", "trainable", "mult_adds")


def summary_dict(
    summary: Summary,
    *,
    dtype: str = "float32",
    dtype_bytes: int = 4,
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
    fields: ReceptiveFields | None = None,
) -> dict[str, Any]:
    """The summary as JSON-ready data: ``layers`` (every layer, blocks excluded) and ``totals``.
    With ``fields``, each layer also has ``receptive_field``: per spatial axis, its size, jump
    and start (numbers; a fraction as a float), or ``null`` where it covers the whole input."""
    t = summary.totals
    convention = MacsConvention(macs)
    layers = []
    names = {row.index: row.name for row in summary.layer_rows()}
    nodes = {} if fields is None else {node.index: node for node in fields.nodes}
    for row in summary.layer_rows():
        if row.functional:
            continue  # no row in the table either
        extra: dict[str, Any] = {}
        if fields is not None:
            node = nodes.get(row.index)
            extra["receptive_field"] = (
                None
                if node is None
                else {
                    axis: None
                    if f.whole
                    else {key: _number(getattr(f, key)) for key in ("size", "jump", "start")}
                    for axis, f in zip(fields.axis_names, node.axes, strict=True)
                }
            )
        layers.append(
            {
                "index": row.index,
                "name": row.name,
                "type": row.type,
                "arguments": _arguments(row),
                "depth": row.depth,
                "block": _block(row),
                "input_shape": _listed(row.input_shapes[0])
                if len(row.input_shapes) == 1
                else [list(s) for s in row.input_shapes],
                "output_shape": list(row.output_shape),
                "params": row.params,
                "trainable_params": row.trainable_params,
                "macs": row_macs(row, convention),
                "kernel_size": _listed(row.kernel_size),
                "groups": row.groups,
                "inputs": [names.get(i, "input") for i in row.inputs],
                **extra,
            }
        )
    total = total_macs(summary, convention)
    return {
        "name": summary.name,
        "input_shape": list(summary.input_shape),
        **(
            {"outputs": [list(s) for s in summary.outputs]}
            if len(summary.outputs) > 1
            else {"output_shape": list(summary.output_shape)}
        ),
        "layers": layers,
        "totals": {
            "params": t.params,
            "trainable_params": t.trainable_params,
            "non_trainable_params": t.non_trainable_params,
            "macs": total,
            "flops": 2 * total,
            "macs_convention": convention.value,
            "buffers": t.buffers,
            "dtype": dtype,
            **summary_sizes(summary, dtype_bytes),
        },
    }


def _number(value: Any) -> int | float:
    """A fraction as JSON has it: an int when whole."""
    return int(value) if value.denominator == 1 else float(value)


def _block(row: Row) -> str | None:
    """The path of the innermost block holding the row (each scope entry is a full path)."""
    return row.scope[-1] if row.scope else None


def _arguments(row: Row) -> dict[str, Any]:
    if row.layer is None:
        return {}
    return {k: _plain(v) for k, v in layer_fields(row.layer).items()}  # type: ignore[arg-type]


def _csv_value(
    row: Row,
    column: str,
    total_params: int,
    macs: MacsConvention,
    names: dict[int, str],
    cells: _Cells,
) -> Any:
    if column in RF_COLUMNS:
        return "x".join(cells.receptive(row, column).strip("[]").split(", "))
    if column == "input_size":
        return " ".join("x".join(map(str, s)) for s in row.input_shapes)
    if column == "output_size":
        return "x".join(map(str, row.output_shape))
    if column == "kernel_size":
        return "x".join(map(str, row.kernel_size)) if row.kernel_size else ""
    if column == "groups":
        return "" if row.groups is None else row.groups
    if column == "num_params":
        return row.params
    if column == "params_percent":
        return f"{100 * row.params / total_params:.4f}" if total_params else ""
    if column == "mult_adds":
        return row_macs(row, macs)
    if column == "trainable":
        return row.trainable_params
    if column == "connected_to":
        return " ".join(names.get(i, "input") for i in row.inputs)
    raise ValueError(column)


_CSV_HEADERS = {
    "input_size": "input_shape",
    "output_size": "output_shape",
    "kernel_size": "kernel_size",
    "groups": "groups",
    "num_params": "params",
    "params_percent": "params_percent",
    "mult_adds": "macs",
    "trainable": "trainable_params",
    "connected_to": "inputs",
    "receptive_field": "receptive_field",
    "rf_jump": "rf_jump",
    "rf_start": "rf_start",
}


def render_csv(
    summary: Summary,
    *,
    columns: Sequence[str] | None = None,
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
    fields: ReceptiveFields | None = None,
) -> str:
    """One line per layer (blocks excluded), with a header: index, name, type, the layer
    text, its block, then ``columns`` (by default :data:`CSV_COLUMNS`); the receptive-field
    columns read ``fields``."""
    import csv
    import io

    chosen = tuple(columns) if columns else CSV_COLUMNS
    convention = MacsConvention(macs)
    cells = _Cells(summary, convention, fields, chosen)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["index", "name", "type", "layer", "block", *(_CSV_HEADERS[c] for c in chosen)])
    total = summary.totals.params
    names = {row.index: row.name for row in summary.layer_rows()}
    for row in summary.layer_rows():
        if row.functional:
            continue
        writer.writerow(
            [
                row.index,
                row.name,
                row.type,
                _layer_text(row),
                _block(row) or "",
                *(_csv_value(row, c, total, convention, names, cells) for c in chosen),
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
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
    row_settings: Sequence[str] = ("depth",),
    fields: ReceptiveFields | None = None,
) -> str:
    """A Markdown table of the visible rows, then the totals as a list."""
    header = ["Layer (type:depth-idx)", *(COLUMNS[c] for c in columns)]
    lines = [
        f"**{summary.name}**: input {format_shape(summary.input_shape)} -> "
        f"{format_outputs(summary.outputs, summary.output_shape)}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * len(columns)) + "|",
    ]
    for r in table_rows(
        summary, columns, depth, macs=macs, row_settings=row_settings, fields=fields
    ):
        level = 0 if r.row is None else r.row.depth + 1
        name = "&nbsp;&nbsp;" * max(level - 1, 0) + f"{r.text}{r.suffix}"
        lines.append("| " + " | ".join([name, *r.cells]) + " |")
    lines.append("")
    totals = totals_lines(summary, dtype, dtype_bytes, macs=macs)
    lines += [f"- {label}: {value}" for label, value in totals]
    return "\n".join(lines) + "\n"


def render_html(
    summary: Summary,
    *,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    depth: int = 3,
    dtype: str = "float32",
    dtype_bytes: int = 4,
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
) -> str:
    """An HTML table of the visible rows and the totals, for notebooks."""
    from html import escape

    header = ["Layer (type:depth-idx)", *(COLUMNS[c] for c in columns)]
    parts = [
        '<div class="convcalc-summary">',
        f"<p><b>{escape(summary.name)}</b>: input {format_shape(summary.input_shape)} "
        f"&rarr; {format_outputs(summary.outputs, summary.output_shape)}</p>",
        "<table>",
        "<thead><tr>"
        + "".join(
            f'<th style="text-align:{"left" if i == 0 else "right"}">{escape(h)}</th>'
            for i, h in enumerate(header)
        )
        + "</tr></thead>",
        "<tbody>",
    ]
    for r in table_rows(summary, columns, depth, macs=macs):
        level = 0 if r.row is None else r.row.depth + 1
        indent = f"padding-left:{1.5 * max(level - 1, 0):g}em"
        cells = "".join(f'<td style="text-align:right">{escape(c)}</td>' for c in r.cells)
        parts.append(
            f'<tr><td style="text-align:left;{indent}"><code>{escape(r.text)}</code>'
            f"{escape(r.suffix)}</td>{cells}</tr>"
        )
    parts += ["</tbody>", "</table>", "<table>"]
    for label, value in totals_lines(summary, dtype, dtype_bytes, macs=macs):
        parts.append(
            f'<tr><td style="text-align:left">{escape(label)}</td>'
            f'<td style="text-align:right">{escape(value)}</td></tr>'
        )
    parts += ["</table>", "</div>"]
    return "\n".join(parts) + "\n"
