"""Which of a block's parameters only its own layers' arguments read.

A block used again with other values of such parameters only (EfficientNet's and ConvNeXt's
blocks differ in a stochastic-depth ``index`` alone) expands to the same entries, names and
wiring; only those layers' arguments differ. The loader copies the first expansion and works
out those arguments again, rather than expanding the block afresh.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ._blocks import _Block
from ._common import _Map
from ._expr import expression_of, names_read

__all__ = ["Leaves", "leaf_parameters"]

# The keys of an entry besides its layer type (the loader's _META).
_ENTRY_KEYS = ("id", "from", "repeat", "trainable", "train_only", "functional", "if", "share")


class Leaves:
    """A block's parameters that only its own layers' arguments read, and those entries."""

    __slots__ = ("entries", "params")

    def __init__(self, params: tuple[str, ...], entries: frozenset[int]) -> None:
        self.params = params  # in the block's order
        self.entries = entries  # id() of each entry whose arguments read one of them


_NONE = Leaves((), frozenset())


def leaf_parameters(block: _Block, layer_types: Collection[str]) -> Leaves:
    """The parameters of ``block`` read by nothing but the arguments of its own entries of a
    layer type named as such (not a block, a merge, Chunk or Split, nor a ``${...}`` type):
    not by another parameter's default, a check, an entry's ``if``, ``repeat`` or ``from``,
    nor a nested block's arguments. Their defaults are plain values, not ``${...}``."""
    structural: set[str] = set()
    read: set[str] = set()
    by_entry: dict[int, set[str]] = {}
    for default in block.params.values():
        if not _names(default, structural):
            return _NONE
    if block.checks is not None and not _names(block.checks, structural):
        return _NONE
    for entry in block.layers:
        kinds = [k for k in entry if k not in _ENTRY_KEYS] if isinstance(entry, _Map) else []
        if len(kinds) != 1 or kinds[0] not in layer_types:
            if not _names(entry, structural):
                return _NONE
            continue
        arguments: set[str] = set()
        meta = {k: v for k, v in entry.items() if k != kinds[0]}
        if not _names(entry[kinds[0]], arguments) or not _names(meta, structural):
            return _NONE
        by_entry[id(entry)] = arguments
        read |= arguments
    params = tuple(
        p
        for p, default in block.params.items()
        if p in read and p not in structural and _plain(default)
    )
    if not params:
        return _NONE
    return Leaves(params, frozenset(k for k, names in by_entry.items() if names & set(params)))


def _names(value: Any, into: set[str]) -> bool:
    """Add the names the ``${...}`` texts in ``value`` read to ``into``; False if one cannot
    be read."""
    if isinstance(value, str):
        expression = expression_of(value)
        if expression is None:
            return True
        found = names_read(expression)
        if found is None:
            return False
        into |= found
        return True
    if isinstance(value, dict):
        return all(_names(k, into) for k in value) and all(_names(v, into) for v in value.values())
    if isinstance(value, list):
        return all(_names(v, into) for v in value)
    return True


def _plain(value: Any) -> bool:
    """A value with no ``${...}`` and no mapping in it: the same wherever it is worked out."""
    if isinstance(value, str):
        return expression_of(value) is None
    if isinstance(value, list):
        return all(map(_plain, value))
    return not isinstance(value, dict)
