"""The stand-in tensor: a shape, a layout, a dtype and where it came from; never any data.

Every method a model calls on a tensor either computes the result's shape exactly as PyTorch
does, fails with PyTorch's words, or stops the trace when the answer depends on values
(``bool(x.sum() > 0)``, ``x.item()``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import prod
from typing import Any

from . import _shapes as S
from ._operands import describe, fail
from ._reshape import Reshaping
from ._state import Origin, cannot, here, value_dependent

__all__ = ["Size", "Tensor", "describe", "dtype", "fail"]


class Size(tuple[int, ...]):
    """``torch.Size``: a tuple of ints."""

    def numel(self) -> int:
        return prod(self)

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, index: Any) -> Any:
        result = tuple.__getitem__(self, index)
        return Size(result) if isinstance(index, slice) else result


class dtype:
    __slots__ = ("is_floating_point", "itemsize", "name")

    def __init__(self, name: str, itemsize: int, floating: bool) -> None:
        self.name = name
        self.itemsize = itemsize
        self.is_floating_point = floating

    def __repr__(self) -> str:
        return f"torch.{self.name}"


DTYPES = {
    name: dtype(name, size, floating)
    for name, size, floating in (
        ("float32", 4, True),
        ("float64", 8, True),
        ("float16", 2, True),
        ("bfloat16", 2, True),
        ("int64", 8, False),
        ("int32", 4, False),
        ("int16", 2, False),
        ("int8", 1, False),
        ("uint8", 1, False),
        ("bool", 1, False),
    )
}
DTYPE_ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "long": "int64",
    "int": "int32",
    "short": "int16",
}
FLOAT = DTYPES["float32"]


def _dtype_of(value: object) -> dtype:
    if isinstance(value, dtype):
        return value
    if isinstance(value, str):
        return DTYPES[DTYPE_ALIASES.get(value, value)]
    raise cannot(f"dtype {value!r}")


class Tensor(Reshaping):
    """A tensor of ``shape``; ``strides`` follow PyTorch's layout (``None`` when unknown)."""

    __slots__ = (
        "__weakref__",
        "_strides",
        "dtype",
        "node",
        "origin",
        "requires_grad",
        "shape",
        "values",
    )
    __module__ = "torch"

    def __init__(
        self,
        shape: Sequence[int],
        *,
        strides: S.Strides | bool = True,
        dtype: dtype = FLOAT,
        origin: Origin | None = None,
        requires_grad: bool = False,
        values: list[Any] | None = None,
    ) -> None:
        self.shape = Size(shape)
        self.values = values if values is not None and len(self.shape) <= 1 else None
        self._strides = S.contiguous_strides(self.shape) if strides is True else (strides or None)
        self.dtype = dtype
        self.origin = origin
        self.requires_grad = requires_grad
        # The dataflow event that made it (see _flow), None for a constant or parameter.
        self.node: int | None = None

    # -- what the tensor is ------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"tensor(shape={list(self.shape)})"

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        return self.shape[self._dim(dim, "size")]

    def dim(self) -> int:
        return len(self.shape)

    ndimension = dim

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def numel(self) -> int:
        return prod(self.shape)

    nelement = numel

    def stride(self, dim: int | None = None) -> Any:
        if self._strides is None:
            raise cannot("the strides of a tensor whose memory layout convcalc does not follow")
        return self._strides if dim is None else self._strides[self._dim(dim, "stride")]

    def is_contiguous(self, memory_format: object = None) -> bool:
        if memory_format is not None:
            raise cannot("memory formats")
        return S.is_contiguous(self.shape, self._strides)

    @property
    def device(self) -> Any:
        from ._torch import device

        return device("cpu")

    is_cuda = False
    is_sparse = False
    is_quantized = False
    grad = None

    @property
    def data(self) -> Tensor:
        return self._like(self.shape, strides=self._strides)

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return int(self.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    # -- value-dependent: stop -------------------------------------------------------------

    def _single(self, what: str) -> Any:
        if self.values is None:
            raise value_dependent(what)
        if len(self.values) != 1:
            raise fail(
                what,
                [self],
                S.ShapeFailure(
                    f"a Tensor with {len(self.values)} elements cannot be converted to Scalar"
                ),
            )
        return self.values[0]

    def __bool__(self) -> bool:
        if self.values is not None and len(self.values) != 1:
            raise fail(
                "bool(tensor)",
                [self],
                S.ShapeFailure("Boolean value of Tensor with more than one value is ambiguous"),
            )
        return bool(self._single("the truth value of a tensor"))

    def item(self) -> Any:
        return self._single("tensor.item()")

    def tolist(self) -> Any:
        if self.values is None:
            raise value_dependent("tensor.tolist()")
        return list(self.values) if self.shape else self.values[0]

    def __int__(self) -> int:
        return int(self._single("int(tensor)"))

    def __float__(self) -> float:
        return float(self._single("float(tensor)"))

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self.dtype.name == "bool":
            raise value_dependent("a tensor used as an index or size")
        return int(self._single("a tensor used as an index or size"))

    def numpy(self) -> Any:
        raise value_dependent("tensor.numpy()")

    # -- helpers ---------------------------------------------------------------------------

    def _dim(self, dim: object, op: str) -> int:
        try:
            return S.norm_dim(dim, len(self.shape))
        except S.ShapeFailure as exc:
            raise fail(f"{op}(dim={dim})", [self], exc) from None

    def _like(
        self,
        shape: Sequence[int],
        what: str = "",
        *,
        strides: S.Strides | bool = True,
        dtype: dtype | None = None,
        factors: tuple[int, ...] = (),
    ) -> Tensor:
        origin = here(what, factors) if what else self.origin
        return Tensor(shape, strides=strides, dtype=dtype or self.dtype, origin=origin)

    def contiguous(self, memory_format: object = None) -> Tensor:
        if memory_format is not None:
            raise cannot("memory formats")
        return self._like(self.shape)

    def clone(self, memory_format: object = None) -> Tensor:
        if memory_format is not None:
            raise cannot("memory formats")
        keep = S.dense(self.shape, self._strides)
        return self._like(self.shape, strides=self._strides if keep else True)

    def detach(self) -> Tensor:
        return self._like(self.shape, strides=self._strides)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        if "memory_format" in kwargs:
            raise cannot("memory formats")
        wanted = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, dtype):
                wanted = arg
            elif isinstance(arg, Tensor):
                wanted = arg.dtype
        if wanted is None or wanted is self.dtype:
            return self
        if self.values is not None:
            from ._values import cast

            kind = _dtype_of(wanted)
            return Tensor(
                self.shape, dtype=kind, origin=self.origin, values=cast(self.values, kind.name)
            )
        return self._like(
            self.shape,
            strides=self._strides if S.dense(self.shape, self._strides) else True,
            dtype=_dtype_of(wanted),
        )

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return "torch.FloatTensor"
        return self.to(_dtype_of(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def cpu(self, *args: Any, **kwargs: Any) -> Tensor:
        return self

    cuda = pin_memory = share_memory_ = cpu

    # -- indexing --------------------------------------------------------------------------

    def __getitem__(self, index: Any) -> Tensor:
        from ._index import index_shape

        shape, strides = index_shape(self, index)
        out = self._like(shape, "the indexing", strides=strides)
        if self.values is not None and len(self.shape) == 1:
            if isinstance(index, int) and not isinstance(index, bool):
                out.values = [self.values[index]]
            elif isinstance(index, slice):
                out.values = self.values[index]
        return out

    def __setitem__(self, index: Any, value: Any) -> None:
        from ._index import index_shape

        shape, _ = index_shape(self, index)
        if isinstance(value, Tensor):
            try:
                out = S.broadcast(shape, value.shape)
            except S.ShapeFailure as exc:
                raise fail("an assignment to a slice", [self, value], exc) from None
            if out != tuple(shape):
                raise fail(
                    "an assignment to a slice",
                    [self, value],
                    S.ShapeFailure(
                        f"shape mismatch: value tensor of shape {S.listed(value.shape)} cannot be "
                        f"broadcast to indexing result of shape {S.listed(shape)}"
                    ),
                )

    # -- reductions ------------------------------------------------------------------------

    def _reduce(self, op: str, dim: Any, keepdim: bool, dtype: dtype | None = None) -> Tensor:
        try:
            shape = S.reduce_shape(self.shape, dim, keepdim)
        except S.ShapeFailure as exc:
            raise fail(f"{op}(dim={dim})", [self], exc) from None
        return self._like(shape, f"the {op}", dtype=dtype)

    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return self._reduce("sum", dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return self._reduce("mean", dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return self._reduce("amax", dim if dim != () else None, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return self._reduce("amin", dim if dim != () else None, keepdim)

    def prod(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return self._reduce("prod", dim, keepdim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return self._reduce("logsumexp", dim, keepdim)

    def std(self, dim: Any = None, *args: Any, keepdim: bool = False, **kwargs: Any) -> Tensor:
        if args and isinstance(args[-1], bool) and len(args) == 2:
            keepdim = args[1]
        return self._reduce("std", dim if not isinstance(dim, bool) else None, keepdim)

    var = std

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        return self._reduce("norm", dim, keepdim)

    def _minmax(self, op: str, dim: Any, keepdim: bool) -> Any:
        if isinstance(dim, Tensor):
            return _tensor_ops.binary(self, dim, op, op)
        if dim is None:
            return self._reduce(op, None, False)
        values = self._reduce(op, dim, keepdim)
        indices = self._reduce(op, dim, keepdim, dtype=DTYPES["int64"])
        from ._torch import return_types

        return return_types(values, indices)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._minmax("max", dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return self._minmax("min", dim, keepdim)

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._reduce("argmax", dim, keepdim, dtype=DTYPES["int64"])

    argmin = argmax

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return self._reduce("all", dim, keepdim, dtype=DTYPES["bool"])

    any = all

    # -- matrix products -------------------------------------------------------------------

    def matmul(self, other: Any) -> Tensor:
        return _tensor_ops.matmul(self, other, "matmul")

    __matmul__ = matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        return _tensor_ops.matmul(other, self, "matmul")

    def mm(self, other: Any) -> Tensor:
        if len(self.shape) != 2 or len(getattr(other, "shape", ())) != 2:
            raise fail("mm", [self, other], S.ShapeFailure("self must be a matrix"))
        return _tensor_ops.matmul(self, other, "mm")

    def bmm(self, other: Any) -> Tensor:
        if len(self.shape) != 3 or len(getattr(other, "shape", ())) != 3:
            raise fail("bmm", [self, other], S.ShapeFailure("batch1 must be a 3D tensor"))
        return _tensor_ops.matmul(self, other, "bmm")

    # -- softmax and friends ---------------------------------------------------------------

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        self._dim(dim, "softmax")
        return self._like(self.shape, strides=self._strides)

    log_softmax = softmax

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        shape = _tensor_ops.broadcast_shapes(self, mask, "masked_fill")
        if shape != tuple(self.shape):
            raise fail(
                "masked_fill",
                [self, mask],
                S.ShapeFailure("masked_fill only supports boolean masks"),
            )
        return self._like(self.shape)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        self.masked_fill(mask, value)
        return self

    def new_zeros(self, *size: Any, **kwargs: Any) -> Tensor:
        return Tensor(S.sizes_arg(size, "new_zeros"), dtype=self.dtype, origin=here("new_zeros"))

    new_ones = new_empty = new_zeros

    def new_full(self, size: Any, fill_value: Any, **kwargs: Any) -> Tensor:
        return self.new_zeros(size)

    def zero_(self) -> Tensor:
        return self

    def _keep(self, *args: Any, **kwargs: Any) -> Tensor:
        return self

    fill_ = normal_ = uniform_ = copy_ = clamp_ = _keep
    bernoulli_ = exponential_ = random_ = _keep


from . import _tensor_ops  # noqa: E402  (installs the arithmetic on Tensor)

_tensor_ops.install()
