"""convcalc: exact PyTorch shape, parameter and MAC arithmetic for CNN layers, without PyTorch."""

from __future__ import annotations

from .arithmetic import (
    adaptive_pool_window,
    conv_output_size,
    conv_param_count,
    conv_transpose_output_size,
    conv_transpose_param_count,
    flops,
    interpolate_output_size,
    output_padding_for,
    output_padding_range,
    pool_output_size,
    same_padding,
    unpool_output_size,
)
from .errors import ConvCalcError, ShapeError, SpecError
from .layers import *  # noqa: F403  (the layer classes, listed in layers.__all__)
from .layers import __all__ as _layer_names

__version__ = "0.1.0"

__all__ = sorted(
    [
        "ConvCalcError",
        "ShapeError",
        "SpecError",
        "__version__",
        "adaptive_pool_window",
        "conv_output_size",
        "conv_param_count",
        "conv_transpose_output_size",
        "conv_transpose_param_count",
        "flops",
        "interpolate_output_size",
        "output_padding_for",
        "output_padding_range",
        "pool_output_size",
        "same_padding",
        "unpool_output_size",
        *_layer_names,
    ]
)
