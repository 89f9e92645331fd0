"""Questions asked of a layer or a network: which arguments reach a size, TensorFlow's
padding in PyTorch, receptive fields, valid input sizes, and a network's arithmetic explained.

Standard library only, like the arithmetic it builds on.
"""

from __future__ import annotations

from .solve import DEFAULT_RANGES, UNKNOWN, AxisSolution, Solution, SolveResult, solve
from .tf import TFPadding, tf_padding, tf_padding_layers

__all__ = [
    "DEFAULT_RANGES",
    "UNKNOWN",
    "AxisSolution",
    "Solution",
    "SolveResult",
    "TFPadding",
    "solve",
    "tf_padding",
    "tf_padding_layers",
]
