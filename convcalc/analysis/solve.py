"""Solve a layer for its unknown arguments: which padding, kernel, stride... reach a target size.

``solve("Conv2d", 64, 32, kernel_size=3, stride=2, padding=UNKNOWN)`` searches every value of
each unknown argument within a range (one axis at a time: PyTorch's spatial axes are
independent), keeps the combinations whose output size is the target, ranks them (smallest
padding, then smallest kernel, stride, dilation, output_padding, floor before ceil mode) and
checks each one with the layer classes of :mod:`convcalc.layers`. When nothing in the range
reaches the target, the answer says so and gives the nearest sizes that are reachable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import product
from typing import Any

from .._record import Record
from ..errors import ShapeError
from ..layers import dims_text, layer_types

__all__ = [
    "DEFAULT_RANGES",
    "UNKNOWN",
    "AxisSolution",
    "Solution",
    "SolveResult",
    "solve",
]

UNKNOWN = "?"
"""An argument to solve for (what a user types as ``?`` on the command line)."""

# Inclusive ranges searched when the caller gives none.
DEFAULT_RANGES: dict[str, tuple[int, int]] = {
    "padding": (0, 32),
    "kernel_size": (1, 32),
    "stride": (1, 32),
    "dilation": (1, 16),
    "output_padding": (0, 31),
    "ceil_mode": (0, 1),
}
# The order solutions are ranked in: smallest padding first, then smallest kernel, ...
_RANK = ("padding", "kernel_size", "stride", "dilation", "output_padding", "ceil_mode")
_MAX_CANDIDATES = 1_000_000
_AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}

_FAMILIES: dict[str, tuple[str, ...]] = {
    "Conv": ("kernel_size", "stride", "padding", "dilation"),
    "ConvTranspose": ("kernel_size", "stride", "padding", "output_padding", "dilation"),
    "MaxPool": ("kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "AvgPool": ("kernel_size", "stride", "padding", "ceil_mode"),
    "Upsample": ("scale_factor", "size"),
}


class Solution(Record):
    """One combination of the unknowns' values, and the output size it gives."""

    values: tuple[tuple[str, Any], ...]
    output: int

    def __getitem__(self, name: str) -> Any:
        return dict(self.values)[name]

    def text(self) -> str:
        """``padding=1, kernel_size=3``."""
        return ", ".join(f"{name}={_show(value)}" for name, value in self.values)


class AxisSolution(Record):
    """The answer on one spatial axis."""

    axis: str
    input_size: int
    target: int
    formula: str
    solutions: tuple[Solution, ...]
    searched: tuple[tuple[str, tuple[int, int]], ...] = ()
    nearest: tuple[Solution, ...] = ()
    reason: str | None = None


class SolveResult(Record):
    """Solutions per axis; ``layer(i)`` builds the layer of the ``i``-th ranked combination."""

    layer_type: str
    unknowns: tuple[str, ...]
    known: tuple[tuple[str, Any], ...]
    axes: tuple[AxisSolution, ...]

    @property
    def solved(self) -> bool:
        return all(axis.solutions for axis in self.axes)

    def arguments(self, index: int = 0) -> dict[str, Any]:
        """The layer's arguments with the ``index``-th solution of every axis filled in."""
        if not self.solved:
            raise ShapeError(f"{self.layer_type}: no solution to take arguments from")
        merged: dict[str, Any] = dict(self.known)
        for name in self.unknowns:
            values = tuple(
                axis.solutions[min(index, len(axis.solutions) - 1)][name] for axis in self.axes
            )
            merged[name] = values[0] if len(set(values)) == 1 else values
        return merged

    def lines(self) -> list[str]:
        """Plain text: per axis, the formula, then every solution or why there is none."""
        out: list[str] = []
        same = len({(a.input_size, a.target, a.formula) for a in self.axes}) == 1
        for axis in self.axes[:1] if same else self.axes:
            label = "every axis" if same and len(self.axes) > 1 else axis.axis
            out.append(f"{label}: {axis.input_size} -> {axis.target}; {axis.formula}")
            for solution in axis.solutions:
                out.append(f"  {solution.text()}  (output {solution.output})")
            if axis.reason:
                out.append(f"  {axis.reason}")
        return out


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def solve(
    layer_type: str,
    input_size: int | Sequence[int],
    target: int | Sequence[int],
    *,
    ranges: Mapping[str, tuple[int, int]] | None = None,
    **arguments: Any,
) -> SolveResult:
    """Every value of the unknown arguments (given as :data:`UNKNOWN`) that takes
    ``input_size`` to ``target``, per spatial axis, ranked and checked.

    ``layer_type`` is a PyTorch class name: ``Conv1d..3d``, ``ConvTranspose1d..3d``,
    ``MaxPool1d..3d``, ``AvgPool1d..3d`` or ``Upsample``. Sizes are spatial only; one value
    stands for every axis. An argument may be a tuple with one value per axis, some of
    them unknown. ``ranges`` overrides :data:`DEFAULT_RANGES` (inclusive bounds).

    >>> r = solve("Conv2d", 64, 32, kernel_size=3, stride=2, padding=UNKNOWN)
    >>> [s.text() for s in r.axes[0].solutions]
    ['padding=1']
    >>> solve("Conv1d", 224, 7, kernel_size=UNKNOWN, stride=UNKNOWN).axes[0].solutions[0].text()
    'kernel_size=1, stride=32'
    """
    family, nd = _family(layer_type, input_size)
    names = _FAMILIES[family]
    for name in arguments:
        if name not in names:
            raise ShapeError(
                f"{layer_type}: cannot solve with argument {name!r}; it takes {', '.join(names)}"
            )
    sizes = _per_axis(input_size, nd, "input size", layer_type)
    targets = _per_axis(target, nd, "target", layer_type)
    for what, values in (("input size", sizes), ("target", targets)):
        if any(not _is_int(v) or v < 1 for v in values):
            raise ShapeError(f"{layer_type}: {what} {dims_text(values)} must be positive integers")
    per_axis = {name: _per_axis(value, nd, name, layer_type) for name, value in arguments.items()}
    unknowns = tuple(n for n in names if any(v == UNKNOWN for v in per_axis.get(n, ())))
    if not unknowns:
        raise ShapeError(
            f"{layer_type}: nothing to solve for; give one or more arguments as '?' "
            f"(one of {', '.join(names)})"
        )
    bounds = dict(DEFAULT_RANGES)
    for name, (low, high) in (ranges or {}).items():
        if not (_is_int(low) and _is_int(high)) or low > high:
            raise ShapeError(f"{layer_type}: range {low}..{high} of {name} is empty")
        bounds[name] = (low, high)
    axes = []
    for i, axis in enumerate(_AXES[nd]):
        fixed = {n: v[i] for n, v in per_axis.items() if v[i] != UNKNOWN}
        wanted = tuple(n for n in unknowns if per_axis[n][i] == UNKNOWN)
        if family == "Upsample":
            axes.append(_solve_upsample(axis, sizes[i], targets[i], fixed, wanted))
        else:
            axes.append(
                _solve_axis(family, layer_type, axis, sizes[i], targets[i], fixed, wanted, bounds)
            )
    known = tuple(
        (n, v if len(set(v)) > 1 else v[0]) for n, v in per_axis.items() if n not in unknowns
    )
    return SolveResult(layer_type, unknowns, known, tuple(axes))


def _family(layer_type: str, input_size: int | Sequence[int]) -> tuple[str, int]:
    if layer_type == "Upsample":
        nd = 1 if isinstance(input_size, int) else len(input_size)
        if not 1 <= nd <= 3:
            raise ShapeError(f"Upsample: input size needs 1 to 3 spatial axes, got {nd}")
        return "Upsample", nd
    for family in ("ConvTranspose", "Conv", "MaxPool", "AvgPool"):
        if layer_type.startswith(family) and layer_type[len(family) :] in ("1d", "2d", "3d"):
            return family, int(layer_type[-2])
    raise ShapeError(
        f"cannot solve {layer_type!r}: use Conv1d..3d, ConvTranspose1d..3d, MaxPool1d..3d, "
        "AvgPool1d..3d or Upsample"
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _per_axis(value: Any, nd: int, name: str, owner: str) -> tuple[Any, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            return tuple(value) * nd
        if len(value) != nd:
            raise ShapeError(
                f"{owner}: {name} has {len(value)} values, but the layer has {nd} axes"
            )
        return tuple(value)
    return (value,) * nd


def _formula(family: str, size: int, fixed: Mapping[str, Any], unknown: Sequence[str]) -> str:
    def term(name: str, symbol: str, default: Any) -> str:
        if name in unknown:
            return symbol
        return str(_show(fixed.get(name, default)))

    k = term("kernel_size", "k", None)
    if family == "ConvTranspose":
        s, p, d, op = (
            term("stride", "s", 1),
            term("padding", "p", 0),
            term("dilation", "d", 1),
            term("output_padding", "op", 0),
        )
        return f"out = ({size} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1"
    s = term("stride", "s", fixed.get("kernel_size", "k") if family != "Conv" else 1)
    p, d = term("padding", "p", 0), term("dilation", "d", 1)
    if "ceil_mode" in unknown:
        brackets = ("⌊", "⌋ (or ⌈ ⌉ in ceil mode)")
    elif fixed.get("ceil_mode"):
        brackets = ("⌈", "⌉")
    else:
        brackets = ("⌊", "⌋")
    return f"out = {brackets[0]}({size} + 2·{p} − {d}·({k} − 1) − 1) / {s}{brackets[1]} + 1"


def _output_function(family: str) -> Callable[..., int]:
    from ..arithmetic import conv_output_size, conv_transpose_output_size, pool_output_size

    if family == "Conv":
        return lambda n, kernel_size, stride=1, padding=0, dilation=1: conv_output_size(
            n, kernel_size, stride=stride, padding=padding, dilation=dilation
        )
    if family == "ConvTranspose":
        return lambda n, kernel_size, stride=1, padding=0, output_padding=0, dilation=1: (
            conv_transpose_output_size(
                n,
                kernel_size,
                stride=stride,
                padding=padding,
                output_padding=output_padding,
                dilation=dilation,
            )
        )
    return lambda n, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False: (
        pool_output_size(
            n,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=bool(ceil_mode),
        )
    )


def _candidates(
    wanted: Sequence[str], bounds: Mapping[str, tuple[int, int]]
) -> Iterator[dict[str, Any]]:
    spans = [range(bounds[n][0], bounds[n][1] + 1) for n in wanted]
    for values in product(*spans):
        yield {n: bool(v) if n == "ceil_mode" else v for n, v in zip(wanted, values, strict=True)}


def _solve_axis(
    family: str,
    layer_type: str,
    axis: str,
    size: int,
    target: int,
    fixed: Mapping[str, Any],
    wanted: Sequence[str],
    bounds: Mapping[str, tuple[int, int]],
) -> AxisSolution:
    formula = _formula(family, size, fixed, wanted)
    if "kernel_size" not in fixed and "kernel_size" not in wanted:
        raise ShapeError(f"{layer_type}: give kernel_size, or '?' to solve for it")
    count = math.prod(bounds[n][1] - bounds[n][0] + 1 for n in wanted)
    if count > _MAX_CANDIDATES:
        raise ShapeError(
            f"{layer_type}: searching {count:,} combinations of {', '.join(wanted)} is too many "
            f"(at most {_MAX_CANDIDATES:,}); narrow a range or fix an argument"
        )
    output = _output_function(family)
    rank = [n for n in _RANK if n in wanted]
    found: list[Solution] = []
    reachable: dict[int, Solution] = {}
    first_error: str | None = None
    for values in _candidates(wanted, bounds):
        try:
            out = output(size, **fixed, **values)
        except ShapeError as exc:
            first_error = first_error or str(exc)
            continue
        solution = Solution(tuple((n, values[n]) for n in rank), out)
        if out == target:
            found.append(solution)
        elif out not in reachable or _key(solution) < _key(reachable[out]):
            reachable[out] = solution
    found.sort(key=_key)
    verified = tuple(s for s in found if _verify(family, layer_type, size, fixed, s))
    if len(verified) != len(found):  # pragma: no cover - the formulas and layers disagree
        raise AssertionError(f"{layer_type}: a solution failed the layer's own check")
    searched = tuple((n, bounds[n]) for n in rank)
    if verified:
        return AxisSolution(axis, size, target, formula, verified, searched)
    ranges = ", ".join(f"{n} in {lo}..{hi}" for n, (lo, hi) in searched)
    if not reachable:
        reason = f"no {ranges} gives a valid layer on input {size}"
        if first_error:
            reason += f" (for example: {first_error})"
        return AxisSolution(axis, size, target, formula, (), searched, (), reason)
    below = [o for o in reachable if o < target]
    above = [o for o in reachable if o > target]
    nearest = tuple(
        reachable[o] for o in ([max(below)] if below else []) + ([min(above)] if above else [])
    )
    shown = " and ".join(f"{s.output} ({s.text()})" for s in nearest)
    reason = f"no {ranges} reaches {target} from {size}; nearest: {shown}"
    return AxisSolution(axis, size, target, formula, (), searched, nearest, reason)


def _key(solution: Solution) -> tuple[Any, ...]:
    return tuple(value for _, value in solution.values)


def _verify(
    family: str, layer_type: str, size: int, fixed: Mapping[str, Any], solution: Solution
) -> bool:
    """Run the 1-d layer of the family on ``(1, 1, size)``: it must give the solution's size."""
    cls = layer_types()[f"{family}1d"]
    arguments = {**fixed, **dict(solution.values)}
    if family in ("Conv", "ConvTranspose"):
        layer = cls(1, 1, **arguments)
    elif family == "AvgPool":
        arguments.pop("dilation", None)
        layer = cls(**arguments)
    else:
        layer = cls(**arguments)
    return layer.output_shape((1, 1, size)) == (1, 1, solution.output)


def _solve_upsample(
    axis: str, size: int, target: int, fixed: Mapping[str, Any], wanted: Sequence[str]
) -> AxisSolution:
    from ..layers import Upsample

    formula = f"out = ⌊{size} · scale_factor⌋"
    solutions: list[Solution] = []
    if "size" in wanted:
        solutions.append(Solution((("size", target),), target))
    if "scale_factor" in wanted:
        # int(float(size) * scale) == target holds for scale in [target/size, (target+1)/size);
        # an integer scale when there is one, else the smallest double that lands on target.
        scales: list[float] = []
        if target % size == 0:
            scales.append(float(target // size))
        exact = target / size
        while int(float(size) * exact) < target:
            exact = math.nextafter(exact, math.inf)
        if exact not in scales:
            scales.append(exact)
        for scale in scales:
            out = Upsample(scale_factor=scale).output_shape((1, 1, size))[-1]
            if out == target:
                solutions.append(Solution((("scale_factor", scale),), out))
    return AxisSolution(axis, size, target, formula, tuple(solutions))
