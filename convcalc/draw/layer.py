"""One layer drawn as in conv_arithmetic (Dumoulin and Visin, "A guide to convolution
arithmetic for deep learning", 2016): the padded input grid, the first and the last window
(dilation holes left open), the stride step, the rows and columns no window reads shaded, and
the output grid. A transposed convolution is drawn as the equivalent stride-1 convolution over
its zero-inserted input. The four padding modes are drawn on a small numbered grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ShapeError
from ..explain import describe
from ..layers import Layer, dims_text
from ._svg import Canvas

__all__ = ["CELL", "COLOURS", "layer_svg", "layer_text", "padding_modes_svg"]

CELL = 24
MAX_CELLS = 64
COLOURS = {
    "input": "#cfe2f3",
    "pad": "#ffffff",
    "zero": "#fff2cc",
    "unused": "#b7b7b7",
    "first": "#e69138",
    "last": "#38761d",
    "output": "#d9ead3",
    "outside": "#f4cccc",
}
_TOP = 40  # title above the grids
_GAP = 56  # between the input and the output grid


class _Track:
    """One axis: what each grid position holds and which positions each output reads."""

    def __init__(self, kinds: list[str], windows: list[list[int]], offset: int = 0) -> None:
        self.kinds = kinds  # per grid position: input, pad, zero
        self.windows = windows  # per output: the grid positions it reads (may overhang)
        self.offset = offset

    @property
    def read(self) -> set[int]:
        return {q for w in self.windows for q in w}


def _axis_track(layer: Any, i: int, size: int, out: int) -> _Track:
    kind = layer._kind

    def at(value: Any) -> int:
        if isinstance(value, tuple):
            return int(value[0] if len(value) == 1 else value[i])
        return int(value)

    if kind == "conv":
        k, s, d = at(layer.kernel_size), at(layer.stride), at(layer.dilation)
        before, after = layer.explicit_padding()[i]
    elif kind == "pool":
        k, s, before, d = (v[i] for v in layer._window_arguments())
        after = before
    elif kind == "transpose":
        k, s, p, d = (
            at(getattr(layer, a)) for a in ("kernel_size", "stride", "padding", "dilation")
        )
        op = at(layer.output_padding)
        inserted = (size - 1) * s + 1
        edge = d * (k - 1) - p
        length = inserted + 2 * edge + op
        kinds = []
        for q in range(length):
            z = q - edge
            kinds.append(
                "input"
                if 0 <= z < inserted and z % s == 0
                else "zero"
                if 0 <= z < inserted
                else "pad"
            )
        windows = [[o + m * d for m in range(k)] for o in range(out)]
        return _Track(kinds, windows)
    else:
        raise ShapeError(f"cannot draw {type(layer).__name__}: draw shows convolutions and pooling")
    kinds = ["pad"] * before + ["input"] * size + ["pad"] * after
    windows = [[o * s + m * d for m in range(k)] for o in range(out)]
    return _Track(kinds, windows)


def _grid(
    layer: Layer, input_size: Sequence[int]
) -> tuple[tuple[int, ...], tuple[int, ...], _Track, _Track]:
    """Input sizes, output sizes (two axes), and the row and column tracks."""
    nd = getattr(layer, "_nd", 0)
    if layer._kind not in ("conv", "pool", "transpose") or nd not in (1, 2):
        raise ShapeError(
            f"cannot draw {type(layer).__name__}: draw shows 1-d and 2-d convolutions, "
            "transposed convolutions and pooling"
        )
    sizes = tuple(input_size)
    if len(sizes) == 1 and nd == 2:
        sizes = sizes * 2
    if len(sizes) != nd:
        raise ShapeError(
            f"input size {dims_text(sizes)} needs {nd} values for {type(layer).__name__}"
        )
    channels = getattr(layer, "in_channels", 1)
    out = layer.output_shape((1, channels, *sizes))[2:]
    tracks = [_axis_track(layer, i, n, o) for i, (n, o) in enumerate(zip(sizes, out, strict=True))]
    if nd == 1:
        tracks.insert(0, _Track(["input"], [[0]]))
        out = (1, *out)
    rows, cols = tracks
    if max(len(rows.kinds), len(cols.kinds), *out) > MAX_CELLS:
        raise ShapeError(f"cannot draw more than {MAX_CELLS} cells per axis; use a smaller input")
    return sizes, out, rows, cols


_LETTERS = {
    "input": ".",
    "pad": "_",
    "zero": "z",
    "unused": "x",
    "outside": "o",
    "first": "F",
    "last": "L",
    "both": "B",
}


def layer_text(layer: Layer, input_size: Sequence[int]) -> list[str]:
    """The same picture as plain text, one character per cell: the padded input with the
    first (F) and last (L) windows' taps, then the output grid and a legend."""
    sizes, out, rows, cols = _grid(layer, input_size)
    read_r, read_c = rows.read, cols.read
    height = max(len(rows.kinds), max(read_r) + 1)
    width = max(len(cols.kinds), max(read_c) + 1)
    first = {(r, c) for r in rows.windows[0] for c in cols.windows[0]}
    last = {(r, c) for r in rows.windows[-1] for c in cols.windows[-1]}
    grid = []
    for r in range(height):
        cells = []
        for c in range(width):
            kind = _cell_kind(rows, cols, r, c, read_r, read_c)
            beyond = kind == "outside"
            if (r, c) in first:
                kind = "both" if (r, c) in last else "first"
            elif (r, c) in last:
                kind = "last"
            letter = _LETTERS[kind]
            cells.append(letter.lower() if beyond and kind != "outside" else letter)
        grid.append(" ".join(cells))
    output = []
    for r in range(out[0]):
        row = ["." for _ in range(out[1])]
        if r == 0:
            row[0] = "F"
        if r == out[0] - 1:
            row[-1] = "L" if (out[0], out[1]) != (1, 1) else "B"
        output.append(" ".join(row))
    lines = [f"input {dims_text(sizes)}, padded:"]
    lines += [f"  {line}" for line in grid]
    lines.append(f"output {dims_text(out if len(sizes) == 2 else out[1:])}:")
    lines += [f"  {line}" for line in output]
    shown = {letter for g in grid for letter in g.split()}
    used = {kind for kind, letter in _LETTERS.items() if letter in shown}
    if shown & {"f", "l", "b"}:
        used.add("outside")
    legend = {
        "input": "input",
        "pad": "padding",
        "zero": "inserted zero",
        "unused": "never read",
        "outside": "past the input (lower case: a window's taps there)",
        "first": "first window",
        "last": "last window",
        "both": "both windows",
    }
    lines.append("  ".join(f"{_LETTERS[k]} {legend[k]}" for k in _LETTERS if k in used))
    return lines


def layer_svg(layer: Layer, input_size: Sequence[int]) -> str:
    """The layer on an input of ``input_size`` (one or two spatial sizes) as SVG text."""
    sizes, out, rows, cols = _grid(layer, input_size)
    nd = len(sizes)
    canvas = Canvas()
    title = (
        f"{describe(layer)}: {dims_text(sizes)} -> {dims_text(out[2 - nd :] if nd == 1 else out)}"
    )
    canvas.label(12, 22, title, 14, font_weight="bold")
    x0, y0 = 12, _TOP
    read_r, read_c = rows.read, cols.read
    height = max(len(rows.kinds), max(read_r) + 1)
    width = max(len(cols.kinds), max(read_c) + 1)
    drawn: set[str] = set()
    for r in range(height):
        for c in range(width):
            kind = _cell_kind(rows, cols, r, c, read_r, read_c)
            drawn.add(kind)
            fill = COLOURS[kind]
            dash = {"stroke_dasharray": "3,2"} if kind in ("pad", "outside") else {}
            canvas.rect(
                x0 + c * CELL,
                y0 + r * CELL,
                CELL,
                CELL,
                fill=fill,
                stroke="#666666",
                stroke_width=1,
                **dash,
            )
            if kind == "zero":
                canvas.label(
                    x0 + c * CELL + CELL / 2,
                    y0 + r * CELL + CELL * 0.7,
                    "0",
                    10,
                    "middle",
                    fill="#7f6000",
                )
    second = (rows.windows[0], cols.windows[1]) if len(cols.windows) > 1 else None
    if second is None and len(rows.windows) > 1:
        second = (rows.windows[1], cols.windows[0])
    for (wr, wc), colour in (
        ((rows.windows[0], cols.windows[0]), "first"),
        ((rows.windows[-1], cols.windows[-1]), "last"),
    ):
        for r in wr:
            for c in wc:
                canvas.rect(
                    x0 + c * CELL + 3,
                    y0 + r * CELL + 3,
                    CELL - 6,
                    CELL - 6,
                    fill=COLOURS[colour],
                    fill_opacity=0.8,
                )
        canvas.rect(
            x0 + min(wc) * CELL,
            y0 + min(wr) * CELL,
            (max(wc) - min(wc) + 1) * CELL,
            (max(wr) - min(wr) + 1) * CELL,
            fill="none",
            stroke=COLOURS[colour],
            stroke_width=3,
        )
    if second is not None:
        wr, wc = second
        canvas.rect(
            x0 + min(wc) * CELL,
            y0 + min(wr) * CELL,
            (max(wc) - min(wc) + 1) * CELL,
            (max(wr) - min(wr) + 1) * CELL,
            fill="none",
            stroke=COLOURS["first"],
            stroke_width=2,
            stroke_dasharray="6,3",
        )
        step = (min(wc) - min(cols.windows[0])) or (min(wr) - min(rows.windows[0]))
        canvas.label(
            x0,
            y0 + height * CELL + 16,
            f"next window: {step} step{'s' if step != 1 else ''} on (dashed)",
            11,
        )
    ox = x0 + width * CELL + _GAP
    oy = y0
    canvas.line(
        ox - _GAP + 10,
        oy + height * CELL / 2,
        ox - 12,
        oy + height * CELL / 2,
        stroke="#444444",
        stroke_width=2,
    )
    mid = oy + height * CELL / 2
    canvas.path(
        f"M {ox - 12} {mid - 5} L {ox - 4} {mid} L {ox - 12} {mid + 5} Z",
        fill="#444444",
    )
    out_rows, out_cols = (out[0], out[1])
    for r in range(out_rows):
        for c in range(out_cols):
            fill = COLOURS["output"]
            if (r, c) == (0, 0):
                fill = COLOURS["first"]
            elif (r, c) == (out_rows - 1, out_cols - 1):
                fill = COLOURS["last"]
            canvas.rect(
                ox + c * CELL,
                oy + r * CELL,
                CELL,
                CELL,
                fill=fill,
                stroke="#666666",
                stroke_width=1,
            )
    _legend(canvas, 12, y0 + max(height, out_rows) * CELL + 30, drawn)
    return canvas.text()


def _cell_kind(
    rows: _Track, cols: _Track, r: int, c: int, read_r: set[int], read_c: set[int]
) -> str:
    kr = rows.kinds[r] if r < len(rows.kinds) else "outside"
    kc = cols.kinds[c] if c < len(cols.kinds) else "outside"
    if "outside" in (kr, kc):
        return "outside"
    if "pad" in (kr, kc):
        return "pad" if r in read_r and c in read_c else "unused"
    if "zero" in (kr, kc):
        return "zero" if r in read_r and c in read_c else "unused"
    return "input" if r in read_r and c in read_c else "unused"


def _legend(canvas: Canvas, x: float, y: float, drawn: set[str]) -> None:
    """The colours the picture uses (the two windows always), in reading order."""
    items = [
        ("input", "input"),
        ("zero", "inserted zero"),
        ("pad", "padding"),
        ("unused", "never read"),
        ("outside", "past the input (ceil mode)"),
    ]
    items = [(kind, text) for kind, text in items if kind in drawn]
    items += [("first", "first window / output"), ("last", "last window / output")]
    for kind, text in items:
        canvas.rect(x, y - 10, 12, 12, fill=COLOURS[kind], stroke="#666666", stroke_width=1)
        canvas.label(x + 16, y, text, 11)
        x += 24 + len(text) * 6.5


# --------------------------------------------------------------------------------------------
# padding modes


def _source(q: int, n: int, mode: str) -> int | None:
    if 0 <= q < n:
        return q
    if mode == "zeros":
        return None
    if mode == "reflect":
        return -q if q < 0 else 2 * (n - 1) - q
    if mode == "replicate":
        return 0 if q < 0 else n - 1
    return q % n  # circular


def padding_modes_svg(size: int = 3, pad: int = 2) -> str:
    """What each padding mode puts in the border of a numbered ``size`` × ``size`` grid."""
    if not 2 <= size <= 8 or not 1 <= pad < size:
        raise ShapeError("draw the padding modes on a grid of 2 to 8 with padding 1 to size - 1")
    canvas = Canvas()
    canvas.label(
        12, 22, f"padding_mode on a {size}x{size} input, padding {pad}", 14, font_weight="bold"
    )
    total = size + 2 * pad
    x = 12.0
    for mode in ("zeros", "reflect", "replicate", "circular"):
        canvas.label(x + total * CELL / 2, _TOP + 4, mode, 13, "middle")
        y0 = _TOP + 14
        for r in range(total):
            for c in range(total):
                sr, sc = _source(r - pad, size, mode), _source(c - pad, size, mode)
                inside = 0 <= r - pad < size and 0 <= c - pad < size
                value = "0" if sr is None or sc is None else str(sr * size + sc + 1)
                fill = (
                    COLOURS["input"]
                    if inside
                    else COLOURS["zero"]
                    if value != "0"
                    else COLOURS["pad"]
                )
                canvas.rect(
                    x + c * CELL,
                    y0 + r * CELL,
                    CELL,
                    CELL,
                    fill=fill,
                    stroke="#666666",
                    stroke_width=1.5 if inside else 1,
                )
                canvas.label(
                    x + c * CELL + CELL / 2, y0 + r * CELL + CELL * 0.68, value, 11, "middle"
                )
        x += total * CELL + 28
    return canvas.text()
