"""Why an input size fails, in one sentence, with the nearest sizes that work.

Uses the arithmetic of :mod:`convcalc.analysis.valid`: the network's sizes as functions of the
input size, taken at a size that works, then evaluated at the one that fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import ShapeError
from ..network import Network, summarize
from .valid import _IDENTITY, _NAMES, _axis_rule, _node_rows, _Size

__all__ = ["input_size_error"]


def input_size_error(
    network: Network, input_shape: Sequence[int], *, reference: Sequence[int] | None = None
) -> str | None:
    """Why ``input_shape`` fails, in one sentence with the nearest sizes that work, when the
    failure is an input size another size would fix (``None`` otherwise).

    The network's arithmetic is taken at ``reference`` (the spec's own input by default),
    which must work.

    >>> from convcalc.spec import load_spec_file
    >>> input_size_error(load_spec_file("unet"), (1, 3, 300, 300))
    'H = 300 fails at concat_1 (75 -> 37 -> 74 vs 75); 296 and 304 work'
    """
    shape = tuple(input_shape)
    try:
        summarize(network, shape)
    except ShapeError:
        pass
    else:
        return None
    try:
        network = network.at(reference)
        summary = summarize(network, reference)
    except ShapeError:
        return None
    rows = _node_rows(network, summary)
    shape0 = summary.input_shape
    if len(shape0) != len(shape):
        return None
    nd = max(1, min(3, len(shape) - 2))
    for a in range(nd):
        dim = len(shape) - nd + a
        rule, sizes, merges = _axis_rule(network, rows, shape0, dim, _NAMES[nd][a], 1024)
        h = shape[dim]
        if rule.method != "arithmetic" or rule.accepts(h):
            continue
        near = " and ".join(str(x) for x in rule.nearest(h))
        where = _failure(network, sizes, merges, h)
        works = f"; {near} work" if len(rule.nearest(h)) > 1 else f"; {near} works"
        return f"{rule.axis} = {h} fails{where}{works if near else ''}"
    return None


def _failure(network: Network, sizes: list[_Size | None], found: Any, h: int) -> str:
    """`` at NODE (a -> b -> c vs d)`` for the first merge whose branches differ at ``h``, or
    `` at NODE (input x)`` for the first layer that rejects its input, whichever comes first."""
    merges, checks = found
    for index, f, g in checks:
        x = f(h)
        if g.check(x) is None:
            if any(m[0] < index and _differs(sizes, m, h) for m in merges):
                break
            return f" at {network.nodes[index].name} (input {x})"
    for index, first, other in merges:
        f1, f2 = (
            sizes[first] if first >= 0 else _IDENTITY,
            sizes[other] if other >= 0 else _IDENTITY,
        )
        if f1 is None or f2 is None or f1(h) == f2(h) or 1 in (f1(h), f2(h)):
            continue
        target = f2(h)
        chain = [f1(h)]
        node = first
        while node >= 0:
            inputs = network.nodes[node].inputs
            if len(inputs) != 1:
                break
            node = inputs[0]
            f = _IDENTITY if node < 0 else sizes[node]
            if f is None:
                break
            value = f(h)
            if value != chain[-1]:
                chain.append(value)
            if value == target:
                break
        path = " -> ".join(str(v) for v in reversed(chain))
        return f" at {network.nodes[index].name} ({path} vs {target})"
    return ""


def _differs(sizes: list[_Size | None], merge: tuple[int, int, int], h: int) -> bool:
    _, first, other = merge
    f1 = sizes[first] if first >= 0 else _IDENTITY
    f2 = sizes[other] if other >= 0 else _IDENTITY
    return f1 is not None and f2 is not None and f1(h) != f2(h) and 1 not in (f1(h), f2(h))
