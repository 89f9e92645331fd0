"""Warnings worked out with shapes: what a network accepts but probably does not mean.

Each check is cheap and runs while :func:`convcalc.network.summarize` propagates shapes:

- the short list form next to a plausible PyTorch reading: ``Conv2d: [1, 20, 5]`` on a
  1-channel input means out_channels=1, kernel_size=20, stride=5, while PyTorch's
  ``Conv2d(1, 20, 5)`` means in_channels=1, out_channels=20, kernel_size=5;
- a flag given a number (``bias: 500``), which PyTorch accepts and reads as true;
- ``Flatten`` (from dimension 1, as PyTorch's) on an input without a batch dimension;
- ``Linear`` straight after a convolution's feature map, without ``Flatten``.

A tensor's layout tag says whether it is a feature map, ``"batched"`` (N, C, *spatial) or
``"unbatched"`` (C, *spatial), as the last layer with a spatial rank saw it.
Standard library only.
"""

from __future__ import annotations

from math import prod
from typing import Any

from .layers import Layer, Shape, dims_text

__all__ = ["flag_numbers", "layout", "list_reading", "shape_advice"]

BATCHED = "batched"
UNBATCHED = "unbatched"

# Layers without a spatial rank in their name that keep a feature map a feature map.
_KEEPS_MAP = frozenset(
    {
        "Upsample",
        "PixelShuffle",
        "PixelUnshuffle",
        "ChannelShuffle",
        "LocalResponseNorm",
        "Chunk",
        "Split",
    }
)
_SPATIAL: dict[str, int] = {}
_BOOL_FIELDS: dict[type, tuple[str, ...]] = {}


def _spatial_rank(type_name: str) -> int:
    nd = _SPATIAL.get(type_name)
    if nd is None:
        nd = int(type_name[-2]) if type_name[-1:] == "d" and type_name[-2:-1].isdigit() else 0
        _SPATIAL[type_name] = nd
    return nd


def layout(type_name: str, shape: Shape, out: Shape, incoming: str | None) -> str | None:
    """The layout tag of a layer's output."""
    nd = _spatial_rank(type_name)
    if nd:
        if len(out) == nd + 2:
            return BATCHED
        return UNBATCHED if len(out) == nd + 1 else None
    if out == shape or (type_name in _KEEPS_MAP and len(out) == len(shape)):
        return incoming
    return None


def shape_advice(type_name: str, layer: Layer, shape: Shape, incoming: str | None) -> str | None:
    """A warning about ``Flatten`` or ``Linear`` on a feature map, if one applies."""
    if incoming is None:
        return None
    if type_name == "Flatten" and incoming == UNBATCHED and getattr(layer, "start_dim", 0) == 1:
        out = layer.output_shape(shape)
        batched = dims_text((1, *shape))
        return (
            f"Flatten starts at dimension 1, as PyTorch's does, but the {dims_text(shape)} "
            f"input has no batch dimension, so it gives {dims_text(out)}, not {prod(shape)}; "
            f"give the input a batch dimension ({batched}) or write Flatten: {{start_dim: 0}}"
        )
    if type_name == "Linear" and len(shape) >= 2:
        start = 1 if incoming == BATCHED else 0
        factors = shape[start:]
        return (
            f"Linear works on the last dimension ({shape[-1]} of {dims_text(shape)}); a "
            f"Flatten is probably missing before it (it would give {prod(factors)} = "
            f"{'×'.join(str(f) for f in factors)})"
        )
    return None


def _bool_fields(cls: type) -> tuple[str, ...]:
    known = _BOOL_FIELDS.get(cls)
    if known is None:
        annotations: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            annotations.update(getattr(klass, "__annotations__", {}))
        known = tuple(
            name
            for name in getattr(cls, "_record_fields", {})
            if str(annotations.get(name, "")) == "bool"
        )
        _BOOL_FIELDS[cls] = known
    return known


def flag_numbers(cls: type, given: dict[str, Any]) -> list[str]:
    """Warnings for true/false arguments given a number, as ``bias: 500``."""
    messages = []
    for name in _bool_fields(cls):
        value = given.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            reading = "true" if value else "false"
            messages.append(
                f"{cls.__name__}: {name} {value} is read as {reading}, as PyTorch reads any "
                f"{'nonzero ' if value else ''}number; write {name}: {reading}"
            )
    return messages


def _text(values: Any) -> str:
    return ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values)


def _implausible(type_name: str, args: tuple[Any, ...], at: int) -> bool:
    """Whether the short list reading of ``args`` is unlikely to be what was meant."""
    if type_name.startswith(("Conv", "ConvTranspose")):
        out, kernel = args[0], args[1] if len(args) > 1 else None
        return type(kernel) is int and type(out) is int and kernel > out
    if type_name == "Linear":
        return len(args) > 1 and type(args[1]) is int
    # Norms: the list reading makes the channel count an eps of 1 or more.
    return isinstance(args[at], (int, float)) and args[at] >= 1


def list_reading(
    type_name: str,
    cls: type,
    inferred: str,
    args: tuple[Any, ...],
    size: int,
    pytorch_builds: Any,
) -> str | None:
    """A warning giving both readings of a short list whose PyTorch reading is plausible.

    ``pytorch_builds(kwargs)`` says whether the layer builds with the PyTorch reading.
    """
    full = cls._record_positional  # type: ignore[attr-defined]
    at = full.index(inferred)
    if len(args) <= at or type(args[at]) is not int or args[at] != size:
        return None
    if not _implausible(type_name, args, at):
        return None
    pytorch = dict(zip(full, args, strict=False))
    if len(args) > len(full) or not pytorch_builds(pytorch):
        return None
    short = [name for name in full if name != inferred]
    ours = ", ".join(f"{k}={v!r}" for k, v in zip(short, args, strict=False))
    theirs = ", ".join(f"{k}={v!r}" for k, v in pytorch.items())
    rest = args[:at] + args[at + 1 :]
    short_form = f"{type_name}: [{_text(rest)}]" if rest else type_name
    return (
        f"{type_name}: [{_text(args)}] means {ours}, since {inferred} is inferred from the "
        f"incoming tensor; PyTorch's {type_name}({_text(args)}) means {theirs}: for that, "
        f"write {short_form} or - {type_name}({_text(args)})"
    )
