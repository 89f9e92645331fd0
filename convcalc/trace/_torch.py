"""The ``torch`` the traced files import: ``torch``, ``torch.nn``, ``torch.nn.functional``,
``torch.nn.init``, ``torch.Size``, ``torch.Tensor`` and the tensor functions models call.

These are module objects made here and never placed in ``sys.modules``; a name they do not
have is a placeholder that stops the trace when it is used (exit code 3).
"""

from __future__ import annotations

import contextlib
from collections import namedtuple
from collections.abc import Callable, Sequence
from math import prod
from types import ModuleType
from typing import Any

from .. import layers as _layers
from . import _shapes as S
from ._attention import MultiheadAttention
from ._functional import FUNCTIONS
from ._layers import LAZY, layer_module
from ._module import (
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ParameterDict,
    ParameterList,
    Sequential,
)
from ._state import active, cannot, here, stop, value_dependent
from ._tensor import DTYPE_ALIASES, DTYPES, FLOAT, Size, Tensor, dtype, fail
from ._tensor_ops import binary as _binary
from ._tensor_ops import matmul as _matmul
from ._values import LIMIT, cast
from .messages import ModelRaised

__all__ = ["make_torch"]

return_types = namedtuple("return_types", ["values", "indices"])


class device:
    __module__ = "torch"

    def __init__(self, kind: Any = "cpu", index: Any = None) -> None:
        self.type = str(kind).split(":")[0]
        self.index = index

    def __repr__(self) -> str:
        return f"device(type={self.type!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and other.type == self.type

    def __hash__(self) -> int:
        return hash(self.type)

    def __enter__(self) -> device:
        return self

    def __exit__(self, *args: Any) -> None:
        return None


class _NoGrad(contextlib.ContextDecorator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: Any) -> None:
        return None


def _sizes(args: tuple[Any, ...], op: str) -> tuple[int, ...]:
    sizes = S.sizes_arg(args, op)
    if any(s < 0 for s in sizes):
        raise stop(
            ModelRaised(
                f"torch.{op}: Trying to create tensor with negative dimension {min(sizes)}: "
                f"{list(sizes)}"
            )
        )
    return sizes


def _factory(op: str) -> Callable[..., Tensor]:
    def make(*size: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        kind = _dtype(dtype) if dtype is not None else FLOAT
        return Tensor(
            _sizes(size, op),
            dtype=kind,
            origin=here(f"torch.{op}"),
            requires_grad=bool(kwargs.get("requires_grad")),
        )

    return make


def _like(op: str) -> Callable[..., Tensor]:
    def make(input: Tensor, *args: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
        kind = _dtype(dtype) if dtype is not None else input.dtype
        return Tensor(input.shape, dtype=kind, origin=here(f"torch.{op}"))

    return make


def _dtype(value: Any) -> dtype:
    if isinstance(value, dtype):
        return value
    raise cannot(f"dtype {value!r}")


def full(size: Any, fill_value: Any, *, dtype: Any = None, **kwargs: Any) -> Tensor:
    return Tensor(
        _sizes((size,), "full"), dtype=_dtype(dtype) if dtype else FLOAT, origin=here("torch.full")
    )


def arange(*args: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    for value in args:
        if isinstance(value, Tensor):
            raise value_dependent("torch.arange with a tensor bound")
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args) and dtype is None:
        numbers = range(*args)
        return Tensor(
            (len(numbers),),
            dtype=DTYPES["int64"],
            origin=here("torch.arange"),
            values=list(numbers) if len(numbers) <= LIMIT else None,
        )
    count = None
    if count is None:
        start, end, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        import math

        count = max(math.ceil((end - start) / step), 0)
    floating = not all(isinstance(a, int) for a in args)
    kind = _dtype(dtype) if dtype else (FLOAT if floating else DTYPES["int64"])
    return Tensor((count,), dtype=kind, origin=here("torch.arange"))


def linspace(start: Any, end: Any, steps: int, **kwargs: Any) -> Tensor:
    return Tensor((steps,), origin=here("torch.linspace"))


def tensor(data: Any, dtype: Any = None, **kwargs: Any) -> Tensor:
    shape: list[int] = []
    level = data
    while isinstance(level, (list, tuple)):
        shape.append(len(level))
        if not level:
            break
        level = level[0]
    if isinstance(level, Tensor):
        raise cannot("torch.tensor of tensors")
    floating = isinstance(level, float)
    kind = (
        _dtype(dtype)
        if dtype
        else (
            FLOAT
            if floating or not isinstance(level, (int, bool))
            else DTYPES["bool" if isinstance(level, bool) else "int64"]
        )
    )
    values = None
    if len(shape) <= 1 and (
        isinstance(data, (int, float, bool)) or all(isinstance(v, (int, float, bool)) for v in data)
    ):
        flat = [data] if not shape else list(data)
        values = cast(flat, kind.name) if len(flat) <= LIMIT else None
    return Tensor(shape, dtype=kind, origin=here("torch.tensor"), values=values)


def diff(input: Tensor, n: int = 1, dim: int = -1, **kwargs: Any) -> Tensor:
    if n != 1 or kwargs:
        raise cannot("torch.diff with n or prepend/append")
    d = input._dim(dim, "diff")
    shape = list(input.shape)
    shape[d] = max(shape[d] - 1, 0)
    values = None
    if input.values is not None and len(input.shape) == 1:
        pairs = zip(input.values, input.values[1:], strict=False)
        values = cast([b - a for a, b in pairs], input.dtype.name)
    return Tensor(shape, dtype=input.dtype, origin=here("torch.diff"), values=values)


def _tensors(values: Any, op: str) -> list[Tensor]:
    items = list(values)
    for item in items:
        if not isinstance(item, Tensor):
            raise stop(
                ModelRaised(
                    f"torch.{op}(): expected a sequence of Tensors, got {type(item).__name__}"
                )
            )
    return items


def cat(
    tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None, out: Any = None
) -> Tensor:
    items = _tensors(tensors, "cat")
    try:
        shape = S.cat_shape([tuple(t.shape) for t in items], axis if axis is not None else dim)
    except S.ShapeFailure as exc:
        raise fail("torch.cat", items, exc, _cat_fix(items)) from None
    return Tensor(shape, dtype=items[0].dtype if items else FLOAT, origin=here("the cat"))


def _cat_fix(items: list[Tensor]) -> str:
    shapes = {len(t.shape) for t in items}
    if len(shapes) != 1:
        return ""
    return (
        "crop or pad one tensor to the other's size before the cat (F.pad, or "
        "F.interpolate(x, size=skip.shape[2:])), or give an input size that every "
        "downsampling divides exactly"
    )


def stack(tensors: Sequence[Any], dim: int = 0, *, out: Any = None) -> Tensor:
    items = _tensors(tensors, "stack")
    try:
        shape = S.stack_shape([tuple(t.shape) for t in items], dim)
    except S.ShapeFailure as exc:
        raise fail("torch.stack", items, exc) from None
    return Tensor(shape, dtype=items[0].dtype, origin=here("the stack"))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    if input is None and other is None:
        raise value_dependent("torch.where(condition)")
    first = _binary(condition, input, "where", "where")
    return _binary(first, other, "where", "where")


def _assert(condition: Any, message: Any) -> None:
    if isinstance(condition, Tensor):
        raise value_dependent("torch._assert on a tensor")
    if not condition:
        raise AssertionError(message)


def _method(name: str) -> Callable[..., Any]:
    def call(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise cannot(f"torch.{name} of {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = name
    return call


def _binary_function(name: str) -> Callable[..., Any]:
    canonical = {"divide": "div", "multiply": "mul", "subtract": "sub"}.get(name, name)
    compare = name in ("eq", "ne", "lt", "le", "gt", "ge")

    def call(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
        return _binary(input, other, f"torch.{name}", canonical, compare)

    return call


def _no_op(*args: Any, **kwargs: Any) -> None:
    return None


def _identity_decorator(fn: Any = None, *args: Any, **kwargs: Any) -> Any:
    if callable(fn):
        return fn
    return lambda f: f


def _outside_getattr(prefix: str) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        from ._loader import Placeholder

        return Placeholder(f"{prefix}.{name}")

    return __getattr__


def _module(name: str, values: dict[str, Any]) -> ModuleType:
    module = ModuleType(name)
    module.__dict__.update(values)
    module.__dict__["__getattr__"] = _outside_getattr(name)
    return module


_MADE: dict[str, ModuleType] = {}


def _init_function(*args: Any, **kwargs: Any) -> Any:
    return args[0] if args else None


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    shape = tuple(tensor.shape)
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def make_torch() -> ModuleType:
    """The ``torch`` module of the stand-in (made once per process)."""
    made = _MADE.get("torch")
    if made is not None:
        return made
    init_names = [
        "uniform_",
        "normal_",
        "constant_",
        "ones_",
        "zeros_",
        "eye_",
        "dirac_",
        "xavier_uniform_",
        "xavier_normal_",
        "kaiming_uniform_",
        "kaiming_normal_",
        "trunc_normal_",
        "orthogonal_",
        "sparse_",
        "uniform",
        "normal",
        "constant",
        "xavier_uniform",
        "xavier_normal",
        "kaiming_uniform",
        "kaiming_normal",
    ]
    init = _module(
        "torch.nn.init",
        {
            **dict.fromkeys(init_names, _init_function),
            "calculate_gain": lambda *a, **k: 1.0,
            "_calculate_fan_in_and_fan_out": _calculate_fan_in_and_fan_out,
        },
    )
    functional = _module("torch.nn.functional", dict(FUNCTIONS))
    layer_names = set(_layers.__all__) - {
        "IntOrTuple",
        "Layer",
        "PaddingMode",
        "Shape",
        "UpsampleMode",
        "dims_text",
        "layer_fields",
        "layer_types",
        "pad_shape",
    }
    nn_values: dict[str, Any] = {
        "Module": Module,
        "Sequential": Sequential,
        "ModuleList": ModuleList,
        "ModuleDict": ModuleDict,
        "ParameterList": ParameterList,
        "ParameterDict": ParameterDict,
        "Parameter": Parameter,
        "MultiheadAttention": MultiheadAttention,
        "functional": functional,
        "init": init,
    }
    nn = _module("torch.nn", nn_values)
    modules_ns = _module("torch.nn.modules", {"Module": Module})
    nn.__dict__["modules"] = modules_ns

    def nn_getattr(name: str) -> Any:
        if name in layer_names or name in LAZY:
            cls = layer_module(name)
            nn.__dict__[name] = cls
            return cls
        if name.startswith("__"):
            raise AttributeError(name)
        from ._loader import Placeholder

        return Placeholder(f"torch.nn.{name}")

    nn.__dict__["__getattr__"] = nn_getattr
    jit = _module(
        "torch.jit",
        {
            "unused": _identity_decorator,
            "ignore": _identity_decorator,
            "export": _identity_decorator,
            "script": _identity_decorator,
            "is_scripting": lambda: False,
            "is_tracing": lambda: False,
            "annotate": lambda kind, value: value,
            "Final": Any,
            "_overload_method": _identity_decorator,
        },
    )
    fx = _module("torch.fx", {"wrap": _identity_decorator})
    c = _module("torch._C", {"_log_api_usage_once": _no_op})
    cuda = _module("torch.cuda", {"is_available": lambda: False, "device_count": lambda: 0})
    values: dict[str, Any] = {
        "Tensor": Tensor,
        "Size": Size,
        "dtype": dtype,
        "device": device,
        "nn": nn,
        "jit": jit,
        "fx": fx,
        "_C": c,
        "cuda": cuda,
        "__version__": "2.13.0",
        "no_grad": _NoGrad,
        "enable_grad": _NoGrad,
        "inference_mode": _NoGrad,
        "set_grad_enabled": _NoGrad,
        "manual_seed": _no_op,
        "is_tensor": lambda value: isinstance(value, Tensor),
        "is_grad_enabled": lambda: False,
        "numel": lambda value: value.numel(),
        "_assert": _assert,
        "cat": cat,
        "concat": cat,
        "concatenate": cat,
        "stack": stack,
        "where": where,
        "full": full,
        "arange": arange,
        "linspace": linspace,
        "tensor": tensor,
        "as_tensor": tensor,
        "matmul": lambda a, b, out=None: _matmul(a, b, "matmul"),
        "zeros": _factory("zeros"),
        "ones": _factory("ones"),
        "empty": _factory("empty"),
        "randn": _factory("randn"),
        "rand": _factory("rand"),
        "zeros_like": _like("zeros_like"),
        "ones_like": _like("ones_like"),
        "empty_like": _like("empty_like"),
        "randn_like": _like("randn_like"),
        "rand_like": _like("rand_like"),
        "full_like": lambda input, fill_value, **kw: _like("full_like")(input, **kw),
        "return_types": return_types,
        "diff": diff,
    }
    for name, real in DTYPE_ALIASES.items():
        values[name] = DTYPES[real]
    for name, kind in DTYPES.items():
        values[name] = kind
    for name in [
        "flatten",
        "reshape",
        "transpose",
        "permute",
        "squeeze",
        "unsqueeze",
        "chunk",
        "split",
        "unbind",
        "narrow",
        "sum",
        "mean",
        "amax",
        "amin",
        "max",
        "min",
        "prod",
        "std",
        "var",
        "logsumexp",
        "argmax",
        "argmin",
        "all",
        "any",
        "mm",
        "bmm",
        "softmax",
        "log_softmax",
        "relu",
        "sigmoid",
        "tanh",
        "exp",
        "log",
        "sqrt",
        "rsqrt",
        "abs",
        "neg",
        "clamp",
        "clip",
        "sin",
        "cos",
        "erf",
        "sign",
        "floor",
        "ceil",
        "round",
        "square",
        "masked_fill",
        "t",
        "swapaxes",
        "norm",
    ]:
        values[name] = _method(name)
    for name in [
        "add",
        "sub",
        "mul",
        "div",
        "true_divide",
        "pow",
        "maximum",
        "minimum",
        "eq",
        "ne",
        "lt",
        "le",
        "gt",
        "ge",
        "divide",
        "multiply",
        "subtract",
        "floor_divide",
        "remainder",
    ]:
        values[name] = _binary_function(name)
    from ._flow import install

    functions = {name: functional.__dict__[name] for name in FUNCTIONS}
    install(values, functions)
    functional.__dict__.update(functions)
    torch = _module("torch", values)
    functional.__dict__["torch"] = torch
    _MADE["torch"] = torch
    return torch


def training_default() -> bool:
    return active().training
