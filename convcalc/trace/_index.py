"""Basic indexing of the stand-in tensor: ints, slices, ``None`` and ``...``.

A tensor used as an index (a mask, a list of positions) stops the trace: a mask's result
depends on values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _shapes as S
from ._state import cannot, value_dependent

if TYPE_CHECKING:
    from ._tensor import Tensor


def index_shape(tensor: Tensor, index: Any) -> tuple[S.Shape, S.Strides]:
    from ._tensor import Tensor, fail

    items = list(index) if isinstance(index, tuple) else [index]
    for item in items:
        if isinstance(item, Tensor):
            if item.dtype.name == "bool":
                raise value_dependent("indexing with a boolean mask")
            raise cannot("indexing with a tensor of positions")
        if isinstance(item, (list, range)):
            raise cannot("indexing with a list of positions")
        if not (
            item is None
            or item is Ellipsis
            or isinstance(item, slice)
            or (isinstance(item, int) and not isinstance(item, bool))
            or hasattr(item, "__index__")
        ):
            raise cannot(f"indexing with {type(item).__name__}")
    used = sum(1 for i in items if i is not None and i is not Ellipsis)
    rank = len(tensor.shape)
    if items.count(Ellipsis) > 1:
        raise fail(
            "indexing",
            [tensor],
            S.ShapeFailure("an index can only have a single ellipsis ('...')", "IndexError"),
        )
    if used > rank:
        raise fail(
            "indexing",
            [tensor],
            S.ShapeFailure(f"too many indices for tensor of dimension {rank}", "IndexError"),
        )
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at : at + 1] = [slice(None)] * (rank - used)
    else:
        items += [slice(None)] * (rank - used)
    strides_in = tensor._strides
    shape: list[int] = []
    strides: list[int] | None = [] if strides_in is not None else None
    axis = 0
    for item in items:
        if item is None:
            shape.append(1)
            if strides is not None and strides_in is not None:
                strides.append(tensor.shape[axis] * strides_in[axis] if axis < rank else 1)
            continue
        size = tensor.shape[axis]
        if isinstance(item, slice):
            start, stop_, step = item.start, item.stop, item.step
            for part in (start, stop_, step):
                if isinstance(part, Tensor):
                    raise value_dependent("a slice bound taken from a tensor")
            if step is not None and step <= 0:
                raise fail(
                    "indexing",
                    [tensor],
                    S.ShapeFailure("step must be greater than zero", "ValueError"),
                )
            length = len(range(*slice(start, stop_, step).indices(size)))
            shape.append(length)
            if strides is not None and strides_in is not None:
                strides.append(strides_in[axis] * (step or 1))
        else:
            position = item if isinstance(item, int) else item.__index__()
            if not -size <= position < size:
                raise fail(
                    "indexing",
                    [tensor],
                    S.ShapeFailure(
                        f"index {position} is out of bounds for dimension {axis} with size {size}",
                        "IndexError",
                    ),
                )
        axis += 1
    return tuple(shape), (tuple(strides) if strides is not None else None)
