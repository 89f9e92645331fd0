"""Questions asked of a layer or a network: which arguments reach a size, TensorFlow's
padding in PyTorch, receptive fields, valid input sizes, and a network's arithmetic explained.

Standard library only, like the arithmetic it builds on.
"""

from __future__ import annotations

from ..padding import TFPadding, tf_padding, tf_padding_layers
from .derive import LayerWork, NetworkWork, explain_network
from .nearest import input_size_error
from .receptive import AxisField, NodeField, ReceptiveFields, field_of, receptive_field
from .solve import DEFAULT_RANGES, UNKNOWN, AxisSolution, Solution, SolveResult, solve
from .solve_net import NetworkSolution, solve_network
from .valid import AxisRule, Stage, ValidInputs, valid_inputs

__all__ = [
    "DEFAULT_RANGES",
    "UNKNOWN",
    "AxisField",
    "AxisRule",
    "AxisSolution",
    "LayerWork",
    "NetworkSolution",
    "NetworkWork",
    "NodeField",
    "ReceptiveFields",
    "Solution",
    "SolveResult",
    "Stage",
    "TFPadding",
    "ValidInputs",
    "explain_network",
    "field_of",
    "input_size_error",
    "receptive_field",
    "solve",
    "solve_network",
    "tf_padding",
    "tf_padding_layers",
    "valid_inputs",
]
