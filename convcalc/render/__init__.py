"""Results -> text, rich tables, JSON, CSV, Markdown and HTML (the only ``rich`` import).

- :mod:`._format`: pure number and shape formatting;
- :mod:`._json`: JSON text without :mod:`json`;
- :mod:`.layer`: single-layer reports (rich tables, dictionaries);
- :mod:`.summary`: network summaries laid out as torchinfo lays them out (plain text);
- :mod:`.data`: network summaries as dictionaries, CSV, Markdown and HTML.

Names are loaded on first use, so a command pays only for the renderer it needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._format import format_bytes, format_count, format_shape, format_si
    from ._json import render_json
    from .data import render_csv, render_html, render_markdown, summary_dict
    from .layer import (
        layer_report_dict,
        render_layer_table,
        render_separable_table,
        separable_dict,
    )
    from .summary import (
        COLUMN_ALIASES,
        COLUMNS,
        DEFAULT_COLUMNS,
        summary_lines,
        summary_sizes,
        totals_lines,
    )

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "DEFAULT_COLUMNS",
    "format_bytes",
    "format_count",
    "format_shape",
    "format_si",
    "layer_report_dict",
    "render_csv",
    "render_html",
    "render_json",
    "render_layer_table",
    "render_markdown",
    "render_separable_table",
    "separable_dict",
    "summary_dict",
    "summary_lines",
    "summary_sizes",
    "totals_lines",
]

_HOME = {
    **dict.fromkeys(("format_bytes", "format_count", "format_shape", "format_si"), "_format"),
    "render_json": "_json",
    **dict.fromkeys(("render_csv", "render_html", "render_markdown", "summary_dict"), "data"),
    **dict.fromkeys(
        ("layer_report_dict", "render_layer_table", "render_separable_table", "separable_dict"),
        "layer",
    ),
    **dict.fromkeys(
        (
            "COLUMNS",
            "COLUMN_ALIASES",
            "DEFAULT_COLUMNS",
            "summary_lines",
            "summary_sizes",
            "totals_lines",
        ),
        "summary",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
