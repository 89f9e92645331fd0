"""A network summary laid out as torchinfo lays it out, as lines of plain text.

The rows follow torchinfo 1.8: a root row for the network, then each layer and block with
``type: depth-idx``, the index counted per depth across the whole network; a block whose
children are shown has ``--`` in its count columns, and a folded one its totals; a kernel is
printed as the module holds it (``[3, 3]`` for a convolution, ``2`` for ``MaxPool2d(2)``).
A second use of a shared module shows ``(recursive)`` in its count columns, as torchinfo's
does. Where convcalc differs on purpose (the layer's arguments after its type, rows for the graph
merges ``Add``/``Mul``/``Concat`` and for layers applied as functions, ``F.relu()``, which have
no depth-idx because they are not modules), the docs list the difference and its reason.

Given a ``width``, the table fits it: the layer text is abbreviated (keyword arguments first,
then the rest, down to the type) and shapes wrap after a comma; numbers are never cut.

Stdlib only: rich is not needed to lay out aligned text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from ..conventions import MacsConvention, forward_backward_elements, row_macs, total_macs
from ..explain import describe
from ..layers import Layer
from ..network import Row, Summary, _functional_blocks
from ._format import format_bytes, format_count, format_outputs, format_shape, format_si

if TYPE_CHECKING:
    from ..analysis import ReceptiveFields

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "DEFAULT_COLUMNS",
    "RF_COLUMNS",
    "ROW_SETTINGS",
    "TableRow",
    "summary_lines",
    "summary_sizes",
    "table_rows",
    "totals_lines",
]

COLUMNS = {
    "input_size": "Input Shape",
    "output_size": "Output Shape",
    "kernel_size": "Kernel Shape",
    "groups": "Groups",
    "num_params": "Param #",
    "params_percent": "Param %",
    "mult_adds": "Mult-Adds",
    "trainable": "Trainable",
    "connected_to": "Connected To",
    "receptive_field": "RF Size",
    "rf_jump": "RF Jump",
    "rf_start": "RF Start",
}
# Receptive field per spatial axis (Distill's size, jump and start); ``rf`` asks for all three.
RF_COLUMNS = ("receptive_field", "rf_jump", "rf_start")
COLUMN_ALIASES = {
    "input": "input_size",
    "output": "output_size",
    "kernel": "kernel_size",
    "params": "num_params",
    "percent": "params_percent",
    "param_percent": "params_percent",
    "macs": "mult_adds",
    "inputs": "connected_to",
    "from": "connected_to",
    "jump": "rf_jump",
    "start": "rf_start",
}
DEFAULT_COLUMNS = ("output_size", "num_params")
ROW_SETTINGS = ("depth", "var_names", "ascii_only")
_SHAPE_COLUMNS = frozenset({"input_size", "output_size", "kernel_size", *RF_COLUMNS})

_ASCII = str.maketrans({"×": "x", "…": "...", "—": "--", "│": "|", "·": "*", "−": "-"})


class TableRow(NamedTuple):
    """One visible row: the tree prefix, the layer text, the ``: depth-idx`` suffix, and the
    text of each chosen column."""

    prefix: str
    text: str
    suffix: str
    cells: tuple[str, ...]
    row: Row | None  # None for the root row


def _layer_text(row: Row) -> str:
    """``Linear(800, 500)``: the layer with its arguments, inferred ones included."""
    if isinstance(row.layer, Layer):
        text = _DESCRIBED.get(row.layer)
        if text is None:
            text = _DESCRIBED[row.layer] = describe(row.layer)
        return text
    if row.type == "Concat" and row.layer is not None:
        return f"Concat(dim={row.layer.dim})"  # type: ignore[attr-defined]
    return row.type


_DESCRIBED: dict[Any, str] = {}


def _kernel(row: Row) -> str:
    kernel = getattr(row.layer, "kernel_size", None) if row.layer is not None else None
    if isinstance(kernel, tuple):
        return format_shape(kernel)
    if isinstance(kernel, int):
        return str(kernel)
    return "--"


def _trainable(params: int, trainable: int) -> str:
    if not params:
        return "--"
    if trainable == params:
        return "True"
    return "False" if trainable == 0 else "Partial"


def _count(params: int, trainable: int) -> str:
    if not params:
        return "--"
    text = format_count(params)
    return text if trainable else f"({text})"


class _Cells:
    """The column texts of a row, a folded block's totals worked out from its members."""

    def __init__(
        self,
        summary: Summary,
        macs: MacsConvention,
        fields: ReceptiveFields | None = None,
        columns: Sequence[str] = (),
    ) -> None:
        self.summary = summary
        self.macs = macs
        self.total = summary.totals.params
        if fields is None and any(c in RF_COLUMNS for c in columns):
            raise ValueError(
                "the receptive-field columns need fields=receptive_field(network, input_shape)"
            )
        self.fields = {} if fields is None else {node.index: node for node in fields.nodes}

    def receptive(self, row: Row, column: str) -> str:
        """Size, jump or start of the row's field per axis, in the order of the shape:
        ``[5, 5]``. A field covering the whole input (after a flatten or a global pooling)
        has size ``all`` and no jump or start."""
        node = self.fields.get(row.index)
        if node is None:
            return "--"
        part = RF_COLUMNS.index(column)
        if all(field.whole for field in node.axes):
            return "all" if part == 0 else "--"
        values = []
        for field in node.axes:
            if field.whole:
                values.append("all" if part == 0 else "--")
                continue
            value = (field.size, field.jump, field.start)[part]
            values.append(str(value.numerator) if value.denominator == 1 else f"{float(value):.4g}")
        return f"[{', '.join(values)}]"

    @cached_property
    def owners(self) -> dict[str, Row]:
        """The layer rows by name (a shared module's first use)."""
        return {row.name: row for row in self.summary.rows if not row.is_block}

    @cached_property
    def names(self) -> dict[int, str]:
        """The layer rows' names by node index."""
        return {row.index: row.name for row in self.summary.rows if not row.is_block}

    def layer(self, row: Row, column: str) -> str:
        if column in RF_COLUMNS:
            return self.receptive(row, column)
        if column == "input_size":
            return ", ".join(format_shape(s) for s in row.input_shapes)
        if column == "output_size":
            return format_shape(row.output_shape)
        if column == "kernel_size":
            return _kernel(row)
        if column == "groups":
            return str(row.groups) if row.groups is not None else "--"
        if row.shared_with is not None and column in ("num_params", "params_percent"):
            return "(recursive)"  # a second use of a module: its parameters count once
        if column == "num_params":
            return _count(row.params, row.trainable_params)
        if column == "params_percent":
            return self.percent(row.params)
        if column == "mult_adds":
            value = row_macs(row, self.macs)
            return format_count(value) if value else "--"
        if column == "connected_to":
            return self.sources(row)
        if column == "trainable":
            if row.shared_with is not None:
                owner = self.owners.get(row.shared_with)
                return "--" if owner is None else self.layer(owner, column)
            return _trainable(row.params, row.trainable_params)
        raise ValueError(column)

    def container(
        self,
        column: str,
        *,
        inputs: Sequence[Sequence[int]],
        output: Sequence[int],
        members: Sequence[Row],
        expanded: bool,
        block: Row | None = None,
    ) -> str:
        if column == "input_size":
            return ", ".join(format_shape(s) for s in inputs)
        if column == "output_size":
            return format_shape(output)
        if column in ("kernel_size", "groups", "connected_to"):
            return "--"
        if column in RF_COLUMNS:
            # A block's output is its last entry's: so is its field.
            return self.receptive(members[-1], column) if members else "--"
        if expanded and column != "trainable":
            return "--"
        # A block's own totals where it has them: a traced module counts the parameters it
        # holds itself (a layer scale) and the MACs of the functions its forward calls.
        params = block.params if block else sum(r.params for r in members)
        trainable = block.trainable_params if block else sum(r.trainable_params for r in members)
        if column == "trainable":
            return _trainable(params, trainable)
        if column == "num_params":
            return _count(params, trainable)
        if column == "params_percent":
            return self.percent(params)
        if column == "mult_adds":
            if block is not None and self.macs is MacsConvention.TORCHVISION:
                value = block.macs
            else:
                value = sum(row_macs(r, self.macs) for r in members)
            return format_count(value) if value else "--"
        raise ValueError(column)

    def sources(self, row: Row) -> str:
        """The names of the entries a row reads (Keras's "Connected to"), ``input`` for the
        network's input."""
        return ", ".join("input" if i < 0 else self.names.get(i, str(i)) for i in row.inputs)

    def percent(self, params: int) -> str:
        return f"{100 * params / self.total:.2f}%" if self.total and params else "--"


def table_rows(
    summary: Summary,
    columns: Sequence[str] = DEFAULT_COLUMNS,
    depth: int = 3,
    *,
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
    row_settings: Sequence[str] = ("depth",),
    ascii_only: bool = False,
    fields: ReceptiveFields | None = None,
) -> list[TableRow]:
    """The rows shown at ``depth`` (the root row first), with their column texts; the
    receptive-field columns (:data:`RF_COLUMNS`) read ``fields``."""
    cells = _Cells(summary, MacsConvention(macs), fields, columns)
    show_depth = "depth" in row_settings
    var_names = "var_names" in row_settings
    layers = summary.layer_rows()
    root = TableRow(
        "",
        summary.name,
        "",
        tuple(
            cells.container(
                c,
                inputs=[summary.input_shape],
                output=summary.output_shape,
                members=layers,
                expanded=depth > 0,
            )
            for c in columns
        ),
        None,
    )
    result = [root]
    # A block's layer rows are needed for its receptive field (its last layer's).
    members = _block_members(summary) if any(c in RF_COLUMNS for c in columns) else {}
    parents = {row.scope for row in summary.rows if row.is_block}  # blocks holding blocks
    functions = {(*r.scope, r.name) for r in _functional_blocks(summary.rows)}
    counters: dict[int, int] = {}
    for row in summary.rows:
        level = row.depth + 1  # the root row is level 0
        if level > depth or row.functional:
            continue  # a functional node (F.relu, x + y) has no row, as in torchinfo
        if ascii_only:
            prefix = "+ " if level == 1 else "|    " * (level - 1) + "+ "
        else:
            prefix = "├─" if level == 1 else "│    " * (level - 1) + "└─"
        text = row.type if row.is_block else _layer_text(row)
        if var_names:
            text += f" ({row.name})"
        suffix = ""
        if show_depth and (row.is_block or row.layer is None or isinstance(row.layer, Layer)):
            counters[level] = counters.get(level, 0) + 1
            suffix = f": {level}-{counters[level]}"
        if row.is_block:
            # A block of functional nodes only (a module whose forward calls functions) shows
            # its totals, as a module without children does.
            scope = (*row.scope, row.name)
            shown = level < depth and (scope in parents or scope not in functions)
            values = tuple(
                cells.container(
                    c,
                    inputs=row.input_shapes,
                    output=row.output_shape,
                    members=members.get(scope, ()),
                    expanded=shown,
                    block=row,
                )
                for c in columns
            )
        else:
            values = tuple(cells.layer(row, c) for c in columns)
        result.append(TableRow(prefix, text, suffix, values, row))
    return result


def _block_members(summary: Summary) -> dict[tuple[str, ...], list[Row]]:
    """Each block scope and the layer rows inside it (nested blocks' layers included)."""
    members: dict[tuple[str, ...], list[Row]] = {}
    for row in summary.rows:
        if row.is_block:
            members[(*row.scope, row.name)] = []
    scope: tuple[str, ...] | None = None
    enclosing: list[list[Row]] = []
    for row in summary.rows:
        if row.is_block:
            continue
        if row.scope is not scope:  # the rows of one block instance share their scope
            scope = row.scope
            enclosing = [
                inside
                for level in range(1, len(scope) + 1)
                if (inside := members.get(scope[:level])) is not None
            ]
        for inside in enclosing:
            inside.append(row)
    return members


def summary_sizes(summary: Summary, dtype_bytes: int) -> dict[str, int]:
    """Input, forward-activation, forward/backward (torchinfo's), parameter and total bytes at
    ``dtype_bytes`` per element."""
    totals = summary.totals
    sizes = {
        "input_bytes": totals.input_elements * dtype_bytes,
        "activation_bytes": totals.activations * dtype_bytes,
        "param_bytes": totals.params * dtype_bytes,
    }
    sizes["total_bytes"] = sum(sizes.values())
    sizes["forward_backward_bytes"] = forward_backward_elements(summary) * dtype_bytes
    return sizes


def totals_lines(
    summary: Summary,
    dtype: str,
    dtype_bytes: int,
    *,
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
) -> list[tuple[str, str]]:
    """The totals block as (label, value) pairs; docs/formulas.md defines each line."""
    t = summary.totals
    sizes = summary_sizes(summary, dtype_bytes)
    convention = MacsConvention(macs)
    total = total_macs(summary, convention)
    label = (
        "Total MACs (mult-adds)"
        if convention is MacsConvention.TORCHVISION
        else "Total mult-adds (torchinfo)"
    )
    return [
        ("Total params", format_count(t.params)),
        ("Trainable params", format_count(t.trainable_params)),
        ("Non-trainable params", format_count(t.non_trainable_params)),
        (label, f"{format_count(total)} ({format_si(total)})"),
        ("Total FLOPs (2 × MACs)", f"{format_count(2 * total)} ({format_si(2 * total)})"),
        (f"Input size ({dtype})", format_bytes(sizes["input_bytes"])),
        (f"Forward activations ({dtype})", format_bytes(sizes["activation_bytes"])),
        (f"Forward/backward pass size ({dtype})", format_bytes(sizes["forward_backward_bytes"])),
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
    width: int | None = None,
    ascii_only: bool = False,
    macs: MacsConvention | str = MacsConvention.TORCHVISION,
    row_settings: Sequence[str] = ("depth",),
    fields: ReceptiveFields | None = None,
) -> list[tuple[str, bool]]:
    """The summary as lines of plain text, each with whether it is a heading (bold in a
    terminal). With ``width``, no line is longer than it (unless the numbers alone are)."""
    ascii_only = ascii_only or "ascii_only" in row_settings
    rows = table_rows(
        summary,
        columns,
        depth,
        macs=macs,
        row_settings=row_settings,
        ascii_only=ascii_only,
        fields=fields,
    )
    first_header = "Layer (type" + (" (var_name)" if "var_names" in row_settings else "")
    first_header += ":depth-idx)" if "depth" in row_settings else ")"
    header = [first_header, *(COLUMNS[c] for c in columns)]
    ellipsis = "..." if ascii_only else "…"
    widths = [max(len(h), *(len(r.cells[i]) for r in rows)) for i, h in enumerate(header[1:])]
    labels = [r.prefix + r.text + r.suffix for r in rows]
    wraps = [c in _SHAPE_COLUMNS for c in columns]
    if width is not None:
        widths = _fit_columns(
            rows, widths, wraps, width, len(header[0]), [len(h) for h in header[1:]]
        )
        room = max(width - sum(widths) - 3 * len(widths), 0)
        labels = [
            r.prefix
            + _abbreviate(r.text, room - len(r.prefix) - len(r.suffix), ellipsis)
            + r.suffix
            if len(label) > room
            else label
            for r, label in zip(rows, labels, strict=True)
        ]
    first_width = max(len(header[0]), *(len(label) for label in labels))

    def line(first: str, cells: Sequence[str]) -> list[str]:
        if all(len(cell) <= w for cell, w in zip(cells, widths, strict=True)):
            # Nothing to wrap: one line (a cell wider than its column is wrapped below).
            rest = [cell.rjust(w) for cell, w in zip(cells, widths, strict=True)]
            return ["   ".join([first.ljust(first_width), *rest]).rstrip()]
        split = [
            _wrap(cell, w) if wrap else [cell]
            for cell, w, wrap in zip(cells, widths, wraps, strict=True)
        ]
        height = max((len(parts) for parts in split), default=1)
        out = []
        for k in range(height):
            left = (first if k == 0 else "").ljust(first_width)
            rest = [
                (parts[k] if k < len(parts) else "").rjust(w)
                for parts, w in zip(split, widths, strict=True)
            ]
            out.append("   ".join([left, *rest]).rstrip())
        return out

    totals = totals_lines(summary, dtype, dtype_bytes, macs=macs)
    label_width = max(len(label) for label, _ in totals) + 2
    value_width = max(len(value) for _, value in totals)
    table_width = first_width + sum(widths) + 3 * len(widths)
    rule = ("=" * max(table_width, label_width + value_width), False)
    title = (
        f"{summary.name}: input {format_shape(summary.input_shape)} -> "
        f"{format_outputs(summary.outputs, summary.output_shape)}"
    )
    lines: list[tuple[str, bool]] = [(title, True), rule]
    lines += [(text, True) for text in line(header[0], header[1:])]
    lines.append(rule)
    for label, row in zip(labels, rows, strict=True):
        lines += [(text, False) for text in line(label, row.cells)]
    lines.append(rule)
    lines += [
        (f"{label}:".ljust(label_width) + value.rjust(value_width), False)
        for label, value in totals
    ]
    lines.append(rule)
    if ascii_only:
        lines = [(text.translate(_ASCII), heading) for text, heading in lines]
    return lines


def _fit_columns(
    rows: Sequence[TableRow],
    widths: list[int],
    wraps: Sequence[bool],
    width: int,
    header_width: int,
    headers: Sequence[int],
) -> list[int]:
    """Narrow the shape columns (which wrap after a comma, never below their heading's
    width) while the shortest possible first column, every layer cut down to its type, does
    not fit beside the others."""
    shortest = max(
        header_width, *(len(r.prefix) + _type_length(r.text) + len(r.suffix) for r in rows)
    )
    widths = list(widths)
    while shortest + sum(widths) + 3 * len(widths) > width:
        # Narrow the widest wrappable column by one step of its own text.
        candidates = [(w, i) for i, (w, wrap) in enumerate(zip(widths, wraps, strict=True)) if wrap]
        narrowed = False
        for w, i in sorted(candidates, reverse=True):
            floor = max(headers[i], *(len(part) for r in rows for part in _wrap(r.cells[i], 1)))
            if w > floor:
                widths[i] = max(floor, max(len(p) for r in rows for p in _wrap(r.cells[i], w - 1)))
                narrowed = True
                break
        if not narrowed:
            break
    return widths


def _shorter(row: TableRow, room: int, ellipsis: str) -> str:
    text = _abbreviate(row.text, room - len(row.prefix) - len(row.suffix), ellipsis)
    return row.prefix + text + row.suffix


def _type_length(text: str) -> int:
    cut = text.find("(")
    return len(text) if cut <= 0 else cut


def _abbreviate(text: str, room: int, ellipsis: str) -> str:
    """``Conv2d(64, 128, 3, stride=2, padding=1)`` cut to ``room``: keyword arguments go first,
    then positional ones from the end, then the parentheses."""
    if len(text) <= room:
        return text
    cut = text.find("(")
    if cut <= 0 or not text.endswith(")"):
        return text
    name, args = text[:cut], _split_arguments(text[cut + 1 : -1])
    for keep in range(len(args) - 1, 0, -1):
        candidate = f"{name}({', '.join(args[:keep])}, {ellipsis})"
        if len(candidate) <= room:
            return candidate
    return name


def _split_arguments(text: str) -> list[str]:
    """Split at the commas that are not inside brackets."""
    parts, level, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            level += 1
        elif char in ")]}":
            level -= 1
        elif char == "," and level == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def _wrap(cell: str, width: int) -> list[str]:
    """A shape text broken after commas into lines of at most ``width`` (a single number is
    never cut, so a line may be longer)."""
    if len(cell) <= width or ", " not in cell:
        return [cell]
    pieces = [p + "," for p in cell.split(", ")]
    pieces[-1] = pieces[-1][:-1]
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece) <= width:
            lines[-1] += " " + piece
        else:
            lines.append(" " + piece)
    return lines
