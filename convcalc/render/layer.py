"""Single-layer reports: rich tables and JSON-ready dictionaries.

The table functions return rich objects and never print or create a ``Console``: the CLI owns
the console. rich is imported inside them, so the JSON path never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..explain import LayerReport, SeparableComparison, describe
from ..layers import layer_fields
from ._format import _counted, _listed, _plain, format_count, format_shape

if TYPE_CHECKING:
    from rich.table import Table

__all__ = [
    "layer_report_dict",
    "render_layer_table",
    "render_separable_table",
    "separable_dict",
]


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
