"""One frozen record class per ``torch.nn`` layer, named and called exactly like PyTorch's.

``Conv2d(64, 32, 3, groups=8)`` means what it means in PyTorch: the same class names, the
same positional order, keywords and defaults. Each layer answers, as PyTorch would see it:

* ``output_shape(input_shape)``: the output tensor's shape, or :class:`ShapeError` where
  PyTorch's ``forward`` would fail;
* ``param_count``: trainable parameters (``sum(p.numel() for p in m.parameters())``), with
  ``parameter_shapes``, ``weight_shape`` and ``bias_shape`` (``None`` where absent);
* ``buffer_shapes``: registered buffers (running statistics of norm layers);
* ``macs(input_shape)``: multiply-accumulates, under the convention stated in
  :mod:`convcalc.arithmetic`.

A ``Shape`` is ``tuple[int, ...]`` exactly as PyTorch sees the tensor: batched ``(N, C, H, W)``
or unbatched ``(C, H, W)`` where PyTorch accepts both. The output keeps the batchedness of the
input. Configurations PyTorch rejects in ``__init__`` raise :class:`ShapeError` at
construction; those it rejects in ``forward`` raise it from ``output_shape``.

The classes live in submodules by family (``conv``, ``pooling``, ``resampling``, ``dense``,
``normalization``, ``activation``, ``padding``) and load on first use, so a command that needs
one convolution does not pay for defining a hundred layer classes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .._record import record_fields as _record_fields
from ._base import IntOrTuple, Layer, PaddingMode, Shape, UpsampleMode, dims_text, pad_shape

if TYPE_CHECKING:
    from .activation import (
        CELU,
        ELU,
        GELU,
        GLU,
        SELU,
        AlphaDropout,
        Dropout,
        Dropout1d,
        Dropout2d,
        Dropout3d,
        FeatureAlphaDropout,
        Hardshrink,
        Hardsigmoid,
        Hardswish,
        Hardtanh,
        LeakyReLU,
        LogSigmoid,
        LogSoftmax,
        Mish,
        PReLU,
        ReLU,
        ReLU6,
        Sigmoid,
        SiLU,
        Softmax,
        Softmin,
        Softplus,
        Softshrink,
        Softsign,
        StochasticDepth,
        Tanh,
        Tanhshrink,
    )
    from .conv import (
        Conv1d,
        Conv2d,
        Conv3d,
        ConvTranspose1d,
        ConvTranspose2d,
        ConvTranspose3d,
    )
    from .dense import (
        ChannelShuffle,
        Flatten,
        Identity,
        Linear,
        Mean,
        Permute,
        Scale,
        Transpose,
        Unflatten,
    )
    from .normalization import (
        BatchNorm1d,
        BatchNorm2d,
        BatchNorm3d,
        FrozenBatchNorm2d,
        GroupNorm,
        InstanceNorm1d,
        InstanceNorm2d,
        InstanceNorm3d,
        LayerNorm,
        LayerNorm2d,
        LocalResponseNorm,
        RMSNorm,
    )
    from .padding import (
        CircularPad1d,
        CircularPad2d,
        CircularPad3d,
        ConstantPad1d,
        ConstantPad2d,
        ConstantPad3d,
        ReflectionPad1d,
        ReflectionPad2d,
        ReflectionPad3d,
        ReplicationPad1d,
        ReplicationPad2d,
        ReplicationPad3d,
        ZeroPad1d,
        ZeroPad2d,
        ZeroPad3d,
    )
    from .pooling import (
        AdaptiveAvgPool1d,
        AdaptiveAvgPool2d,
        AdaptiveAvgPool3d,
        AdaptiveMaxPool1d,
        AdaptiveMaxPool2d,
        AdaptiveMaxPool3d,
        AvgPool1d,
        AvgPool2d,
        AvgPool3d,
        LPPool1d,
        LPPool2d,
        LPPool3d,
        MaxPool1d,
        MaxPool2d,
        MaxPool3d,
        MaxUnpool1d,
        MaxUnpool2d,
        MaxUnpool3d,
    )
    from .resampling import (
        Fold,
        PixelShuffle,
        PixelUnshuffle,
        Unfold,
        Upsample,
        UpsamplingBilinear2d,
        UpsamplingNearest2d,
    )

_FAMILIES = {
    "pooling": (
        "AdaptiveAvgPool1d",
        "AdaptiveAvgPool2d",
        "AdaptiveAvgPool3d",
        "AdaptiveMaxPool1d",
        "AdaptiveMaxPool2d",
        "AdaptiveMaxPool3d",
        "AvgPool1d",
        "AvgPool2d",
        "AvgPool3d",
        "LPPool1d",
        "LPPool2d",
        "LPPool3d",
        "MaxPool1d",
        "MaxPool2d",
        "MaxPool3d",
        "MaxUnpool1d",
        "MaxUnpool2d",
        "MaxUnpool3d",
    ),
    "activation": (
        "AlphaDropout",
        "CELU",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "ELU",
        "FeatureAlphaDropout",
        "GELU",
        "GLU",
        "Hardshrink",
        "Hardsigmoid",
        "Hardswish",
        "Hardtanh",
        "LeakyReLU",
        "LogSigmoid",
        "LogSoftmax",
        "Mish",
        "PReLU",
        "ReLU",
        "ReLU6",
        "SELU",
        "SiLU",
        "Sigmoid",
        "Softmax",
        "Softmin",
        "Softplus",
        "Softshrink",
        "Softsign",
        "StochasticDepth",
        "Tanh",
        "Tanhshrink",
    ),
    "normalization": (
        "BatchNorm1d",
        "BatchNorm2d",
        "BatchNorm3d",
        "FrozenBatchNorm2d",
        "GroupNorm",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
        "LayerNorm",
        "LayerNorm2d",
        "LocalResponseNorm",
        "RMSNorm",
    ),
    "padding": (
        "CircularPad1d",
        "CircularPad2d",
        "CircularPad3d",
        "ConstantPad1d",
        "ConstantPad2d",
        "ConstantPad3d",
        "ReflectionPad1d",
        "ReflectionPad2d",
        "ReflectionPad3d",
        "ReplicationPad1d",
        "ReplicationPad2d",
        "ReplicationPad3d",
        "ZeroPad1d",
        "ZeroPad2d",
        "ZeroPad3d",
    ),
    "conv": (
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
    ),
    "dense": (
        "ChannelShuffle",
        "Flatten",
        "Identity",
        "Linear",
        "Mean",
        "Permute",
        "Scale",
        "Transpose",
        "Unflatten",
    ),
    "resampling": (
        "Fold",
        "PixelShuffle",
        "PixelUnshuffle",
        "Unfold",
        "Upsample",
        "UpsamplingBilinear2d",
        "UpsamplingNearest2d",
    ),
}
_HOME = {name: module for module, names in _FAMILIES.items() for name in names}

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "SELU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AlphaDropout",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "ChannelShuffle",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "FeatureAlphaDropout",
    "Flatten",
    "Fold",
    "FrozenBatchNorm2d",
    "GroupNorm",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "Identity",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "IntOrTuple",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "Layer",
    "LayerNorm",
    "LayerNorm2d",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "LogSigmoid",
    "LogSoftmax",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "Mean",
    "Mish",
    "PReLU",
    "PaddingMode",
    "Permute",
    "PixelShuffle",
    "PixelUnshuffle",
    "RMSNorm",
    "ReLU",
    "ReLU6",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "Scale",
    "Shape",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "StochasticDepth",
    "Tanh",
    "Tanhshrink",
    "Transpose",
    "Unflatten",
    "Unfold",
    "Upsample",
    "UpsampleMode",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "dims_text",
    "layer_fields",
    "layer_types",
    "pad_shape",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


_TYPES: dict[str, type[Layer]] = {}


def layer_types() -> dict[str, type[Layer]]:
    """Every public layer class by its PyTorch name (loads every family once)."""
    if not _TYPES:
        _TYPES.update(
            (name, cls)
            for name in _HOME
            if isinstance(cls := __getattr__(name), type) and issubclass(cls, Layer)
        )
    return _TYPES


def layer_fields(layer: Layer) -> dict[str, Any]:
    """A layer's constructor arguments, as stored (normalised to tuples)."""
    return _record_fields(layer)
