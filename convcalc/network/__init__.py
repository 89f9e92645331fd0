"""Networks as graphs of layers, and the per-layer summary of shapes, parameters and MACs.

A :class:`Network` is a list of :class:`Node` s in order; each node takes its input from
earlier nodes (the previous one by default) or from the network's input. A node's operation
is a layer (:mod:`convcalc.layers`), a :class:`LayerSpec` whose first size argument
(``in_channels``, ``in_features``, ``num_features``, ...) is inferred from the incoming tensor
as PyTorch's lazy modules do, or a merge: :class:`Add`, :class:`Mul` (PyTorch broadcasting) or
:class:`Concat`.

``summarize(network, input_shape)`` propagates the shape through the graph without any
tensor and returns a :class:`Summary`: one row per layer (and per block, for the tree view)
plus totals. Build networks in Python with :func:`sequential` or :class:`NetworkBuilder`, or
from YAML with :func:`convcalc.spec.load_spec`.
"""

from __future__ import annotations

from ._graph import INPUT as INPUT
from ._graph import (
    LayerSpec,
    Mode,
    Network,
    NetworkBuilder,
    Node,
    SpecWarning,
    sequential,
)
from ._graph import _inferred_field as _inferred_field
from ._graph import _list_fields as _list_fields
from ._ops import MERGES as MERGES
from ._ops import PIECES as PIECES
from ._ops import Add, Chunk, Concat, Mul, Split
from ._ops import _Merge as _Merge
from ._ops import _Op as _Op
from ._ops import _Piece as _Piece
from ._summary import Row, Summary, Totals, dtype_size, summarize
from ._summary import _functional_blocks as _functional_blocks
from ._summary import _summarize as _summarize
from ._work import ShapeTracker

__all__ = [
    "Add",
    "Chunk",
    "Concat",
    "LayerSpec",
    "Mode",
    "Mul",
    "Network",
    "NetworkBuilder",
    "Node",
    "Row",
    "ShapeTracker",
    "SpecWarning",
    "Split",
    "Summary",
    "Totals",
    "dtype_size",
    "sequential",
    "summarize",
]
