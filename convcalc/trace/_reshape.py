"""Reshaping and splitting methods of the stand-in tensor (``view``, ``permute``, ``chunk``,
...), with PyTorch's layout rules: a ``view`` that would need a copy fails as in PyTorch."""

from __future__ import annotations

from collections.abc import Sequence
from math import prod
from typing import TYPE_CHECKING, Any

from . import _shapes as S
from ._operands import fail
from ._state import cannot, here

if TYPE_CHECKING:
    from ._state import Origin
    from ._tensor import Size, Tensor
    from ._tensor import dtype as DType

__all__ = ["Reshaping"]


class Reshaping:
    """Methods that change a tensor's shape or split it, mixed into ``Tensor``."""

    __slots__ = ()

    if TYPE_CHECKING:
        shape: Size
        _strides: S.Strides
        origin: Origin | None
        dtype: DType

        def numel(self) -> int: ...

        def _dim(self, dim: object, op: str) -> int: ...

        def _like(
            self,
            shape: Sequence[int],
            what: str = "",
            *,
            strides: S.Strides | bool = True,
            dtype: DType | None = None,
            factors: tuple[int, ...] = (),
        ) -> Tensor: ...

    def _new_shape(self, args: tuple[Any, ...], op: str) -> S.Shape:
        sizes = S.sizes_arg(args, op)
        try:
            return S.infer_size(sizes, self.numel())
        except S.ShapeFailure as exc:
            raise fail(
                f"{op}({', '.join(map(str, sizes))})", [self], exc, _view_fix(self, op, sizes)
            ) from None

    def view(self, *args: Any) -> Tensor:
        if len(args) == 1 and (isinstance(args[0], str) or hasattr(args[0], "itemsize")):
            raise cannot("view as another dtype")
        new = self._new_shape(args, "view")
        strides = S.view_strides(self.shape, self._strides, new)
        if strides is None:
            raise fail(
                f"view({', '.join(map(str, new))})",
                [self],
                S.ShapeFailure(
                    "view size is not compatible with input tensor's size and stride (at least "
                    "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                    "instead."
                ),
                "use reshape, or call .contiguous() before the view",
            )
        return self._like(new, "the view", strides=strides, factors=_merged(self.shape, new))

    def reshape(self, *args: Any) -> Tensor:
        new = self._new_shape(args, "reshape")
        # A view where one exists, else a contiguous copy; an unknown layout stays unknown.
        strides: S.Strides | bool = None
        if self._strides is not None:
            strides = S.view_strides(self.shape, self._strides, new) or True
        return self._like(new, "the reshape", strides=strides, factors=_merged(self.shape, new))

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if not self.shape:
            return self.reshape(1)
        start = self._dim(start_dim, "flatten")
        end = self._dim(end_dim, "flatten")
        if start > end:
            raise fail(
                "flatten",
                [self],
                S.ShapeFailure("flatten() has invalid args: start_dim cannot come after end_dim"),
            )
        new = (*self.shape[:start], prod(self.shape[start : end + 1]), *self.shape[end + 1 :])
        out = self.reshape(new)
        out.origin = here("the flatten", tuple(self.shape[start : end + 1]))
        return out

    def unflatten(self, dim: int, sizes: Sequence[int]) -> Tensor:
        d = self._dim(dim, "unflatten")
        inner = S.infer_size(tuple(sizes), self.shape[d]) if sizes else ()
        return self.reshape((*self.shape[:d], *inner, *self.shape[d + 1 :]))

    def permute(self, *dims: Any) -> Tensor:
        order = S.sizes_arg(dims, "permute")
        if len(order) != len(self.shape):
            raise fail(
                f"permute{order}",
                [self],
                S.ShapeFailure(
                    f"permute(sparse_coo): number of dimensions in the tensor input does not "
                    f"match the length of the desired ordering of dimensions i.e. input.dim() = "
                    f"{len(self.shape)} is not equal to len(dims) = {len(order)}"
                ),
            )
        wrapped = [self._dim(d, "permute") for d in order]
        if len(set(wrapped)) != len(wrapped):
            raise fail(
                f"permute{order}",
                [self],
                S.ShapeFailure("permute(): duplicate dims are not allowed."),
            )
        strides = None if self._strides is None else tuple(self._strides[d] for d in wrapped)
        return self._like([self.shape[d] for d in wrapped], "the permute", strides=strides)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        a, b = self._dim(dim0, "transpose"), self._dim(dim1, "transpose")
        order = list(range(len(self.shape)))
        order[a], order[b] = order[b], order[a]
        return self.permute(order) if self.shape else self._like(self.shape, strides=self._strides)

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        if len(self.shape) > 2:
            raise fail(
                "t()",
                [self],
                S.ShapeFailure(
                    f"t() expects a tensor with <= 2 dimensions, but self is {len(self.shape)}D"
                ),
            )
        return (
            self.transpose(0, 1)
            if len(self.shape) == 2
            else self._like(self.shape, strides=self._strides)
        )

    @property
    def T(self) -> Tensor:
        return self.permute(list(range(len(self.shape) - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def squeeze(self, dim: Any = None) -> Tensor:
        if dim is None:
            keep = [i for i, s in enumerate(self.shape) if s != 1]
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            drop = {self._dim(d, "squeeze") for d in dims}
            keep = [i for i, s in enumerate(self.shape) if not (i in drop and s == 1)]
        strides = None if self._strides is None else tuple(self._strides[i] for i in keep)
        return self._like([self.shape[i] for i in keep], strides=strides)

    def unsqueeze(self, dim: int) -> Tensor:
        try:
            d = S.norm_dim(dim, len(self.shape) + 1)
        except S.ShapeFailure as exc:
            raise fail(f"unsqueeze({dim})", [self], exc) from None
        shape = list(self.shape)
        shape.insert(d, 1)
        strides = None
        if self._strides is not None:
            new = list(self._strides)
            new.insert(d, 1 if d >= len(self.shape) else self.shape[d] * self._strides[d])
            strides = tuple(new)
        return self._like(shape, strides=strides)

    def expand(self, *sizes: Any) -> Tensor:
        wanted = S.sizes_arg(sizes, "expand")
        if len(wanted) < len(self.shape):
            raise fail(
                f"expand{wanted}",
                [self],
                S.ShapeFailure(
                    f"expand({self.dtype!r}{{{list(self.shape)}}}, size={list(wanted)}): the "
                    f"number of sizes provided ({len(wanted)}) must be greater or equal to the "
                    f"number of dimensions in the tensor ({len(self.shape)})"
                ),
            )
        offset = len(wanted) - len(self.shape)
        shape = []
        for i, size in enumerate(wanted):
            own = self.shape[i - offset] if i >= offset else 1
            if size == -1:
                if i < offset:
                    raise fail(
                        "expand",
                        [self],
                        S.ShapeFailure(
                            "The expanded size of the tensor (-1) isn't allowed in a leading, "
                            "non-existing dimension 0"
                        ),
                    )
                size = own
            elif own != 1 and own != size:
                raise fail(
                    f"expand{wanted}",
                    [self],
                    S.ShapeFailure(
                        f"The expanded size of the tensor ({size}) must match the existing size "
                        f"({own}) at non-singleton dimension {i}.  Target sizes: {list(wanted)}.  "
                        f"Tensor sizes: {list(self.shape)}"
                    ),
                )
            shape.append(size)
        strides: S.Strides = None
        if self._strides is not None:
            # An expanded dimension (new, or of size 1) repeats one element: stride 0.
            strides = tuple(
                self._strides[i - offset]
                if i >= offset and shape[i] == self.shape[i - offset]
                else 0
                for i in range(len(shape))
            )
        return self._like(shape, strides=strides)

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def repeat(self, *sizes: Any) -> Tensor:
        reps = S.sizes_arg(sizes, "repeat")
        if len(reps) < len(self.shape):
            raise fail(
                "repeat",
                [self],
                S.ShapeFailure(
                    "Number of dimensions of repeat dims can not be smaller than number of "
                    "dimensions of tensor"
                ),
            )
        own = (1,) * (len(reps) - len(self.shape)) + tuple(self.shape)
        return self._like([a * b for a, b in zip(own, reps, strict=True)], "the repeat")

    # -- splitting -------------------------------------------------------------------------

    def _pieces(self, d: int, sizes: list[int]) -> tuple[Tensor, ...]:
        out = []
        for size in sizes:
            shape = list(self.shape)
            shape[d] = size
            out.append(self._like(shape, "the split", strides=self._strides))
        return tuple(out)

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        d = self._dim(dim, "split")
        try:
            return self._pieces(d, S.split_sizes(self.shape[d], split_size, d))
        except S.ShapeFailure as exc:
            raise fail("split", [self], exc) from None

    split_with_sizes = split

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        d = self._dim(dim, "chunk")
        try:
            return self._pieces(d, S.chunk_sizes(self.shape[d], chunks))
        except S.ShapeFailure as exc:
            raise fail("chunk", [self], exc) from None

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        d = self._dim(dim, "unbind")
        shape = self.shape[:d] + self.shape[d + 1 :]
        strides = None if self._strides is None else self._strides[:d] + self._strides[d + 1 :]
        return tuple(self._like(shape, strides=strides) for _ in range(self.shape[d]))

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        d = self._dim(dim, "narrow")
        size = self.shape[d]
        if start < 0:
            start += size
        if not 0 <= start <= size or length < 0 or start + length > size:
            raise fail(
                "narrow",
                [self],
                S.ShapeFailure(
                    f"start ({start}) + length ({length}) exceeds dimension size ({size})."
                ),
            )
        shape = list(self.shape)
        shape[d] = length
        return self._like(shape, strides=self._strides)


def _merged(shape: Sequence[int], new: Sequence[int]) -> tuple[int, ...]:
    """The input sizes a reshape merged into the new last dimension (for messages)."""
    if not new or not shape:
        return ()
    tail = 1
    factors: list[int] = []
    for size in reversed(shape):
        if tail >= new[-1]:
            break
        factors.insert(0, size)
        tail *= size
    return tuple(factors) if tail == new[-1] and len(factors) > 1 else ()


def _view_fix(tensor: Any, op: str, sizes: tuple[int, ...]) -> str:
    shape = tensor.shape
    if len(sizes) == 2 and len(shape) >= 2 and sizes[0] in (-1, shape[0]):
        per = prod(shape[1:])
        first = sizes[0]
        return (
            f"{op}({first}, {sizes[1]}) should be {op}({first}, {per}) or flatten(1) "
            f"(each of the {shape[0]} samples has {'×'.join(map(str, shape[1:]))} = {per} values)"
        )
    return ""
