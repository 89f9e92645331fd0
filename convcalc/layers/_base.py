"""Shared ground of the layer classes: the ``Layer`` base, shapes, argument helpers, and the
shape rules of ``torch.nn.functional.pad``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from math import prod
from typing import ClassVar

from .._record import Record
from ..errors import ShapeError

Shape = tuple[int, ...]
IntOrTuple = int | tuple[int, ...]


class PaddingMode(StrEnum):
    """How a convolution pads its input (``padding_mode``)."""

    ZEROS = "zeros"
    REFLECT = "reflect"
    REPLICATE = "replicate"
    CIRCULAR = "circular"


class UpsampleMode(StrEnum):
    """Interpolation algorithms of ``Upsample`` (``mode``)."""

    NEAREST = "nearest"
    LINEAR = "linear"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    TRILINEAR = "trilinear"
    AREA = "area"
    NEAREST_EXACT = "nearest-exact"
    LANCZOS = "lanczos"


_DIMS = ("D", "H", "W")


# --------------------------------------------------------------------------------------------
# helpers


def dims_text(values: Iterable[int]) -> str:
    """``(4, 4)`` -> ``'4x4'``: how sizes read in messages and on the command line."""
    return "x".join(int_text(v) for v in values) or "()"


def int_text(value: object) -> str:
    """``str(value)``, but an integer too long for Python to print (past 4,300 digits) reads
    as its digit count instead of raising."""
    if isinstance(value, int) and abs(value).bit_length() > 4000:
        digits = len(format(abs(value), "x")) * 4 * 30103 // 100000  # log10(2) = 0.30103
        return f"{'-' if value < 0 else ''}<an integer of about {digits:,} digits>"
    return str(value)


def _axis_names(nd: int) -> tuple[str, ...]:
    return _DIMS[3 - nd :] if nd <= 3 else tuple(f"dim{i}" for i in range(nd))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_or_tuple(value: object, name: str, owner: str) -> IntOrTuple:
    """Keep an int as it is and turn any sequence of ints into a tuple (hashable, frozen)."""
    if _is_int(value):
        return value  # type: ignore[return-value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        items = tuple(value)
        if all(_is_int(v) for v in items):
            return items
    raise ShapeError(f"{owner}: {name} must be an integer or a list of integers, got {value!r}")


def _ntuple(value: IntOrTuple, n: int) -> tuple[int, ...]:
    """PyTorch's ``_ntuple``: an int is repeated ``n`` times, a tuple is kept as it is."""
    return (value,) * n if isinstance(value, int) else tuple(value)


def _expand(value: IntOrTuple | str, nd: int, name: str, owner: str) -> tuple[int, ...]:
    """An int or a length-1 tuple broadcasts to ``nd`` values, as PyTorch's C++ ops accept."""
    values = _sized(value, name, owner)
    if len(values) == nd:
        return values
    if len(values) == 1:
        return values * nd
    raise ShapeError(
        f"{owner}: {name} has {len(values)} values {values}, but a {nd}-d layer needs 1 or {nd}"
    )


def _exactly(value: IntOrTuple | str, nd: int, name: str, owner: str) -> tuple[int, ...]:
    """Exactly ``nd`` values (an int stands for all of them)."""
    values = (value,) * nd if isinstance(value, int) else _sized(value, name, owner)
    if len(values) != nd:
        raise ShapeError(
            f"{owner}: {name} has {len(values)} values {values}, but a {nd}-d layer needs {nd}"
        )
    return values


def _sized(value: IntOrTuple | str, name: str, owner: str) -> tuple[int, ...]:
    if isinstance(value, str):
        raise ShapeError(f"{owner}: {name} {value!r} is not a size")
    return (value,) if isinstance(value, int) else value


def _as_shape(shape: Iterable[int], owner: str) -> Shape:
    try:
        result = tuple(shape)
    except TypeError:
        raise ShapeError(
            f"{owner}: input shape must be a sequence of integers, got {shape!r}"
        ) from None
    for size in result:
        if not _is_int(size):
            raise ShapeError(f"{owner}: input shape {result} must hold integers, got {size!r}")
        if size < 0:
            raise ShapeError(f"{owner}: input shape {dims_text(result)} has a negative size")
    _check_fits(result, owner, "input")
    return result


INT64_MAX = 2**63 - 1
_FLOAT32 = 4


def tensor_size_error(shape: Sequence[int], itemsize: int = _FLOAT32) -> str | None:
    """Why PyTorch cannot make a contiguous tensor of ``shape``, or None if it can.

    Sizes are int64. The byte count is the product of the sizes in uint64, multiplied from the
    first dimension on, so an overflow before a later 0 still counts, then times the element
    size, and must fit int64. Each stride (the product of the later sizes, a 0 counted as 1)
    must fit int64 too. Whether the memory exists is another matter: only the arithmetic is
    checked.
    """
    total = 1
    for size in shape:
        if size > INT64_MAX:
            return f"size {int_text(size)} is beyond int64"
        total *= size
        if total >= 2**64:
            return "its byte size overflows int64"
    if total * itemsize > INT64_MAX:
        return "its byte size overflows int64"
    stride = 1
    for size in reversed(shape[1:]):
        stride *= max(size, 1)
        if stride > INT64_MAX:
            return "its strides overflow int64"
    return None


def _fits(shape: Shape, owner: str, itemsize: int = _FLOAT32) -> Shape:
    """``shape``, once PyTorch could make an output tensor of it (``itemsize``: 4 for float32,
    8 where int64 indices come with it)."""
    _check_fits(shape, owner, "output", itemsize)
    return shape


def _check_fits(shape: Shape, owner: str, what: str, itemsize: int = _FLOAT32) -> None:
    # Every realistic shape is far below the limits: only large ones need the exact rule.
    if prod(shape) < 2**60 and 0 not in shape:
        return
    reason = tensor_size_error(shape, itemsize)
    if reason is not None:
        raise ShapeError(
            f"{owner}: {what} tensor {dims_text(shape)} cannot exist: {reason}; use smaller sizes"
        )


def _check_rank(shape: Shape, ranks: Sequence[int], owner: str, what: str) -> None:
    if len(shape) not in ranks:
        expected = " or ".join(str(r) for r in ranks)
        raise ShapeError(
            f"{owner}: expected a {expected}-d input ({what}), got {len(shape)}-d input "
            f"{dims_text(shape)}"
        )


def _split(shape: Shape, nd: int, owner: str) -> tuple[int | None, int, Shape]:
    """Split a ``(N, C, *spatial)`` or ``(C, *spatial)`` shape; ``N`` is None if unbatched."""
    _check_rank(shape, (nd + 1, nd + 2), owner, _layout(nd))
    if len(shape) == nd + 2:
        return shape[0], shape[1], shape[2:]
    return None, shape[0], shape[1:]


def _layout(nd: int) -> str:
    spatial = ", ".join(_axis_names(nd))
    return f"(N, C, {spatial}) or (C, {spatial})"


def _join(batch: int | None, rest: Iterable[int]) -> Shape:
    return ((batch,) if batch is not None else ()) + tuple(rest)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ShapeError(message)


def _non_batch_nonzero(shape: Shape, batched: bool, owner: str) -> None:
    rest = shape[1:] if batched else shape
    if 0 in rest:
        raise ShapeError(
            f"{owner}: input {dims_text(shape)} has an empty dimension; only the batch "
            "dimension may be 0"
        )


# --------------------------------------------------------------------------------------------
# the base class


class Layer(Record):
    """What every layer answers. Subclasses are frozen records with PyTorch's fields."""

    # How convcalc.explain works the layer out: "conv", "pool", "transpose", "adaptive",
    # "upsample", "pixel", "blocks", or "" for layers without per-axis formulas.
    _kind: ClassVar[str] = ""

    @property
    def _name(self) -> str:
        return type(self).__name__

    def output_shape(self, input_shape: Iterable[int], *, training: bool = False) -> Shape:
        """The shape ``forward`` returns for an input of ``input_shape``.

        ``training`` is the module's mode (``module.train()`` / ``module.eval()``); eval is the
        default, as in published counts. Only layers whose checks depend on it (batch and
        instance norm, the feature dropouts) read it.
        """
        raise NotImplementedError

    @classmethod
    def _quick_types(cls) -> dict[str, tuple[str, ...]]:
        return {name: atoms for name, (atoms, _) in _class_type_checks(cls).items()}

    def _check_types(self) -> None:
        cls = type(self)
        for name, (atoms, wanted) in _class_type_checks(cls).items():
            value = getattr(self, name)
            if not any(_ACCEPTS[atom](value) for atom in atoms):
                raise ShapeError(f"{cls.__name__}: {name} must be {wanted}, got {value!r}")

    def check_arguments(self) -> None:
        """Raise :class:`ShapeError` for arguments that no input shape can make valid.

        PyTorch accepts them in ``__init__`` (a kernel of 0, a stride of 0) but fails every
        ``forward``; ``output_shape`` runs this check first.
        """

    @property
    def parameter_shapes(self) -> dict[str, Shape]:
        """Shapes of the trainable parameters, by PyTorch's attribute names."""
        return {}

    @property
    def buffer_shapes(self) -> dict[str, Shape]:
        """Shapes of the registered buffers (running statistics)."""
        return {}

    @property
    def weight_shape(self) -> Shape | None:
        return self.parameter_shapes.get("weight")

    @property
    def bias_shape(self) -> Shape | None:
        return self.parameter_shapes.get("bias")

    @property
    def param_count(self) -> int:
        """``sum(p.numel() for p in module.parameters())``."""
        return sum(prod(shape) for shape in self.parameter_shapes.values())

    @property
    def buffer_count(self) -> int:
        return sum(prod(shape) for shape in self.buffer_shapes.values())

    def macs(self, input_shape: Iterable[int], *, training: bool = False) -> int:
        """Multiply-accumulates for one forward pass (0 where the convention counts none)."""
        self.output_shape(input_shape, training=training)
        return 0

    def _check_tensors(self) -> None:
        """PyTorch allocates parameters in ``__init__``: a negative size fails there."""
        for name, shape in {**self.parameter_shapes, **self.buffer_shapes}.items():
            if any(size < 0 for size in shape):
                raise ShapeError(
                    f"{self._name}: {name} would have shape {shape} with a negative size; "
                    "channel, feature and kernel sizes must be zero or more"
                )
            _check_fits(shape, self._name, name)


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _normalise_int_fields(layer: Layer, *names: str) -> None:
    for name in names:
        value = getattr(layer, name)
        if value is not None:
            _set(layer, name, _int_or_tuple(value, name, layer._name))


def _require_int(layer: Layer, *names: str) -> None:
    for name in names:
        value = getattr(layer, name)
        if not _is_int(value):
            raise ShapeError(f"{layer._name}: {name} must be an integer, got {value!r}")


# --------------------------------------------------------------------------------------------
# F.pad


def pad_shape(shape: Shape, pad: Sequence[int], mode: str, owner: str) -> Shape:
    """The shape ``torch.nn.functional.pad(x, pad, mode)`` returns.

    ``pad`` holds (before, after) pairs from the last dimension backwards. Negative values
    crop. ``reflect`` needs each pad smaller than its dimension, ``circular`` at most equal.
    """
    if len(pad) % 2:
        raise ShapeError(f"{owner}: padding {tuple(pad)} must have an even number of values")
    pairs = len(pad) // 2
    if pairs > len(shape):
        raise ShapeError(
            f"{owner}: padding {tuple(pad)} pads {pairs} dimensions, but the input "
            f"{dims_text(shape)} has only {len(shape)}"
        )
    out = list(shape)
    if mode != "constant":
        if not 1 <= pairs <= 3:
            raise ShapeError(
                f"{owner}: {mode} padding takes 1 to 3 (before, after) pairs, got {tuple(pad)}"
            )
        _check_rank(shape, (pairs + 1, pairs + 2), owner, f"{mode} padding of {pairs} dims")
    if mode in ("reflect", "replicate"):
        _non_batch_nonzero(shape, len(shape) == pairs + 2, owner)
    for i in range(pairs):
        axis = len(shape) - 1 - i
        size = shape[axis]
        before, after = pad[2 * i], pad[2 * i + 1]
        if mode == "constant":
            if size + min(before, 0) + min(after, 0) < 0:
                raise ShapeError(
                    f"{owner}: cropping ({before}, {after}) removes more than the {size} "
                    f"elements of dimension {axis}"
                )
        elif mode == "reflect" and (before >= size or after >= size):
            raise ShapeError(
                f"{owner}: reflect padding ({before}, {after}) must be smaller than the "
                f"input size {size} of dimension {axis}; use padding < {size}, or "
                "padding_mode 'replicate'"
            )
        elif mode == "circular" and (before > size or after > size):
            raise ShapeError(
                f"{owner}: circular padding ({before}, {after}) wraps around dimension "
                f"{axis} of size {size} more than once; use padding <= {size}"
            )
        new = size + before + after
        if new < 0:
            raise ShapeError(
                f"{owner}: padding ({before}, {after}) leaves dimension {axis} of size "
                f"{size} with {new} elements"
            )
        out[axis] = new
    padded = out[len(out) - pairs :]
    if mode in ("reflect", "replicate") and not any(size >= 1 for size in padded):
        # The reflection and replication kernels need at least one padded axis non-empty.
        raise ShapeError(
            f"{owner}: padding {tuple(pad)} leaves input {dims_text(shape)} "
            f"with no elements ({dims_text(out)})"
        )
    if mode == "circular":
        _check_circular_copies(shape, tuple(out), pad, owner)
    return tuple(out)


def _check_circular_copies(shape: Shape, out: Shape, pad: Sequence[int], owner: str) -> None:
    """Circular padding copies the wrapped edges within the output tensor. When cropping on
    one side and padding on the other makes such a copy read the very elements it writes,
    PyTorch refuses it, but only where both slices are contiguous memory: nothing precedes
    the axis but size-1 dimensions."""
    if prod(out) == 0:
        return
    for i in range(len(pad) // 2):
        axis = len(shape) - 1 - i
        before, after = pad[2 * i], pad[2 * i + 1]
        size = out[axis]
        if prod(out[:axis]) != 1:
            continue
        copies = []
        if before > 0:
            copies.append((before, 0, size - before - max(after, 0)))
        if after > 0:
            copies.append((after, size - after, max(before, 0)))
        for length, dest, src in copies:
            if 0 < abs(dest - src) < length:
                raise ShapeError(
                    f"{owner}: circular padding ({before}, {after}) of dimension {axis} "
                    f"would wrap onto itself after cropping {shape[axis]} elements; "
                    "crop and pad less"
                )


def _at_least(values: tuple[int, ...], nd: int, name: str, owner: str) -> tuple[int, ...]:
    if len(values) < nd:
        raise ShapeError(
            f"{owner}: {name} has {len(values)} values {values}, but a {nd}-d layer needs {nd}"
        )
    return values


def _normalise_dim(dim: int, rank: int, name: str) -> int:
    bound = max(rank, 1)
    if not -bound <= dim < bound:
        raise ShapeError(
            f"{name}: dimension {dim} is out of range for a {rank}-d input "
            f"(use {-bound} to {bound - 1})"
        )
    return dim % bound


INT32_MAX = 2**31 - 1


def _at_most(owner: str, what: str, values: tuple[int, ...], high: int, where: str) -> None:
    """PyTorch passes the value to a kernel as an int64 (or, ``where`` said, narrower) integer."""
    if any(v > high for v in values):
        raise ShapeError(
            f"{owner}: {what} {dims_text(values)} is too large: {where} takes at most {high}; "
            f"use a smaller {what}"
        )


def _positive(owner: str, what: str, values: tuple[int, ...]) -> None:
    if not all(v > 0 for v in values):
        raise ShapeError(f"{owner}: {what} {dims_text(values)} must be positive")


def _non_negative(owner: str, what: str, values: tuple[int, ...]) -> None:
    if not all(v >= 0 for v in values):
        raise ShapeError(f"{owner}: {what} {dims_text(values)} is negative; use 0 or more")


# --------------------------------------------------------------------------------------------
# argument types, read from the fields' annotations


def _ints(value: object, allow_none: bool = False) -> bool:
    return isinstance(value, (list, tuple)) and all(
        _is_int(v) or (allow_none and v is None) for v in value
    )


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_ACCEPTS: dict[str, Callable[[object], bool]] = {
    "None": lambda v: v is None,
    "int": _is_int,
    "bool": lambda v: isinstance(v, int),  # PyTorch takes any int as a flag
    "float": _number,
    "str": lambda v: isinstance(v, str),
    "IntOrTuple": lambda v: _is_int(v) or _ints(v),
    "tuple[int, ...]": _ints,
    "Sequence[int]": _ints,
    "tuple[int | None, ...]": lambda v: _ints(v, allow_none=True),
    "tuple[float, ...]": lambda v: isinstance(v, (list, tuple)) and all(map(_number, v)),
}
_WANTED = {
    "None": "none",
    "int": "an integer",
    "bool": "true or false",
    "float": "a number",
    "str": "a string",
    "IntOrTuple": "an integer or a list of integers",
    "tuple[int, ...]": "a list of integers",
    "Sequence[int]": "a list of integers",
    "tuple[int | None, ...]": "a list of integers (or none)",
    "tuple[float, ...]": "a list of numbers",
}


def _atoms(annotation: str) -> list[str]:
    """Split ``int | tuple[int | None, ...] | None`` at its top-level bars."""
    atoms, depth, start = [], 0, 0
    for i, char in enumerate(annotation):
        depth += char == "["
        depth -= char == "]"
        if char == "|" and depth == 0:
            atoms.append(annotation[start:i].strip())
            start = i + 1
    atoms.append(annotation[start:].strip())
    return atoms


def _class_type_checks(cls: type) -> dict[str, tuple[tuple[str, ...], str]]:
    checks: dict[str, tuple[tuple[str, ...], str]] | None = cls.__dict__.get("_type_checks")
    if checks is None:
        checks = _type_checks(cls)
        type.__setattr__(cls, "_type_checks", checks)
    return checks


def _type_checks(cls: type) -> dict[str, tuple[tuple[str, ...], str]]:
    annotations: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    checks = {}
    for name in getattr(cls, "_record_fields", {}):
        atoms = tuple(_atoms(str(annotations.get(name, ""))))
        if all(atom in _ACCEPTS for atom in atoms):
            checks[name] = (atoms, " or ".join(_WANTED[atom] for atom in atoms))
    return checks
