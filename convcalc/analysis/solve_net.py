"""Solve a network for the ``?`` in its layers: which values make its output (or a named node)
reach a target shape.

A spec may give any layer argument as ``'?'`` (``padding: '?'``, or ``Conv2d: [8, '?']``).
:func:`solve_network` tries every value of each unknown within a range (the ranges of
:data:`~convcalc.analysis.solve.DEFAULT_RANGES`, or 1..64 for other arguments), runs the whole
network through :func:`~convcalc.network.summarize` for each combination, and keeps those whose
shape at the node is the target: every layer's own checks apply, skips and concats included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product
from math import prod
from typing import Any

from .._record import Record, record_fields
from ..errors import ShapeError
from ..layers import Shape, dims_text, layer_types
from ..network import LayerSpec, Network, Node, _list_fields, summarize
from .solve import DEFAULT_RANGES, UNKNOWN

__all__ = ["NetworkSolution", "solve_network"]

_MAX_RUNS = 20_000
_MAX_WORK = 2_000_000  # layer evaluations


class NetworkSolution(Record):
    """The unknowns (node, argument), the combinations that reach the target, and otherwise
    the nearest shapes reached."""

    unknowns: tuple[tuple[str, str], ...]
    target: Shape
    at: str
    solutions: tuple[tuple[tuple[Any, ...], Shape], ...]
    nearest: tuple[tuple[tuple[Any, ...], Shape], ...] = ()

    def lines(self) -> list[str]:
        names = ", ".join(f"{node}.{arg}" for node, arg in self.unknowns)
        out = [f"{names} such that {self.at} is {dims_text(self.target)}:"]
        for values, _ in self.solutions:
            out.append(
                "  "
                + ", ".join(f"{a}={v}" for (_, a), v in zip(self.unknowns, values, strict=True))
            )
        if not self.solutions:
            shown = "; ".join(
                ", ".join(f"{a}={v}" for (_, a), v in zip(self.unknowns, values, strict=True))
                + f" gives {dims_text(shape)}"
                for values, shape in self.nearest
            )
            out.append(f"  none in the ranges searched; nearest: {shown}" if shown else "  none")
        return out


def _unknowns(network: Network) -> list[tuple[int, str]]:
    found = []
    for index, node in enumerate(network.nodes):
        op = node.op
        if not isinstance(op, LayerSpec):
            continue
        cls = layer_types().get(op.type)
        positional = _list_fields(op.type, cls) if cls else []
        for i, value in enumerate(op.args):
            if value == UNKNOWN and i < len(positional):
                found.append((index, positional[i]))
        found += [(index, key) for key, value in op.kwargs if value == UNKNOWN]
    return found


def _with(network: Network, values: Mapping[tuple[int, str], Any]) -> Network:
    nodes = list(network.nodes)
    for index in {i for i, _ in values}:
        node = nodes[index]
        op: Any = node.op
        positional = _list_fields(op.type, layer_types()[op.type])
        args = tuple(
            values.get((index, positional[i]), a) if i < len(positional) else a
            for i, a in enumerate(op.args)
        )
        kwargs = tuple((k, values.get((index, k), v)) for k, v in op.kwargs)
        nodes[index] = Node(**{**record_fields(node), "op": LayerSpec(op.type, args, kwargs)})
    fields = record_fields(network)
    return Network(**{**fields, "nodes": tuple(nodes)})


def solve_network(
    network: Network,
    target: Sequence[int],
    *,
    at: str | None = None,
    ranges: Mapping[str, tuple[int, int]] | None = None,
    input_shape: Sequence[int] | None = None,
) -> NetworkSolution:
    """Every combination of the network's ``?`` arguments that gives ``target`` at node ``at``
    (the output by default). A ``target`` shorter than the shape compares its trailing sizes
    (``(32, 32)`` for the spatial ones).

    >>> from convcalc.spec import load_spec
    >>> net = load_spec("input: [1, 3, 64, 64]\\nlayers:\\n"
    ...                 "  - Conv2d: {out_channels: 8, kernel_size: 3, stride: 2, padding: '?'}")
    >>> solve_network(net, (32, 32)).lines()
    ['conv2d_1.padding such that the output is 32x32:', '  padding=1']
    """
    unknowns = _unknowns(network)
    if not unknowns:
        raise ShapeError(f"{network.name}: no argument is '?'; write the one to solve as '?'")
    names = [n.name for n in network.nodes]
    if at is not None and at not in names:
        raise ShapeError(f"{network.name}: no node named {at!r}")
    position = names.index(at) if at is not None else len(names) - 1
    bounds = {**DEFAULT_RANGES, **(ranges or {})}
    spans = [range(bounds.get(a, (1, 64))[0], bounds.get(a, (1, 64))[1] + 1) for _, a in unknowns]
    runs = prod(len(s) for s in spans)
    # Each combination runs the whole network: bound the total work, not just the count.
    limit = max(1, min(_MAX_RUNS, _MAX_WORK // max(1, len(network.nodes))))
    if runs > limit:
        raise ShapeError(
            f"{network.name}: {runs:,} combinations of the '?' arguments is too many (at most "
            f"{limit:,} for {len(network.nodes)} layers); narrow a range or fix an argument"
        )
    wanted = tuple(target)
    found: list[tuple[tuple[Any, ...], Shape]] = []
    reached: list[tuple[int, tuple[Any, ...], Shape]] = []
    for values in product(*spans):
        candidate = _with(network, dict(zip(unknowns, values, strict=True)))
        try:
            rows = summarize(candidate, input_shape).layer_rows()
        except ShapeError:
            continue
        shape = rows[position].output_shape
        if len(wanted) <= len(shape) and shape[len(shape) - len(wanted) :] == wanted:
            found.append((values, shape))
        elif len(shape) >= len(wanted):
            tail = shape[len(shape) - len(wanted) :]
            reached.append(
                (sum(abs(a - b) for a, b in zip(tail, wanted, strict=True)), values, shape)
            )
    reached.sort(key=lambda r: r[0])
    nearest = tuple((v, s) for d, v, s in reached if d == reached[0][0])[:3] if reached else ()
    labelled = tuple((names[i], a) for i, a in unknowns)
    return NetworkSolution(
        labelled, wanted, at or "the output", tuple(found), () if found else nearest
    )
