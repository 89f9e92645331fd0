"""Operations on several tensors: merges (``+``, ``*``, ``torch.cat``) and pieces
(``torch.chunk``, ``torch.split``). Standard library only."""

from __future__ import annotations

from collections.abc import Sequence

from .._record import Record
from ..errors import ShapeError
from ..layers import Shape, dims_text


class _Op(Record):
    """An operation of the graph that is not a layer: it holds no parameters."""


class _Merge(_Op):
    """An operation on two or more tensors (``torch.add``, ``torch.mul``, ``torch.cat``)."""

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        raise NotImplementedError


def _broadcast(name: str, shapes: Sequence[Shape]) -> Shape:
    first = shapes[0]
    if all(s == first for s in shapes):  # the common case: a residual sum of equal shapes
        return tuple(first)
    rank = max(len(s) for s in shapes)
    out = []
    for axis in range(rank):
        sizes = {s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            listed = " and ".join(dims_text(s) for s in shapes)
            raise ShapeError(
                f"{name}: shapes {listed} do not broadcast: dimension {axis} has sizes "
                f"{', '.join(str(x) for x in sorted(sizes))}"
            )
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


class Add(_Merge):
    """``a + b + ...`` with PyTorch broadcasting (a residual connection)."""

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        return _broadcast("Add", shapes)


class Mul(_Merge):
    """``a * b * ...`` with PyTorch broadcasting (a gate, squeeze-and-excitation)."""

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        return _broadcast("Mul", shapes)


class Concat(_Merge):
    """``torch.cat(tensors, dim)``: sizes add along ``dim``; every other dimension must match."""

    dim: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.dim, int) or isinstance(self.dim, bool):
            raise ShapeError(f"Concat: dim must be an integer, got {self.dim!r}")

    def output_shape(self, shapes: Sequence[Shape]) -> Shape:
        first = shapes[0]
        if any(len(s) != len(first) for s in shapes):
            listed = " and ".join(dims_text(s) for s in shapes)
            raise ShapeError(f"Concat: tensors {listed} have different numbers of dimensions")
        bound = max(len(first), 1)
        if not -bound <= self.dim < bound:
            raise ShapeError(f"Concat: dim {self.dim} is out of range for {len(first)}-d tensors")
        dim = self.dim % bound
        for shape in shapes[1:]:
            for axis, (a, b) in enumerate(zip(first, shape, strict=True)):
                if axis != dim and a != b:
                    listed = " and ".join(dims_text(s) for s in shapes)
                    raise ShapeError(
                        f"Concat: tensors {listed} differ in dimension {axis} ({a} vs {b}); "
                        f"only dimension {dim} may differ"
                    )
        return (*first[:dim], sum(s[dim] for s in shapes), *first[dim + 1 :])


MERGES: dict[str, type[_Merge]] = {"Add": Add, "Mul": Mul, "Concat": Concat}


def _pieces(size: int, chunk: int) -> list[int]:
    return [min(chunk, size - start) for start in range(0, size, chunk)] if chunk else []


class _Piece(_Op):
    """One tensor of an operation that returns several (``torch.chunk``, ``torch.split``)."""

    def sizes(self, size: int) -> list[int]:
        raise NotImplementedError

    def output_shape(self, shape: Shape) -> Shape:
        name = type(self).__name__
        dim: int = getattr(self, "dim", 0)
        index: int = getattr(self, "index", 0)
        if not -len(shape) <= dim < max(len(shape), 1):
            raise ShapeError(f"{name}: dim {dim} is out of range for a {len(shape)}-d input")
        axis = dim % len(shape)
        sizes = self.sizes(shape[axis])
        if index >= len(sizes):
            raise ShapeError(
                f"{name}: {dims_text(shape)} along dimension {axis} gives {len(sizes)} "
                f"tensors ({', '.join(map(str, sizes))}), so there is no tensor {index}"
            )
        return (*shape[:axis], sizes[index], *shape[axis + 1 :])


class Chunk(_Piece):
    """Tensor ``index`` of ``torch.chunk(x, chunks, dim)``: pieces of ⌈size / chunks⌉.

    >>> [Chunk(2, 1, i).output_shape((1, 116, 28, 28)) for i in (0, 1)]
    [(1, 58, 28, 28), (1, 58, 28, 28)]
    """

    chunks: int
    dim: int = 0
    index: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.chunks, int) or isinstance(self.chunks, bool) or self.chunks < 1:
            raise ShapeError(f"Chunk: chunks must be a positive integer, got {self.chunks!r}")

    def sizes(self, size: int) -> list[int]:
        # torch.chunk: every piece ceil(size / chunks) long, so there may be fewer of them.
        return _pieces(size, -(-size // self.chunks)) if size else [0] * 1


class Split(_Piece):
    """Tensor ``index`` of ``torch.split(x, split_size_or_sections, dim)``.

    >>> Split((16, 48), 1, 1).output_shape((1, 64, 8, 8))
    (1, 48, 8, 8)
    """

    split_size_or_sections: int | tuple[int, ...]
    dim: int = 0
    index: int = 0

    def sizes(self, size: int) -> list[int]:
        split = self.split_size_or_sections
        if isinstance(split, int):
            if split < 1:
                raise ShapeError(f"Split: split_size must be a positive integer, got {split}")
            return _pieces(size, split) or [0]
        if sum(split) != size:
            raise ShapeError(
                f"Split: sections {', '.join(map(str, split))} add up to {sum(split)}, "
                f"but the dimension has {size}"
            )
        return list(split)


PIECES: dict[str, type[_Piece]] = {"Chunk": Chunk, "Split": Split}
