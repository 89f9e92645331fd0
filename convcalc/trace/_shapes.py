"""Shape rules of PyTorch's tensor operations, in PyTorch's words when they fail.

Plain functions over shapes (tuples of ints) and strides; :mod:`._tensor` wraps them in a
tensor that carries a shape and nothing else. A stride of ``None`` means the layout is one
convcalc does not follow, which matters only to ``view``.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from ._state import Stop, cannot
from .messages import Message

Shape = tuple[int, ...]
Strides = tuple[int, ...] | None


class ShapeFailure(Exception):
    """PyTorch's error text for a failed operation (the caller adds operands and fix)."""

    def __init__(self, text: str, kind: str = "RuntimeError") -> None:
        super().__init__(text)
        self.text = text
        self.kind = kind


def listed(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def is_contiguous(shape: Shape, strides: Strides) -> bool:
    if strides is None:
        return False
    if prod(shape) == 0:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides), strict=True):
        if size != 1 and stride != expected:
            return False
        expected *= size
    return True


def dense(shape: Shape, strides: Strides) -> bool:
    """Non-overlapping and dense: a permutation of a contiguous layout."""
    if strides is None:
        return False
    order = sorted(range(len(shape)), key=lambda i: (strides[i], shape[i]))
    expected = 1
    for i in order:
        if shape[i] == 1:
            continue
        if strides[i] != expected:
            return False
        expected *= shape[i]
    return True


def norm_dim(dim: object, rank: int) -> int:
    """PyTorch's wrap of a dimension index (``-1`` is the last)."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise cannot(f"a dimension given as {type(dim).__name__}")
    low, high = (-1, 0) if rank == 0 else (-rank, rank - 1)
    if not low <= dim <= high:
        raise ShapeFailure(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})",
            "IndexError",
        )
    return dim % max(rank, 1)


def sizes_arg(args: tuple[object, ...], what: str) -> tuple[int, ...]:
    """``view(2, 3)``, ``view((2, 3))`` and ``view([2, 3])`` alike, as ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    out = []
    for value in args:
        if isinstance(value, bool) or not isinstance(value, int):
            index = getattr(value, "__index__", None)
            if index is None:
                raise Stop(Message(f"{what}() takes integer sizes, got {type(value).__name__}"))
            value = index()
        out.append(int(value))
    return tuple(out)


def infer_size(sizes: tuple[int, ...], numel: int) -> Shape:
    """PyTorch's ``infer_size`` for ``view``/``reshape``: at most one -1, the rest exact."""
    infer = None
    known = 1
    for i, size in enumerate(sizes):
        if size == -1:
            if infer is not None:
                raise ShapeFailure("only one dimension can be inferred")
            infer = i
        elif size >= 0:
            known *= size
        else:
            raise ShapeFailure(f"invalid shape dimension {size}")
    if numel == known or (infer is not None and known > 0 and numel % known == 0):
        if infer is None:
            return sizes
        if known == 0:
            raise ShapeFailure(
                f"cannot reshape tensor of 0 elements into shape {listed(sizes)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        return (*sizes[:infer], numel // known, *sizes[infer + 1 :])
    raise ShapeFailure(f"shape '{listed(sizes)}' is invalid for input of size {numel}")


def view_strides(shape: Shape, strides: Strides, new: Shape) -> Strides:
    """PyTorch's ``computeStride``: the strides a view of ``new`` would have, or ``None``
    when no view exists (the data would have to be copied)."""
    if strides is None:
        raise cannot("a view of a tensor whose memory layout convcalc does not follow")
    if not shape:
        return tuple(1 for _ in new)
    numel = prod(shape)
    if numel == 0 and shape == new:
        return strides
    result = [0] * len(new)
    if numel == 0:
        for d in range(len(new) - 1, -1, -1):
            result[d] = 1 if d == len(new) - 1 else max(new[d + 1], 1) * result[d + 1]
        return tuple(result)
    view_d = len(new) - 1
    base = strides[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[tensor_d]
        if tensor_d == 0 or (
            shape[tensor_d - 1] != 1 and strides[tensor_d - 1] != tensor_numel * base
        ):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                result[view_d] = view_numel * base
                view_numel *= new[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                base = strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(result)


def broadcast(a: Shape, b: Shape) -> Shape:
    """The shape of ``a + b`` (PyTorch's words when they do not broadcast)."""
    rank = max(len(a), len(b))
    out = []
    # PyTorch's infer_size walks from the last dimension, and names the first mismatch.
    for i in range(rank - 1, -1, -1):
        da = a[len(a) - rank + i] if len(a) - rank + i >= 0 else 1
        db = b[len(b) - rank + i] if len(b) - rank + i >= 0 else 1
        if da != db and da != 1 and db != 1:
            raise ShapeFailure(
                f"The size of tensor a ({da}) must match the size of tensor b ({db}) at "
                f"non-singleton dimension {i}"
            )
        out.append(db if da == 1 else da)
    return tuple(reversed(out))


def matmul_shape(a: Shape, b: Shape) -> Shape:
    """``torch.matmul``: 1-d, 2-d and batched operands with broadcast batch dimensions."""
    if not a or not b:
        raise ShapeFailure(
            f"both arguments to matmul need to be at least 1D, but they are {len(a)}D and {len(b)}D"
        )
    if len(a) == 1 and len(b) == 1:
        if a[0] != b[0]:
            raise ShapeFailure(
                f"inconsistent tensor size, expected tensor [{a[0]}] and src [{b[0]}] to have "
                f"the same number of elements, but got {a[0]} and {b[0]} elements respectively"
            )
        return ()
    if len(a) <= 2 and len(b) <= 2:
        m = (1, a[0]) if len(a) == 1 else a
        n = (b[0], 1) if len(b) == 1 else b
        if m[1] != n[0]:
            if len(a) == 2 and len(b) == 1:
                raise ShapeFailure(
                    f"size mismatch, got input ({a[0]}), mat ({a[0]}x{a[1]}), vec ({b[0]})"
                )
            raise ShapeFailure(
                f"mat1 and mat2 shapes cannot be multiplied ({m[0]}x{m[1]} and {n[0]}x{n[1]})"
            )
        out = (m[0], n[1])
        if len(a) == 1:
            return out[1:]
        if len(b) == 1:
            return out[:1]
        return out
    if len(b) == 1:
        if a[-1] != b[0]:
            rows = prod(a[:-1])
            raise ShapeFailure(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a[-1]} and {b[0]}x1)"
            )
        return a[:-1]
    if len(a) == 1:
        if a[0] != b[-2]:
            raise ShapeFailure(
                f"mat1 and mat2 shapes cannot be multiplied (1x{a[0]} and {b[-2]}x{b[-1]})"
            )
        return (*b[:-2], b[-1])
    if len(b) == 2:
        # PyTorch folds the batch of a into rows: (N*M, K) @ (K, P).
        if a[-1] != b[0]:
            rows = prod(a[:-1])
            raise ShapeFailure(
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{a[-1]} and {b[0]}x{b[1]})"
            )
        return (*a[:-1], b[1])
    batch = broadcast(a[:-2], b[:-2])
    if a[-1] != b[-2]:
        raise ShapeFailure(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{prod(batch)}, {a[-1]}] but got: [{prod(batch)}, {b[-2]}]."
        )
    return (*batch, a[-2], b[-1])


def cat_shape(shapes: Sequence[Shape], dim: int) -> Shape:
    """``torch.cat``: every dimension but ``dim`` agrees; 1-d empty tensors are skipped."""
    if not shapes:
        raise ShapeFailure("torch.cat(): expected a non-empty list of Tensors")
    kept = [s for s in shapes if s != (0,)]
    if not kept:
        return (0,)
    first = kept[0]
    if not first:
        raise ShapeFailure("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = norm_dim(dim, len(first))
    for index, shape in enumerate(shapes):
        if shape == (0,):
            continue
        if len(shape) != len(first):
            raise ShapeFailure(
                f"Tensors must have same number of dimensions: got {len(first)} and {len(shape)}"
            )
        for axis in range(len(first)):
            if axis != d and shape[axis] != first[axis]:
                raise ShapeFailure(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first[axis]} but got size {shape[axis]} for tensor number {index} in "
                    "the list."
                )
    return (*first[:d], sum(s[d] for s in kept), *first[d + 1 :])


def stack_shape(shapes: Sequence[Shape], dim: int) -> Shape:
    if not shapes:
        raise ShapeFailure("stack expects a non-empty TensorList")
    first = shapes[0]
    for index, shape in enumerate(shapes):
        if shape != first:
            raise ShapeFailure(
                f"stack expects each tensor to be equal size, but got {listed(first)} at entry "
                f"0 and {listed(shape)} at entry {index}"
            )
    d = norm_dim(dim, len(first) + 1)
    return (*first[:d], len(shapes), *first[d:])


def reduce_shape(shape: Shape, dim: object, keepdim: bool) -> Shape:
    """The shape after reducing over ``dim`` (None: every dimension)."""
    if dim is None:
        return (1,) * len(shape) if keepdim else ()
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    wrapped = {norm_dim(d, len(shape)) for d in dims}
    if not dims:
        return (1,) * len(shape) if keepdim else ()
    if keepdim:
        return tuple(1 if i in wrapped else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in wrapped)


def split_sizes(size: int, split: int | Sequence[int], dim: int) -> list[int]:
    """Sizes of ``split(split, dim)`` along a dimension of ``size``."""
    if isinstance(split, int):
        if split < 0:
            raise ShapeFailure(
                f"split expects split_size be non-negative, but got split_size={split}"
            )
        if split == 0:
            if size != 0:
                raise ShapeFailure(
                    f"split_size can only be 0 if dimension size is 0, but got dimension size "
                    f"of {size}"
                )
            return [0]
        count = max((size + split - 1) // split, 1)
        return [min(split, size - i * split) for i in range(count)]
    parts = list(split)
    if sum(parts) != size:
        raise ShapeFailure(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
            f"at dimension {dim}), but got split_sizes={listed(parts)}"
        )
    return parts


def chunk_sizes(size: int, chunks: int) -> list[int]:
    if chunks <= 0:
        raise ShapeFailure("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    step = (size + chunks - 1) // chunks
    if step == 0:
        return [0]
    return split_sizes(size, step, 0)
