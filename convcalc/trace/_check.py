"""Checks of a traced model's network: that it gives the trace's own table, and where
``forward`` handed it sizes worked out at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..conventions import forward_backward_elements, total_macs
from ..errors import ShapeError, UntraceableError
from ..network import Network, summarize

if TYPE_CHECKING:
    from ._result import TraceSummary

__all__ = ["check_same", "sized_operations"]


def _visible(summary: Any) -> list[tuple[Any, ...]]:
    """What the table shows of each row, for the check of the network against the trace."""
    rows = summary.rows
    shown = []
    for row in rows:
        if row.functional:
            continue
        leaf = not row.is_block
        if row.is_block:
            scope = (*row.scope, row.name)
            inside = [r for r in rows if r.scope[: len(scope)] == scope]
            leaf = all(r.functional and not r.is_block for r in inside)
        shown.append(
            (
                row.type,
                row.depth,
                row.output_shape,
                row.params,
                row.trainable_params,
                row.macs,
                leaf,
                row.shared_with is not None,
            )
        )
    return shown


def _totals(summary: Any) -> tuple[Any, ...]:
    t = summary.totals
    return (
        summary.output_shape,
        t.params,
        t.trainable_params,
        total_macs(summary),
        t.activations,
        forward_backward_elements(summary),
    )


def check_same(network: Network, summary: TraceSummary, what: str = "network") -> None:
    """Stop unless ``network`` summarises to the trace's table, row by row."""
    try:
        mine = summarize(network, summary.input_shape, mode=str(summary.mode))
    except ShapeError as exc:
        raise UntraceableError(f"cannot export: the {what} does not run: {exc}") from None
    want, got = _visible(summary), _visible(mine)
    for k, (a, b) in enumerate(zip(want, got, strict=False)):
        if a != b:
            row = [r for r in summary.rows if not r.functional][k]
            raise UntraceableError(
                f"cannot export: the {what} differs from the trace at {row.name} ({row.type}): "
                "it does something the spec format cannot say (parameters used directly, "
                "or computed sizes)"
            )
    if len(want) != len(got) or _totals(summary) != _totals(mine):
        raise UntraceableError(
            f"cannot export: the {what}'s totals differ from the trace's: the model holds "
            "parameters that forward uses directly or never uses (modules it does not call), "
            "and a spec counts only the layers that run"
        )


def sized_operations(network: Network) -> list[str]:
    """Where forward hands a size to an operation (a pad, ``interpolate(size=...)``, a view's
    sizes): ``F.pad on line 53``. Such a size may have been worked out from the input, and
    the network holds it as traced, so a rule about other input sizes is the traced
    operations' rule, not necessarily the model's."""
    found: list[str] = []
    for node in network.nodes:
        op = node.op
        kind = type(op).__name__
        what = ""
        if node.functional and kind.endswith(("Pad1d", "Pad2d", "Pad3d")):
            what = "F.pad"
        elif node.functional and kind == "Upsample" and getattr(op, "size", None) is not None:
            what = "F.interpolate(size=...)"
        elif node.functional and kind == "Unflatten":
            what = "a view or reshape"
        if what and node.line is not None:
            text = f"{what} on line {node.line}"
            if text not in found:
                found.append(text)
    return found
