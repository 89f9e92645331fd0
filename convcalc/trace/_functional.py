"""``torch.nn.functional``: each layer's functional twin, with PyTorch's signatures.

The weight-taking functions (``conv2d``, ``linear``, ``batch_norm``) build the convcalc layer
from the weight's shape; the others build it from their arguments. Both then apply it exactly
as the module would.
"""

from __future__ import annotations

from typing import Any

from ..errors import ShapeError
from ..layers import pad_shape
from . import _shapes as S
from ._layers import apply_layer, build_layer
from ._state import cannot, here, stop
from ._tensor import Tensor, describe, fail
from .messages import PyTorchError

__all__ = ["FUNCTIONS"]


def _tensor(value: Any, op: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise stop(
            PyTorchError(
                op, [], f"{op}(): argument 'input' must be Tensor, not {type(value).__name__}"
            )
        )
    return value


def _layer(name: str, op: str, x: Any, *args: Any, **kwargs: Any) -> Any:
    x = _tensor(x, op)
    return apply_layer(build_layer(name, args, kwargs), x, op=op)


def _conv(nd: int, transposed: bool) -> Any:
    kind = f"ConvTranspose{nd}d" if transposed else f"Conv{nd}d"
    op = f"F.conv_transpose{nd}d" if transposed else f"F.conv{nd}d"

    def conv(
        input: Any,
        weight: Any,
        bias: Any = None,
        stride: Any = 1,
        padding: Any = 0,
        *rest: Any,
        **kwargs: Any,
    ) -> Any:
        x = _tensor(input, op)
        w = tuple(_tensor(weight, op).shape)
        if transposed:
            output_padding, groups, dilation = (list(rest) + [0, 1, 1][len(rest) :])[:3]
            output_padding = kwargs.get("output_padding", output_padding)
            groups = kwargs.get("groups", groups)
            dilation = kwargs.get("dilation", dilation)
            fields = {
                "in_channels": w[0],
                "out_channels": w[1] * groups,
                "kernel_size": w[2:],
                "stride": stride,
                "padding": padding,
                "output_padding": output_padding,
                "groups": groups,
                "bias": bias is not None,
                "dilation": dilation,
            }
        else:
            dilation, groups = (list(rest) + [1, 1][len(rest) :])[:2]
            dilation = kwargs.get("dilation", dilation)
            groups = kwargs.get("groups", groups)
            if len(w) != nd + 2:
                raise stop(
                    PyTorchError(
                        op,
                        [describe(weight)],
                        f"weight should have {nd + 2} dimensions, got {len(w)}",
                    )
                )
            fields = {
                "in_channels": w[1] * groups,
                "out_channels": w[0],
                "kernel_size": w[2:],
                "stride": stride,
                "padding": padding,
                "dilation": dilation,
                "groups": groups,
                "bias": bias is not None,
            }
        layer = build_layer(kind, (), fields)
        return apply_layer(layer, x, op=op)

    return conv


def linear(input: Any, weight: Any, bias: Any = None) -> Any:
    x = _tensor(input, "F.linear")
    w = tuple(_tensor(weight, "F.linear").shape)
    if len(w) != 2:
        raise cannot("F.linear with a weight that is not 2-d")
    layer = build_layer("Linear", (w[1], w[0]), {"bias": bias is not None})
    return apply_layer(layer, x, op="F.linear")


def _pool(name: str, op: str, order: tuple[str, ...]) -> Any:
    def pool(input: Any, *args: Any, **kwargs: Any) -> Any:
        values = dict(zip(order, args, strict=False))
        values.update(kwargs)
        return _layer(name, op, input, **values)

    return pool


def _same_shape(op: str) -> Any:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        x = _tensor(input, op)
        return Tensor(
            x.shape, strides=x._strides if S.dense(x.shape, x._strides) else True, origin=x.origin
        )

    return function


def softmax(input: Any, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Any:
    x = _tensor(input, "F.softmax")
    if dim is None:
        raise cannot("softmax without dim (PyTorch picks one with a deprecation warning)")
    return x.softmax(dim)


def batch_norm(
    input: Any,
    running_mean: Any,
    running_var: Any,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Any:
    x = _tensor(input, "F.batch_norm")
    channels = x.shape[1] if len(x.shape) > 1 else None
    for name, value in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if isinstance(value, Tensor) and channels is not None and value.numel() != channels:
            raise stop(
                PyTorchError(
                    "F.batch_norm",
                    [describe(x)],
                    f"{name} should contain {channels} elements not {value.numel()}",
                )
            )
    return Tensor(x.shape, origin=here("the batch_norm"))


def layer_norm(
    input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> Any:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return _layer("LayerNorm", "F.layer_norm", input, shape)


def group_norm(
    input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> Any:
    x = _tensor(input, "F.group_norm")
    channels = x.shape[1] if len(x.shape) > 1 else 0
    return _layer("GroupNorm", "F.group_norm", x, num_groups, channels, affine=weight is not None)


def interpolate(
    input: Any,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: Any = None,
    recompute_scale_factor: Any = None,
    antialias: bool = False,
) -> Any:
    x = _tensor(input, "F.interpolate")
    if recompute_scale_factor is not None and recompute_scale_factor:
        raise cannot("interpolate with recompute_scale_factor=True")
    if isinstance(size, Tensor) or isinstance(scale_factor, Tensor):
        raise cannot("interpolate with sizes held in a tensor")
    if isinstance(size, list):
        size = tuple(size)
    if isinstance(scale_factor, list):
        scale_factor = tuple(scale_factor)
    return _layer("Upsample", "F.interpolate", x, size, scale_factor, mode, align_corners)


def pad(input: Any, pad: Any, mode: str = "constant", value: Any = None) -> Any:
    x = _tensor(input, "F.pad")
    try:
        out = pad_shape(tuple(x.shape), tuple(pad), mode, "F.pad")
    except ShapeError as exc:
        raise fail("F.pad", [x], S.ShapeFailure(str(exc))) from None
    return Tensor(out, origin=here("the pad"))


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    if not 0 <= p <= 1:
        raise stop(
            PyTorchError(
                "F.dropout", [], f"dropout probability has to be between 0 and 1, but got {p}"
            )
        )
    x = _tensor(input, "F.dropout")
    return Tensor(
        x.shape, strides=x._strides if S.dense(x.shape, x._strides) else True, origin=x.origin
    )


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None) -> Any:
    x = _tensor(input, "F.normalize")
    x._dim(dim, "normalize")
    return Tensor(x.shape, origin=x.origin)


FUNCTIONS: dict[str, Any] = {
    "conv1d": _conv(1, False),
    "conv2d": _conv(2, False),
    "conv3d": _conv(3, False),
    "conv_transpose1d": _conv(1, True),
    "conv_transpose2d": _conv(2, True),
    "conv_transpose3d": _conv(3, True),
    "linear": linear,
    "softmax": softmax,
    "log_softmax": softmax,
    "softmin": softmax,
    "batch_norm": batch_norm,
    "layer_norm": layer_norm,
    "group_norm": group_norm,
    "interpolate": interpolate,
    "upsample": interpolate,
    "pad": pad,
    "dropout": dropout,
    "normalize": normalize,
    "pixel_shuffle": lambda input, upscale_factor: _layer(
        "PixelShuffle", "F.pixel_shuffle", input, upscale_factor
    ),
    "pixel_unshuffle": lambda input, downscale_factor: _layer(
        "PixelUnshuffle", "F.pixel_unshuffle", input, downscale_factor
    ),
    "unfold": _pool("Unfold", "F.unfold", ("kernel_size", "dilation", "padding", "stride")),
    "fold": _pool(
        "Fold", "F.fold", ("output_size", "kernel_size", "dilation", "padding", "stride")
    ),
}
for _nd in (1, 2, 3):
    FUNCTIONS[f"max_pool{_nd}d"] = _pool(
        f"MaxPool{_nd}d",
        f"F.max_pool{_nd}d",
        ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
    )
    FUNCTIONS[f"avg_pool{_nd}d"] = _pool(
        f"AvgPool{_nd}d",
        f"F.avg_pool{_nd}d",
        ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
    )
    FUNCTIONS[f"adaptive_avg_pool{_nd}d"] = _pool(
        f"AdaptiveAvgPool{_nd}d", f"F.adaptive_avg_pool{_nd}d", ("output_size",)
    )
    FUNCTIONS[f"adaptive_max_pool{_nd}d"] = _pool(
        f"AdaptiveMaxPool{_nd}d", f"F.adaptive_max_pool{_nd}d", ("output_size", "return_indices")
    )
    FUNCTIONS[f"dropout{_nd}d"] = dropout
    FUNCTIONS[f"lp_pool{_nd}d"] = _pool(
        f"LPPool{_nd}d", f"F.lp_pool{_nd}d", ("norm_type", "kernel_size", "stride", "ceil_mode")
    )
for _name in [
    "relu",
    "relu6",
    "relu_",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "mish",
    "leaky_relu",
    "leaky_relu_",
    "hardswish",
    "hardsigmoid",
    "hardtanh",
    "hardtanh_",
    "sigmoid",
    "tanh",
    "softplus",
    "softsign",
    "tanhshrink",
    "logsigmoid",
    "prelu",
    "rrelu",
    "alpha_dropout",
    "feature_alpha_dropout",
    "hardshrink",
    "softshrink",
    "threshold",
    "elu_",
    "local_response_norm",
    "instance_norm",
]:
    FUNCTIONS[_name] = _same_shape(f"F.{_name}")
