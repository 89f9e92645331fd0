"""Layers applied as functions: the PyTorch call that computes a layer type without a module.

A model's ``forward`` often applies operations that hold no parameters as functions, not as
modules: torchvision's DenseNet ends with ``F.relu``, ``F.adaptive_avg_pool2d`` and
``torch.flatten``, and Inception v3 pools with ``F.max_pool2d`` and ``F.avg_pool2d`` inside
its blocks. A spec entry marked ``functional: true`` is such a call. Its shapes, graph, MACs,
receptive field and valid inputs are the layer's; it is not a module, so it has no parameters,
no module row (torchinfo shows none, since a forward hook never sees it), and
``convcalc export`` writes the call in ``forward`` instead of a submodule.

:data:`FUNCTIONS` maps each layer type that has such a call to it. The call takes the layer's
own arguments by the same names, except where :class:`Function` says otherwise; a test runs
every entry under PyTorch against its module. Layers holding parameters or buffers (weights,
running statistics) have no entry: a function holds neither.

Stdlib only.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .layers import Layer, layer_fields

__all__ = ["FUNCTIONS", "Function", "call_source", "call_text", "functional_refusal"]


class Function(NamedTuple):
    """The call for one layer type: ``name(input, **arguments)``.

    ``defaults`` are the call's defaults that differ from the module's (``torch.flatten``
    starts at dimension 0, ``nn.Flatten`` at 1), so they are always written out; ``rename``
    maps a layer argument to the call's name for it; ``training`` passes
    ``training=self.training`` (the dropouts, which default to training otherwise).
    """

    name: str
    defaults: tuple[tuple[str, Any], ...] = ()
    rename: tuple[tuple[str, str], ...] = ()
    training: bool = False


def _table() -> dict[str, Function]:
    table: dict[str, Function] = {}
    for layer, call in (
        ("ReLU", "relu"),
        ("ReLU6", "relu6"),
        ("LeakyReLU", "leaky_relu"),
        ("ELU", "elu"),
        ("SELU", "selu"),
        ("CELU", "celu"),
        ("GELU", "gelu"),
        ("SiLU", "silu"),
        ("Mish", "mish"),
        ("Hardswish", "hardswish"),
        ("Hardsigmoid", "hardsigmoid"),
        ("Hardtanh", "hardtanh"),
        ("Hardshrink", "hardshrink"),
        ("Softshrink", "softshrink"),
        ("Tanhshrink", "tanhshrink"),
        ("Softsign", "softsign"),
        ("Softplus", "softplus"),
        ("LogSigmoid", "logsigmoid"),
        ("GLU", "glu"),
        ("Softmax", "softmax"),
        ("Softmin", "softmin"),
        ("LogSoftmax", "log_softmax"),
        ("PixelShuffle", "pixel_shuffle"),
        ("PixelUnshuffle", "pixel_unshuffle"),
        ("ChannelShuffle", "channel_shuffle"),
        ("LocalResponseNorm", "local_response_norm"),
        ("Fold", "fold"),
        ("Unfold", "unfold"),
        ("Upsample", "interpolate"),
    ):
        table[layer] = Function(f"F.{call}")
    table["Sigmoid"] = Function("torch.sigmoid")
    table["Tanh"] = Function("torch.tanh")
    table["Flatten"] = Function("torch.flatten", defaults=(("start_dim", 0),))
    for nd in (1, 2, 3):
        table[f"MaxPool{nd}d"] = Function(f"F.max_pool{nd}d")
        table[f"AvgPool{nd}d"] = Function(f"F.avg_pool{nd}d")
        table[f"LPPool{nd}d"] = Function(f"F.lp_pool{nd}d")
        table[f"AdaptiveAvgPool{nd}d"] = Function(f"F.adaptive_avg_pool{nd}d")
        table[f"AdaptiveMaxPool{nd}d"] = Function(f"F.adaptive_max_pool{nd}d")
        table[f"Dropout{nd}d"] = Function(f"F.dropout{nd}d", training=True)
        for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular"):
            table[f"{kind}Pad{nd}d"] = Function("F.pad", rename=(("padding", "pad"),))
    table["Dropout"] = Function("F.dropout", training=True)
    table["AlphaDropout"] = Function("F.alpha_dropout", training=True)
    table["FeatureAlphaDropout"] = Function("F.feature_alpha_dropout", training=True)
    return table


FUNCTIONS: dict[str, Function] = _table()


def functional_refusal(cls: type[Layer]) -> str | None:
    """Why a layer type cannot be applied as a function, or None if it can.

    >>> from convcalc.layers import Conv2d, MaxPool2d
    >>> functional_refusal(Conv2d).split(",")[0]
    'Conv2d holds parameters or buffers'
    >>> functional_refusal(MaxPool2d) is None
    True
    """
    name = cls.__name__
    if name in FUNCTIONS:
        return None
    if (
        cls.parameter_shapes is not Layer.parameter_shapes
        or cls.buffer_shapes is not Layer.buffer_shapes
    ):
        return (
            f"{name} holds parameters or buffers, which a function call has nowhere to keep: "
            "leave out 'functional: true' to make it a module (inside a block, the block's "
            "module may keep them)"
        )
    return None  # no call of its own (x.view as Unflatten): export makes the module in forward


def _pad_mode(layer: Layer) -> tuple[tuple[str, Any], ...]:
    mode = getattr(type(layer), "_mode", "constant")
    return () if mode == "constant" else (("mode", mode),)


def call_text(layer: Layer) -> str:
    """The call as a summary shows it: the layer's arguments as :func:`~convcalc.explain.describe`
    writes them, after the function's name.

    >>> from convcalc.layers import Flatten, MaxPool2d
    >>> call_text(MaxPool2d(3, stride=2)), call_text(Flatten())
    ('F.max_pool2d(3, stride=2)', 'torch.flatten(start_dim=1)')
    """
    from .explain import describe

    function = FUNCTIONS[type(layer).__name__]
    text = describe(layer)
    arguments = [text[text.index("(") + 1 : -1]] if not text.endswith("()") else []
    values = layer_fields(layer)
    for name, default in function.defaults:
        if values[name] != default and f"{name}=" not in text:
            arguments.append(f"{name}={values[name]!r}")
    arguments += [f"{k}={v!r}" for k, v in _pad_mode(layer)]
    return f"{function.name}({', '.join(arguments)})"


def call_source(layer: Layer, operand: str, literal: Any = repr) -> str:
    """The call as ``forward`` writes it, every argument by name, ``literal`` writing values.

    >>> from convcalc.layers import Dropout
    >>> call_source(Dropout(0.2), "x")
    'F.dropout(x, p=0.2, inplace=False, training=self.training)'
    """
    function = FUNCTIONS[type(layer).__name__]
    rename = dict(function.rename)
    arguments = [f"{rename.get(k, k)}={literal(v)}" for k, v in layer_fields(layer).items()]
    arguments += [f"{k}={literal(v)}" for k, v in _pad_mode(layer)]
    if function.training:
        arguments.append("training=self.training")
    return f"{function.name}({', '.join([operand, *arguments])})"
