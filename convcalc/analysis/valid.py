"""Which input sizes a network accepts, per spatial axis, found by arithmetic.

Along one axis every layer maps its input size ``x`` to a *quasi-affine* output size: after
``x`` grows by the layer's period ``p`` (its stride), the output grows by a fixed slope ``a``
(1 for a strided window, ``s`` for a transposed convolution, 0 for adaptive pooling). So each
node's size is ``F(H) = A·⌊H/P⌋ + B[H mod P]`` for a period ``P`` (a product of strides) and a
table ``B`` of ``P`` values, built by composing the layers. Every condition then has a closed
form per residue of ``H`` modulo ``P``:

* a layer accepts sizes from a minimum on (found on the layer's own checks: validity only
  grows with the size), so ``F(H) ≥ m`` gives ``H ≥ h`` for each residue;
* a merge needs its branches' sizes equal (or 1, for broadcasting): with equal slopes that
  holds for a whole residue class or for none of it, with different slopes at one ``H`` at most.

The answer is exact for every ``H`` in the range, not sampled. A layer that does not fit the
model (a ``Linear`` over a spatial axis, a scale factor that is no exact fraction) is checked
size by size instead, and the result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import gcd
from typing import Any

from .._record import Record
from ..errors import ShapeError
from ..layers import Layer, Shape
from ..network import INPUT, Concat, Network, _Merge, _Piece, summarize

__all__ = ["AxisRule", "Stage", "ValidInputs", "valid_inputs"]

_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
_FAR = 1 << 20  # sizes beyond any range asked about, where every layer's pattern has settled
_MAX_PERIOD = 1 << 12  # longer periods (huge or many coprime strides): check size by size


class _Size:
    """``F(H) = A·(H // P) + B[H % P]`` for every integer ``H ≥ 0``."""

    __slots__ = ("period", "slope", "table")

    def __init__(self, period: int, slope: int, table: Sequence[int]) -> None:
        self.period, self.slope, self.table = period, slope, tuple(table)

    def __call__(self, h: int) -> int:
        return self.slope * (h // self.period) + self.table[h % self.period]

    def lifted(self, period: int) -> _Size:
        """The same function over a multiple of its period."""
        k = period // self.period
        return _Size(period, self.slope * k, [self(r) for r in range(period)])


_IDENTITY = _Size(1, 1, [0])


class _Map:
    """One layer on one axis: ``g(x) = a·((x − X) // p) + G[(x − X) % p]``, valid from a minimum
    per residue of ``x``."""

    def __init__(self, period: int, slope: int, g: Callable[[int], int | None]) -> None:
        base = _FAR - _FAR % period
        self.period, self.slope, self.base = period, slope, base
        self.table = [g(base + j) for j in range(period)]
        self.valid = [v is not None for v in self.table]
        self.check = g
        self.found: dict[int, int | None] = {}

    def __call__(self, x: int) -> int:
        j = (x - self.base) % self.period
        value = self.table[j]
        if value is None:  # pragma: no cover - callers check validity first
            raise ShapeError(f"size {x} is not accepted")
        return self.slope * ((x - self.base) // self.period) + value

    def minimum(self, residue: int) -> int | None:
        """The smallest accepted ``x ≥ 1`` with ``(x − base) % p == residue``."""
        if residue not in self.found:
            self.found[residue] = self._minimum(residue)
        return self.found[residue]

    def _minimum(self, residue: int) -> int | None:
        if not self.valid[residue]:
            return None
        first = (self.base + residue) % self.period or self.period
        if first > self.base + residue:
            return None
        low, high = 0, (self.base + residue - first) // self.period
        while low < high:  # validity only grows with x: binary search the first valid one
            mid = (low + high) // 2
            if self.check(first + mid * self.period) is None:
                low = mid + 1
            else:
                high = mid
        return first + low * self.period


class Stage(Record):
    """A node's size on one axis as a function of the input size."""

    name: str
    formula: str


class AxisRule(Record):
    """The input sizes one axis accepts: per residue modulo ``modulus``, every size from a
    minimum on (``None``: that residue never works), plus single sizes where a merge of
    branches growing at different rates happens to align."""

    axis: str
    modulus: int
    minimum: tuple[int | None, ...]
    singles: tuple[int, ...] = ()
    stages: tuple[Stage, ...] = ()
    method: str = "arithmetic"

    def accepts(self, size: int) -> bool:
        m = self.minimum[size % self.modulus]
        return size in self.singles or (m is not None and size >= m)

    def sizes(self, low: int = 1, high: int = 1024) -> list[int]:
        return [h for h in range(low, high + 1) if self.accepts(h)]

    def nearest(self, size: int, high: int = 1 << 16) -> tuple[int, ...]:
        """The closest accepted sizes below and above ``size``."""
        below = next((h for h in range(size - 1, 0, -1) if self.accepts(h)), None)
        above = next((h for h in range(size + 1, high) if self.accepts(h)), None)
        return tuple(h for h in (below, above) if h is not None)

    def rule(self) -> str:
        """``H ≥ 32 and H ≡ 0 (mod 32)``, or the residues and their minimums."""
        a = self.axis
        residues = [(r, m) for r, m in enumerate(self.minimum) if m is not None]
        if not residues:
            text = "no size"
        elif len(residues) == self.modulus and len({m for _, m in residues}) == 1:
            text = f"{a} ≥ {residues[0][1]}"
        elif len({m for _, m in residues}) == 1:
            listed = ", ".join(str(r) for r, _ in residues)
            text = f"{a} ≥ {residues[0][1]} and {a} ≡ {listed} (mod {self.modulus})"
        elif all(m is not None and m < self.modulus + r for r, m in residues):
            lowest = min(m for _, m in residues if m is not None)
            listed = ", ".join(str(r) for r, _ in residues)
            text = f"{a} ≡ {listed} (mod {self.modulus}), from {lowest}"
        else:
            text = "; ".join(f"{a} ≡ {r} (mod {self.modulus}) and {a} ≥ {m}" for r, m in residues)
        if self.singles:
            text = (
                ("" if text == "no size" else f"{text}; also ") + f"{a} in " + _runs(self.singles)
            )
        return text


def _runs(values: Sequence[int]) -> str:
    """``1, 2, 3, 5`` -> ``{1..3, 5}``."""
    parts: list[str] = []
    start = prev = values[0]
    for v in (*values[1:], None):
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(str(start) if start == prev else f"{start}..{prev}")
        if v is not None:
            start = prev = v
    return "{" + ", ".join(parts) + "}"


class ValidInputs(Record):
    name: str
    input_shape: Shape
    axes: tuple[AxisRule, ...]

    def lines(self, low: int = 1, high: int = 1024) -> list[str]:
        out = []
        for rule in self.axes:
            sizes = rule.sizes(low, high)
            shown = ", ".join(str(s) for s in sizes[:12]) + (", ..." if len(sizes) > 12 else "")
            out.append(f"{rule.axis}: {rule.rule()} ({len(sizes)} sizes in {low}..{high}: {shown})")
            for stage in rule.stages:
                out.append(f"  {stage.name}: {stage.formula}")
        return out


# --------------------------------------------------------------------------------------------


_MAPS: dict[tuple[Any, ...], _Map | None] = {}


def _layer_map(layer: Layer, shape: Shape, dim: int, kept: int | None) -> _Map | None:
    """:func:`_build_map`, once per layer and shape (networks repeat their blocks)."""
    key = (layer, shape[:dim], shape[dim + 1 :], dim, kept)
    if key not in _MAPS:
        if len(_MAPS) > 10_000:
            _MAPS.clear()
        _MAPS[key] = _build_map(layer, shape, dim, kept)
    return _MAPS[key]


def _build_map(layer: Layer, shape: Shape, dim: int, kept: int | None) -> _Map | None:
    """The layer's size map on tensor dimension ``dim``, or ``None`` if it does not fit.
    ``kept`` is where the axis sits in the output (Permute moves it); when the layer does not
    keep the axis (``kept`` None), only its checks count."""

    def g(x: int) -> int | None:
        try:
            out = layer.output_shape((*shape[:dim], x, *shape[dim + 1 :]))
        except ShapeError:
            return None
        return out[kept] if kept is not None else 1

    period, slope = _shape_of(layer, dim, len(shape)) if kept is not None else (1, 0)
    if period is None or slope is None or period > _MAX_PERIOD:
        return None
    result = _Map(period, slope, g)
    if not any(result.valid):
        return None
    # The model must hold: check it against the layer around a few sizes.
    for x in (*range(1, 3 * period + 3), 97, 256, 1000):
        y = g(x)
        if y is not None and y != result(x):
            return None
    return result


def _shape_of(layer: Layer, dim: int, rank: int) -> tuple[int | None, int | None]:
    from ._reads import axis_of, pointwise

    name = type(layer).__name__
    lay: Any = layer
    if pointwise(layer) or name in ("Softmax", "LogSoftmax", "Softmin"):
        return 1, 1
    i = axis_of(layer, dim, rank)
    kind = layer._kind
    if kind in ("conv", "pool"):
        if i is None:
            return 1, 1
        stride = lay.stride if kind == "conv" else lay._window_arguments()[1]
        s = stride if isinstance(stride, int) else stride[0 if len(stride) == 1 else i]
        return int(s), 1
    if kind == "transpose" or name.startswith("MaxUnpool"):
        if i is None:
            return 1, 1
        stride = lay.stride
        s = stride if isinstance(stride, int) else stride[0 if len(stride) == 1 else i]
        return 1, int(s)
    if kind == "adaptive":
        return (1, 0) if i is not None else (1, 1)
    if name.startswith(("Upsample", "Upsampling")):
        if lay.size is not None:
            return 1, 0
        scale = lay.scale_factor
        value = scale if not isinstance(scale, tuple) else scale[0 if len(scale) == 1 else i or 0]
        num, den = float(value).as_integer_ratio()
        return (den, num) if den <= 64 else (None, None)
    if name == "PixelShuffle":
        return 1, int(lay.upscale_factor)
    if name == "PixelUnshuffle":
        return int(lay.downscale_factor), 1
    if name.startswith(("ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad", "Circular")):
        return 1, 1
    if name in ("Flatten", "Unflatten", "Linear", "Identity") or name.endswith("Norm"):
        return 1, 1
    return None, None


def valid_inputs(
    network: Network,
    input_shape: Sequence[int] | None = None,
    *,
    high: int = 1024,
) -> ValidInputs:
    """For each spatial axis (the others kept at the spec's sizes), every input size the
    network accepts, as a rule; with each node's size as a formula of it.

    >>> from convcalc.spec import load_spec_file
    >>> valid_inputs(load_spec_file("unet")).axes[0].rule()
    'H ≥ 8 and H ≡ 0 (mod 8)'
    """
    network = network.at(input_shape)
    summary = summarize(network, input_shape)
    rows = _node_rows(network, summary)
    shape0 = summary.input_shape
    rank = len(shape0)
    nd = max(1, min(3, rank - 2))
    axes = []
    for a in range(nd):
        dim = rank - nd + a
        axes.append(_axis_rule(network, rows, shape0, dim, _NAMES[nd][a], high)[0])
    return ValidInputs(network.name, shape0, tuple(axes))


def _node_rows(network: Network, summary: Any) -> list[Any]:
    """One row per node; ``None`` for a training-only node, which has no row in eval mode:
    as in PyTorch, it never runs there, so it constrains no input size (``summarize`` counts
    it as built for the spec's own input)."""
    by_index = {row.index: row for row in summary.layer_rows()}
    return [by_index.get(i) for i in range(len(network.nodes))]


def _axis_rule(
    network: Network, rows: Sequence[Any], shape0: Shape, dim0: int, axis: str, high: int
) -> tuple[AxisRule, list[_Size | None], Any]:
    from ._reads import spatial_dims_after

    sizes: list[_Size | None] = []
    formulas: list[str] = []
    dims: list[int | None] = []
    # Conditions: (function of H, minimum x per residue of the map) or equalities.
    lower: list[tuple[_Size, _Map]] = []
    equal: list[tuple[_Size, _Size]] = []
    merges: list[tuple[int, int, int]] = []  # (node, first input, other input)
    checks: list[tuple[int, _Size, _Map]] = []  # (node, its input size, the layer)
    symbol = axis
    for node, row in zip(network.nodes, rows, strict=True):
        if row is None:
            sizes.append(None)
            dims.append(None)
            formulas.append("")
            continue
        in_sizes = [_Size(1, 1, [0]) if i == INPUT else sizes[i] for i in node.inputs]
        in_dims = [dim0 if i == INPUT else dims[i] for i in node.inputs]
        in_text = [symbol if i == INPUT else formulas[i] for i in node.inputs]
        op = row.layer
        if isinstance(op, _Merge):
            d = in_dims[0]
            if d is None or any(s is None for s in in_sizes) or any(x != d for x in in_dims):
                sizes.append(None)
                dims.append(None if d is None else d)
                formulas.append("")
                continue
            known = [s for s in in_sizes if s is not None]
            if isinstance(op, Concat) and op.dim % len(row.output_shape) == d:
                period = _lcm(*(s.period for s in known))
                lifted = [s.lifted(period) for s in known]
                sizes.append(
                    _Size(period, sum(s.slope for s in lifted),
                          [sum(s.table[r] for s in lifted) for r in range(period)])
                )  # fmt: skip
                formulas.append(" + ".join(in_text))
            else:
                for j, other in enumerate(known[1:], 1):
                    merges.append((len(sizes), node.inputs[0], node.inputs[j]))
                    if not (_is_one(known[0]) or _is_one(other)):
                        equal.append((known[0], other))
                sizes.append(next((s for s in known if not _is_one(s)), known[0]))
                formulas.append(in_text[0])
            dims.append(d)
            continue
        if isinstance(op, _Piece):
            d = in_dims[0]
            if d is not None and op.dim % len(row.output_shape) == d:  # type: ignore[attr-defined]
                # A piece cut along the axis itself: its size depends on the cut.
                return _by_size(network, shape0, dim0, axis, high), sizes, (merges, checks)
            sizes.append(in_sizes[0])
            dims.append(d)
            formulas.append(in_text[0])
            continue
        layer: Layer = op
        shape = row.input_shapes[0]
        d = in_dims[0]
        f = in_sizes[0]
        out_dims = (
            spatial_dims_after(layer, (d,), shape, row.output_shape)[0] if d is not None else None
        )
        dims.append(out_dims)
        if d is None or f is None:
            sizes.append(None)
            formulas.append("")
            continue
        g = _layer_map(layer, shape, d, out_dims)
        if g is None:
            return _by_size(network, shape0, dim0, axis, high), sizes, (merges, checks)
        lower.append((f, g))
        checks.append((len(sizes), f, g))
        if out_dims is None:
            sizes.append(None)
            formulas.append("")
            continue
        if _needed(f, g) > _MAX_PERIOD:
            return _by_size(network, shape0, dim0, axis, high), sizes, (merges, checks)
        composed = _compose(f, g)
        sizes.append(composed)
        formulas.append(_formula(composed, symbol))
    return _solve(axis, lower, equal, network, sizes, formulas), sizes, (merges, checks)


def _is_one(f: _Size) -> bool:
    return f.slope == 0 and set(f.table) == {1}


def _lcm(*values: int) -> int:
    out = 1
    for v in values:
        out = out * v // gcd(out, v)
    return out


def _compose(f: _Size, g: _Map) -> _Size:
    """``g ∘ f`` as a quasi-affine function of H."""
    k = 1 if f.slope == 0 else g.period // gcd(f.slope, g.period)
    period = f.period * k
    lifted = f.lifted(period)
    table = [g(lifted.table[r]) for r in range(period)]
    slope = g.slope * (lifted.slope // g.period) if lifted.slope else 0
    return _Size(period, slope, table)


def _formula(f: _Size, h: str) -> str:
    """``a·⌊(H + c)/P⌋ + e`` when it fits the table, else the table itself."""
    p, a = f.period, f.slope
    if a == 0:
        return str(f.table[0]) if len(set(f.table)) == 1 else _table_text(f, h)
    if p == 1:
        return _affine(a, h, f.table[0])
    for scale in sorted({x for x in range(1, a + 1) if a % x == 0}):
        m = a // scale  # F(H) = scale·⌊(m·H + c)/P⌋ + e
        for c in range(0, -p, -1):
            e = f(p) - scale * ((m * p + c) // p)
            if all(f(p + r) == scale * ((m * (p + r) + c) // p) + e for r in range(p)):
                mh = h if m == 1 else f"{m}·{h}"
                inner = f"⌊{mh}/{p}⌋" if c == 0 else f"⌊({mh} − {-c})/{p}⌋"
                lead = inner if scale == 1 else f"{scale}·{inner}"
                return lead if e == 0 else f"{lead} + {e}" if e > 0 else f"{lead} − {-e}"
    return _table_text(f, h)


def _affine(a: int, h: str, e: int) -> str:
    lead = h if a == 1 else f"{a}·{h}"
    return lead if e == 0 else f"{lead} + {e}" if e > 0 else f"{lead} − {-e}"


def _table_text(f: _Size, h: str) -> str:
    values = ", ".join(str(f(f.period + r)) for r in range(f.period))
    return f"{f.slope}·⌊{h}/{f.period}⌋ + [{values}][{h} mod {f.period}] − {f.slope}"


def _solve(
    axis: str,
    lower: list[tuple[_Size, _Map]],
    equal: list[tuple[_Size, _Size]],
    network: Network,
    sizes: list[_Size | None],
    formulas: list[str],
) -> AxisRule:
    # A modulus over which every node's size, and its residue modulo each layer's period,
    # repeats: per residue r, each node's size is A·t + c with H = r + t·modulus.
    periods = [_needed(f, g) for f, g in lower] + [f.period for pair in equal for f in pair]
    modulus = _lcm(*periods) if periods else 1
    minimum: list[int | None] = [r or modulus for r in range(modulus)]
    for f, g in lower:
        lifted = f.lifted(modulus)
        for r in range(modulus):
            start = minimum[r]
            if start is None:
                continue
            c, slope = lifted.table[r], lifted.slope
            m = g.minimum((c - g.base) % g.period)
            if m is None or (slope == 0 and c < m):
                minimum[r] = None
            elif slope:
                t = max(0, -(-(m - c) // slope))
                minimum[r] = max(start, r + t * modulus)
    # Merges: the branches' sizes must be equal, or one of them 1 (broadcasting). Per
    # residue, equality holds for every t or for one t at most; a size of 1 at one t at most.
    floor = list(minimum)
    singles: set[int] = set()
    for f1, f2 in equal:
        a1, a2 = f1.lifted(modulus), f2.lifted(modulus)
        for r in range(modulus):
            if floor[r] is None:
                continue
            same = a1.slope == a2.slope and a1.table[r] == a2.table[r]
            if not same:
                minimum[r] = None
                points = [(a2.table[r] - a1.table[r], a1.slope - a2.slope)]
                points += [(1 - a.table[r], a.slope) for a in (a1, a2)]
                for num, den in points:
                    if den and num % den == 0 and num // den >= 0:
                        singles.add(r + num // den * modulus)
    singles = {
        h
        for h in singles
        if h >= 1
        and all(f1(h) == f2(h) or 1 in (f1(h), f2(h)) for f1, f2 in equal)
        and all(g.check(f(h)) is not None for f, g in lower)
    }
    singles = {h for h in singles if not _covered(minimum[h % modulus], h)}
    stages = tuple(
        Stage(node.name, text) for node, text in zip(network.nodes, formulas, strict=True) if text
    )
    modulus, minimum = _reduce(modulus, minimum)
    return AxisRule(axis, modulus, tuple(minimum), tuple(sorted(singles)), _changes(stages))


def _covered(low: int | None, h: int) -> bool:
    return low is not None and h >= low


def _needed(f: _Size, g: _Map) -> int:
    """The period of H over which f(H) modulo g's period repeats."""
    return f.period * (1 if f.slope == 0 else g.period // gcd(f.slope, g.period))


def _reduce(modulus: int, minimum: list[int | None]) -> tuple[int, list[int | None]]:
    """The smallest modulus describing the same set of sizes."""
    for m in range(1, modulus + 1):
        if modulus % m:
            continue
        reduced: list[int | None] = []
        for c in range(m):
            members = [minimum[r] for r in range(c, modulus, m)]
            if all(v is None for v in members):
                reduced.append(None)
                continue
            if any(v is None for v in members):
                break
            low = min(v for v in members if v is not None)
            # Every size ≡ c (mod m) from low on must be in: the first of each residue
            # class mod modulus at or after low.
            if any(
                v is not None and v > low + ((r - low) % modulus)
                for r, v in zip(range(c, modulus, m), members, strict=True)
            ):
                break
            reduced.append(low)
        else:
            return m, reduced
    return modulus, minimum


def _changes(stages: tuple[Stage, ...]) -> tuple[Stage, ...]:
    """Only the stages where the formula changes."""
    out: list[Stage] = []
    for stage in stages:
        if not out or out[-1].formula != stage.formula:
            out.append(stage)
    return tuple(out)


def _by_size(network: Network, shape0: Shape, dim: int, axis: str, high: int) -> AxisRule:
    ok = []
    for h in range(1, high + 1):
        try:
            summarize(network, (*shape0[:dim], h, *shape0[dim + 1 :]))
        except ShapeError:
            continue
        ok.append(h)
    return AxisRule(axis, 1, (None,), tuple(ok), (), "size by size")
