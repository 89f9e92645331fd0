"""TensorFlow's ``'SAME'`` and ``'VALID'`` padding, for any stride, and how to write it in PyTorch.

TensorFlow pads each axis so that the output has ``ceil(size / stride)`` positions
(``'SAME'``) or pads nothing (``'VALID'``, ``ceil((size - span + 1) / stride)`` positions):

    total  = max((ceil(size/stride) - 1)*stride + dilation*(kernel - 1) + 1 - size, 0)
    before = total // 2;   after = total - before      (the extra pixel goes after)

PyTorch's ``padding='same'`` exists only for stride 1, and a convolution's ``padding`` is
symmetric. Where TensorFlow's split is symmetric, ``padding=before`` says it all; where it is
not, PyTorch needs an explicit pad first: ``nn.ZeroPad2d((left, right, top, bottom))`` (or
``F.pad(x, (left, right, top, bottom))``), then the convolution with ``padding=0``.

Layer arithmetic (stdlib only): the spec reader writes ``padding: tf_same`` with it, and
:mod:`convcalc.analysis` (``convcalc solve --padding same``) re-exports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._record import Record
from .errors import ShapeError
from .layers import Layer, dims_text, layer_types

__all__ = ["TFPadding", "tf_padding", "tf_padding_layers"]


class TFPadding(Record):
    """TensorFlow's padding of one layer, per spatial axis, and its PyTorch spelling."""

    mode: str
    input_size: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]  # (before, after) per spatial axis, first axis first
    output_size: tuple[int, ...]

    @property
    def symmetric(self) -> bool:
        return all(before == after for before, after in self.pads)

    @property
    def torch_pad(self) -> tuple[int, ...]:
        """The pads in ``F.pad`` / ``ZeroPad2d`` order: last axis first, (before, after)."""
        return tuple(value for pair in reversed(self.pads) for value in pair)

    def pytorch(self, conv: str = "the convolution") -> str:
        """How to write it in PyTorch, in one line."""
        if self.symmetric:
            padding = (
                self.pads[0][0]
                if len({p for p, _ in self.pads}) == 1
                else tuple(p for p, _ in self.pads)
            )
            return f"{conv} with padding={padding}"
        nd = len(self.pads)
        return (
            f"nn.ZeroPad{nd}d({self.torch_pad}) (or F.pad(x, {self.torch_pad})), then {conv} "
            "with padding=0"
        )

    def lines(self) -> list[str]:
        """Plain text: each axis's padding and size, then the PyTorch spelling."""
        out = []
        for i, ((before, after), size, result) in enumerate(
            zip(self.pads, self.input_size, self.output_size, strict=True)
        ):
            split = "symmetric" if before == after else "asymmetric: the extra pixel goes after"
            out.append(
                f"axis {i}: TF {self.mode.upper()} pads {before} before and {after} after "
                f"({split}); {size} -> {result}"
            )
        out.append(f"PyTorch: {self.pytorch()}")
        return out


def tf_padding(
    input_size: int | Sequence[int],
    kernel_size: int | Sequence[int],
    *,
    stride: int | Sequence[int] = 1,
    dilation: int | Sequence[int] = 1,
    mode: str = "same",
) -> TFPadding:
    """TensorFlow's padding for ``mode`` ``'same'`` or ``'valid'``, per spatial axis.

    >>> tf_padding(5, 2, stride=2).pads
    ((0, 1),)
    >>> tf_padding((6, 6), 5, stride=2).pads, tf_padding((6, 6), 5, stride=2).output_size
    (((1, 2), (1, 2)), (3, 3))
    >>> tf_padding(224, 3, stride=2).pads
    ((0, 1),)
    """
    mode = mode.lower()
    if mode not in ("same", "valid"):
        raise ShapeError(f"TensorFlow padding {mode!r} is not 'same' or 'valid'")
    sizes = (input_size,) if isinstance(input_size, int) else tuple(input_size)
    nd = len(sizes)
    kernel, strides, dilations = (
        _axes(value, nd, name)
        for value, name in (
            (kernel_size, "kernel_size"),
            (stride, "stride"),
            (dilation, "dilation"),
        )
    )
    pads = []
    outs = []
    for size, k, s, d in zip(sizes, kernel, strides, dilations, strict=True):
        for name, value in (
            ("input size", size),
            ("kernel_size", k),
            ("stride", s),
            ("dilation", d),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ShapeError(
                    f"TF {mode.upper()} padding: {name} must be a positive integer, got {value!r}"
                )
        span = d * (k - 1) + 1
        if mode == "same":
            out = -(-size // s)
            total = max((out - 1) * s + span - size, 0)
            pads.append((total // 2, total - total // 2))
        else:
            if size < span:
                raise ShapeError(
                    f"TF VALID padding: input size {size} is smaller than the dilated kernel "
                    f"{span}; use SAME padding or a smaller kernel"
                )
            out = -(-(size - span + 1) // s)
            pads.append((0, 0))
        outs.append(out)
    return TFPadding(mode, sizes, tuple(pads), tuple(outs))


def _axes(value: int | Sequence[int], nd: int, name: str) -> tuple[int, ...]:
    values = (value,) * nd if isinstance(value, int) else tuple(value)
    if len(values) == 1:
        values *= nd
    if len(values) != nd:
        raise ShapeError(f"TF padding: {name} has {len(values)} values for {nd} axes")
    return values


def tf_padding_layers(
    layer_type: str,
    input_size: Sequence[int],
    *,
    mode: str = "same",
    **arguments: Any,
) -> tuple[Layer | None, dict[str, Any], TFPadding]:
    """The PyTorch layers for a TensorFlow-padded convolution or max pooling on an input of
    ``input_size`` (spatial sizes): a pad layer (``None`` when TensorFlow's split is
    symmetric), the layer's arguments with ``padding`` filled in, and the padding itself.

    A convolution gets ``ZeroPad{n}d``; max pooling ``ConstantPad{n}d`` with ``-inf``, the
    value TensorFlow's max pooling pads with (any value under the data gives the same result).

    >>> pad, conv, plan = tf_padding_layers("Conv2d", (6, 6), kernel_size=5, stride=2)
    >>> pad, conv["padding"]
    (ZeroPad2d(padding=(1, 2, 1, 2)), 0)
    """
    nd = len(input_size)
    kind = layer_type[:-2]
    if kind not in ("Conv", "MaxPool") or layer_type[-2:] != f"{nd}d":
        raise ShapeError(
            f"TF padding applies here to Conv{nd}d or MaxPool{nd}d on a {nd}-d input, "
            f"not {layer_type}"
        )
    if "padding" in arguments:
        raise ShapeError(f"{layer_type}: give the TF mode instead of padding")
    kernel = arguments.get("kernel_size")
    if kernel is None:
        raise ShapeError(f"{layer_type}: TF padding needs kernel_size")
    stride = arguments.get("stride", 1 if kind == "Conv" else kernel)
    plan = tf_padding(
        input_size, kernel, stride=stride, dilation=arguments.get("dilation", 1), mode=mode
    )
    resolved = dict(arguments)
    before = tuple(p for p, _ in plan.pads)
    # PyTorch's pooling pads at most half the kernel; beyond that, pad explicitly.
    fits = kind == "Conv" or all(
        2 * p <= k for p, k in zip(before, _axes(kernel, nd, "kernel_size"), strict=True)
    )
    if plan.symmetric and fits:
        resolved["padding"] = before[0] if len(set(before)) == 1 else before
        return None, resolved, plan
    resolved["padding"] = 0
    types = layer_types()
    if kind == "Conv":
        pad = types[f"ZeroPad{nd}d"](plan.torch_pad)
    else:
        pad = types[f"ConstantPad{nd}d"](plan.torch_pad, float("-inf"))
    if plan.output_size != _check(layer_type, input_size, pad, resolved):
        raise AssertionError("TF padding and its PyTorch spelling disagree")  # pragma: no cover
    return pad, resolved, plan


def _check(
    layer_type: str, input_size: Sequence[int], pad: Layer, arguments: dict[str, Any]
) -> tuple[int, ...]:
    """Run the pad and the layer (one channel) and return the output's spatial size."""
    shape = pad.output_shape((1, 1, *input_size))
    cls = layer_types()[layer_type]
    layer = cls(1, 1, **arguments) if layer_type.startswith("Conv") else cls(**arguments)
    out = layer.output_shape(shape)
    if len(out) != len(shape):
        raise ShapeError(f"{layer_type}: unexpected output {dims_text(out)}")  # pragma: no cover
    return tuple(out[2:])
