"""``padding: tf_same`` in a spec: TensorFlow's SAME padding for any stride, written out as the
PyTorch layers that compute it.

TensorFlow pads so that an axis of ``size`` gives ``ceil(size / stride)`` outputs, the extra
pixel after (see :mod:`convcalc.padding`). The reader works the padding out from the
incoming tensor's size and writes what PyTorch needs: the layer with a symmetric ``padding``
where TensorFlow's split is symmetric; otherwise a ``ZeroPad{n}d((left, right, top,
bottom))`` (``ConstantPad{n}d`` with ``-inf`` before max pooling) and the layer with
``padding=0``. PyTorch's own ``padding: same`` keeps its meaning (stride 1 only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ShapeError, SpecError
from ..layers import Layer

TF_SAME = "tf_same"
# The layers TensorFlow's SAME applies to here: convolutions and max pooling.
TF_TYPES = frozenset(f"{kind}{n}d" for kind in ("Conv", "MaxPool") for n in (1, 2, 3))


def uses_tf_same(
    kind: str,
    fields: Sequence[str],
    args: list[Any],
    kwargs: dict[str, Any],
    fail: Callable[[str], SpecError],
) -> bool:
    """Whether a layer's arguments (positional ``fields``) say ``padding: tf_same``; a
    padding word that is none of PyTorch's nor ``tf_same`` is refused with the choices."""
    index = fields.index("padding")
    value = kwargs.get("padding", args[index] if index < len(args) else None)
    if not isinstance(value, str) or value in ("same", "valid", "?"):  # ?: solve for it
        return False
    if value == TF_SAME:
        return True
    from ._common import _suggest

    if kind.startswith("Conv") and kind in TF_TYPES:
        choices: tuple[str, ...] = ("same", "valid", TF_SAME)
        words = ", 'same', 'valid' or 'tf_same' (TensorFlow's SAME)"
    elif kind in TF_TYPES:
        choices, words = (TF_SAME,), " or 'tf_same' (TensorFlow's SAME)"
    else:
        choices, words = (), ""
    raise fail(
        f"padding {value!r} is not a size; use an integer, a tuple{words}"
        + (_suggest(value, choices) if choices else "")
    )


def expand_tf_same(
    kind: str,
    fields: Sequence[str],
    args: list[Any],
    kwargs: dict[str, Any],
    shape: Callable[[], tuple[int, ...]],
    fail: Callable[[str], SpecError],
) -> tuple[Layer | None, list[Any], dict[str, Any]]:
    """The pad layer (or ``None``) and the layer's arguments with ``padding`` worked out for
    the incoming tensor's ``shape``."""
    if kind not in TF_TYPES:
        raise fail(
            f"padding 'tf_same' (TensorFlow's SAME) applies to Conv1d/2d/3d and "
            f"MaxPool1d/2d/3d, not {kind}"
        )
    # Arguments before 'padding' stay positional; 'padding' and the rest become keywords.
    index = fields.index("padding")
    named = {**dict(zip(fields[index:], args[index:], strict=False)), **kwargs}
    args = args[:index]
    given = {**dict(zip(fields, args, strict=False)), **named}
    if given.get("padding_mode", "zeros") != "zeros":
        raise fail(
            f"padding 'tf_same' pads with zeros, as TensorFlow does; drop padding_mode "
            f"{given['padding_mode']!r}"
        )
    nd = int(kind[-2])
    incoming = shape()
    if len(incoming) < nd + 1:
        raise fail(f"{kind} with padding 'tf_same' needs a {nd}-d input, got shape {incoming}")
    from ..padding import tf_padding_layers

    window = {key: given[key] for key in ("kernel_size", "stride", "dilation") if key in given}
    if window.get("stride", 0) is None:  # MaxPool's stride=None: the kernel size
        del window["stride"]
    try:
        pad, resolved, _ = tf_padding_layers(kind, incoming[-nd:], **window)
    except ShapeError as exc:
        raise fail(f"padding 'tf_same': {exc}") from None
    named["padding"] = resolved["padding"]
    return pad, args, named
