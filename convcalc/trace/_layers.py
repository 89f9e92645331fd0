"""``nn.Conv2d``, ``nn.Linear`` and the rest: modules that wrap convcalc's exact layers.

Constructing one binds PyTorch's signature by building the convcalc layer, so rejections are
PyTorch's. Its ``forward`` rebuilds the layer from the module's current attributes and
parameter shapes (as PyTorch's ``forward`` reads them), checks the input the way PyTorch's
kernels do, in their words, and returns a tensor of the output shape.
"""

from __future__ import annotations

import ast
from math import prod
from typing import Any

from .. import layers as _layers
from .._record import record_fields
from ..arithmetic import _pooled_size
from ..errors import ShapeError
from ..layers import Layer
from . import _shapes as S
from ._module import Module, Parameter
from ._state import active, cannot, here, stop
from ._tensor import DTYPES, Tensor, describe
from .messages import LayerRejects, PyTorchError

__all__ = ["apply_layer", "build_layer", "layer_module"]

_PARAMETER_FLAGS = ("bias",)
_CLASSES: dict[str, type[Module]] = {}
_TREES: dict[str, ast.Module] = {}


def build_layer(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Layer:
    """The convcalc layer for ``nn.<name>(*args, **kwargs)``, with PyTorch's rejections."""
    cls = getattr(_layers, name)  # loads only this layer's family
    kwargs = {k: v for k, v in kwargs.items() if k not in ("device", "dtype")}
    try:
        layer: Layer = cls(*args, **kwargs)
    except TypeError as exc:
        owner = _INIT_OWNER.get(name.rstrip("123d") if name[-1] == "d" else name, name)
        text = str(exc).replace(f"{name}()", f"{owner}.__init__()")
        text = text.replace("missing required argument", "missing 1 required positional argument:")
        raise stop(LayerRejects(f"nn.{name}(...): {text}")) from None
    except ShapeError as exc:
        words = _init_words(name, args, kwargs)
        text = f"{words}; {exc}" if words else str(exc)
        raise stop(LayerRejects(f"nn.{name}(...) fails in PyTorch: {text}")) from None
    return layer


# Layers whose __init__ PyTorch inherits: its TypeError names the class that defines it.
_INIT_OWNER = {
    "BatchNorm": "_BatchNorm",
    "InstanceNorm": "_InstanceNorm",
    "MaxPool": "_MaxPoolNd",
    "AdaptiveAvgPool": "_AdaptiveAvgPoolNd",
    "AdaptiveMaxPool": "_AdaptiveMaxPoolNd",
    "Dropout": "_DropoutNd",
    "AlphaDropout": "_DropoutNd",
    "FeatureAlphaDropout": "_DropoutNd",
    "LPPool": "_LPPoolNd",
}


def _init_words(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """PyTorch's own words for a convolution it rejects in ``__init__``."""
    if not name.startswith("Conv"):
        return ""
    # The first five arguments and groups (the seventh) sit at the same places in Conv and
    # ConvTranspose.
    names = ("in_channels", "out_channels", "kernel_size", "stride", "padding")
    values = {**dict(zip(names, args, strict=False)), **kwargs}
    values.setdefault("groups", args[6] if len(args) > 6 else 1)
    groups, padding = values.get("groups", 1), values.get("padding", 0)
    stride = values.get("stride", 1)
    if isinstance(groups, int) and groups <= 0:
        return "groups must be a positive integer"
    for field in ("in_channels", "out_channels"):
        value = values.get(field)
        if isinstance(value, int) and isinstance(groups, int) and value % groups:
            return f"{field} must be divisible by groups"
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            return f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}"
        strides = (stride,) if isinstance(stride, int) else tuple(stride)
        if padding == "same" and any(s != 1 for s in strides):
            return "padding='same' is not supported for strided convolutions"
    return ""


class _Leaf(Module):
    """A module whose forward is one convcalc layer."""

    _layer_name = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        layer = build_layer(self._layer_name, args, kwargs)
        setter = object.__setattr__
        setter(self, "_layer", layer)
        params = layer.parameter_shapes
        for name, value in record_fields(layer).items():
            if name not in _PARAMETER_FLAGS:
                setter(self, name, value)
        for name, shape in params.items():
            self._parameters[name] = Parameter(Tensor(shape))
        for flag in ("bias",):
            if flag in layer._record_fields and flag not in params:
                self._parameters[flag] = None
        if getattr(layer, "affine", getattr(layer, "elementwise_affine", True)) is False:
            self._parameters.setdefault("weight", None)
            self._parameters.setdefault("bias", None)
        for name, shape in layer.buffer_shapes.items():
            kind = DTYPES["int64"] if name == "num_batches_tracked" else DTYPES["float32"]
            self._buffers[name] = Tensor(shape, dtype=kind)
        if "track_running_stats" in layer._record_fields and not layer.buffer_shapes:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self._buffers[name] = None

    def _current(self) -> Layer:
        """The layer as the module's attributes now describe it."""
        layer: Layer = self.__dict__["_layer"]
        values = record_fields(layer)
        changed = {}
        for name, value in values.items():
            if name == "bias":
                now = self._parameters.get("bias") is not None
            else:
                now = self.__dict__.get(name, value)
            if now != value:
                changed[name] = now
        weight = self._parameters.get("weight")
        if weight is not None and self._layer_name.startswith(("Conv", "Linear")):
            wshape = tuple(weight.shape)
            groups = values.get("groups", 1)
            if self._layer_name == "Linear":
                wanted = {"out_features": wshape[0], "in_features": wshape[1]}
            elif self._layer_name.startswith("ConvTranspose"):
                wanted = {"in_channels": wshape[0], "out_channels": wshape[1] * groups}
            else:
                wanted = {"out_channels": wshape[0], "in_channels": wshape[1] * groups}
            changed.update({k: v for k, v in wanted.items() if values[k] != v})
        if not changed:
            return layer
        try:
            return type(layer)(**{**values, **changed})
        except (TypeError, ShapeError) as exc:
            raise stop(LayerRejects(f"{self._layer_name} with changed attributes: {exc}")) from None

    def forward(self, input: Any, *rest: Any) -> Any:
        if rest:
            raise cannot(f"nn.{self._layer_name} with {len(rest) + 1} inputs")
        if not isinstance(input, Tensor):
            raise stop(
                PyTorchError(
                    f"nn.{self._layer_name}",
                    [],
                    f"{self._layer_name}.forward() expects a Tensor, got {type(input).__name__}",
                )
            )
        return apply_layer(self._current(), input, self)

    def extra_repr(self) -> str:
        return repr(self.__dict__["_layer"])


def layer_module(name: str) -> type[Module]:
    """The ``nn.<name>`` class (made once); ``Lazy<name>`` for the lazy ones."""
    cls = _CLASSES.get(name)
    if cls is None:
        if name.startswith("Lazy"):
            base: type[Module] = _Lazy
            namespace = {"_becomes": name[4:], "__module__": "torch.nn"}
        else:
            base, namespace = _Leaf, {"_layer_name": name, "__module__": "torch.nn"}
        cls = _CLASSES[name] = type(name, (base,), namespace)
    return cls


_LAZY_KINDS = ("Conv", "ConvTranspose", "BatchNorm", "InstanceNorm")
LAZY = (*(f"Lazy{kind}{nd}d" for kind in _LAZY_KINDS for nd in (1, 2, 3)), "LazyLinear")


class _Lazy(Module):
    """``nn.LazyConv2d`` and friends: the first size argument comes from the first input,
    and the module then becomes the ordinary one (``cls_to_become``), as in PyTorch."""

    _becomes = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        object.__setattr__(self, "_lazy_arguments", (args, kwargs))
        # PyTorch's own rejections of the other arguments come at construction.
        layer_module(self._becomes)(_probe_size(self._becomes, args, kwargs), *args, **kwargs)

    def forward(self, input: Any, *rest: Any) -> Any:
        if not isinstance(input, Tensor):
            raise cannot(f"nn.Lazy{self._becomes} on a {type(input).__name__}")
        name = self._becomes
        shape = tuple(input.shape)
        if name == "Linear":
            if not shape:
                raise cannot("nn.LazyLinear on a 0-d tensor")
            size = shape[-1]
        elif name.startswith("Conv"):
            nd = int(name[-2])
            if len(shape) not in (nd + 1, nd + 2):
                raise stop(
                    PyTorchError(
                        f"nn.Lazy{name}",
                        [describe(input)],
                        f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                        f"Lazy{name}, but got input of size: torch.Size({S.listed(shape)})",
                    )
                )
            size = shape[1] if len(shape) == nd + 2 else shape[0]
        else:
            if len(shape) < 2:
                raise cannot(f"nn.Lazy{name} on a {len(shape)}-d tensor")
            size = shape[1]
        args, kwargs = self.__dict__["_lazy_arguments"]
        site = self.__dict__.get("_site")
        real = layer_module(name)(size, *args, **kwargs)
        training = self.training
        self.__dict__.clear()
        self.__dict__.update(real.__dict__)
        object.__setattr__(self, "_site", site)
        object.__setattr__(self, "training", training)
        object.__setattr__(self, "__class__", type(real))
        return self.forward(input, *rest)


def _probe_size(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """A first size argument that satisfies ``groups`` (for checking the others)."""
    groups = kwargs.get("groups", args[4] if name.startswith("Conv") and len(args) > 4 else 1)
    if name.startswith("ConvTranspose"):
        groups = kwargs.get("groups", args[5] if len(args) > 5 else 1)
    return groups if isinstance(groups, int) and groups > 0 else 1


# --------------------------------------------------------------------------------------------
# applying a layer, with PyTorch's checks and words


def apply_layer(layer: Layer, x: Tensor, module: Module | None = None, op: str = "") -> Tensor:
    name = type(layer).__name__
    shape = tuple(x.shape)
    _pytorch_checks(layer, x, module, op)
    try:
        if _running_statistics(layer, module):
            # An eval-mode norm with running statistics normalises even a single value per
            # channel (convcalc's layers answer for a module in training mode, its default);
            # rank and channels were checked above.
            out, macs = shape, 0
        else:
            out = layer.output_shape(shape)
            macs = layer.macs(shape)
    except ShapeError as exc:
        op = op or _op_name(module, layer)
        words = _pool_words(layer, shape)
        fix = (
            "the input has shrunk to nothing by this point: give a larger input, or downsample "
            "less before this layer"
            if words.endswith("Output size is too small")
            else ""
        )
        raise stop(PyTorchError(op, [describe(x)], words or str(exc), fix)) from None
    recorder = active().recorder
    if recorder is not None:
        recorder.layer_done(layer, macs, module)
    what = _owner_name(module) or f"the {name}"
    # A layer's output is contiguous for a contiguous input (and always for Linear, a matrix
    # product); for any other input its layout is one convcalc does not follow.
    contiguous = name == "Linear" or S.is_contiguous(shape, x._strides)
    result = Tensor(
        out,
        strides=True if contiguous else None,
        origin=here(what, tuple(shape[1:]) if name == "Flatten" and len(out) == 2 else ()),
    )
    if recorder is not None and recorder.flow is not None:
        recorder.flow.layer(layer, x, result, module)
    if getattr(layer, "return_indices", False):
        return (result, Tensor(out, dtype=DTYPES["int64"]))  # type: ignore[return-value]
    return result


def _running_statistics(layer: Layer, module: Module | None) -> bool:
    name = type(layer).__name__
    if not name.startswith("BatchNorm"):
        return False
    training = module.training if module is not None else active().training
    return not training and bool(getattr(layer, "track_running_stats", False))


def _owner_name(module: Module | None) -> str:
    recorder = active().recorder
    if module is None or recorder is None:
        return ""
    name = recorder.names.get(id(module))
    return f"self.{name}" if name else ""


def _op_name(module: Module | None, layer: Layer) -> str:
    text = constructor_text(module)
    owner = _owner_name(module)
    call = text[0] if text else f"nn.{type(layer).__name__}"
    return f"{owner} ({call})" if owner else call


def constructor_text(module: Module | None) -> tuple[str, int, ast.Call | None] | None:
    """The source of the call that built ``module`` (``nn.Linear(1050, 10)``), its line and
    its syntax node."""
    if module is None:
        return None
    site = module.__dict__.get("_site")
    if site is None:
        return None
    filename, line = site
    context = active()
    source = context.sources.get(filename) if hasattr(context, "sources") else None
    if source is None:
        return None
    wanted = type(module).__name__
    tree = _TREES.get(source)
    if tree is None:
        try:
            tree = _TREES[source] = ast.parse(source)
        except SyntaxError:
            return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or line):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == wanted:
                return ast.get_source_segment(source, node) or wanted, node.lineno, node
    return None


def _replace_first(module: Module | None, new: int, field: str) -> str:
    """``nn.Linear(1050, 10)`` on line 9 should be ``nn.Linear(1568, 10)``."""
    found = constructor_text(module)
    if found is None:
        return f"{field} should be {new}"
    text, line, node = found
    if node is None:
        return f"{field} of `{text}` on line {line} should be {new}"
    args = node.args
    source_line = text
    if args and isinstance(args[0], ast.Constant):
        first = args[0]
        start = first.col_offset - node.col_offset if first.lineno == node.lineno else -1
        if start >= 0:
            end = start + len(repr(first.value))
            fixed = source_line[:start] + str(new) + source_line[end:]
            return f"`{text}` on line {line} should be `{fixed}`"
    for keyword in node.keywords:
        if keyword.arg == field and isinstance(keyword.value, ast.Constant):
            fixed = text.replace(f"{field}={keyword.value.value!r}", f"{field}={new}", 1)
            return f"`{text}` on line {line} should be `{fixed}`"
    return f"{field} of `{text}` on line {line} should be {new}"


def _pytorch_checks(layer: Layer, x: Tensor, module: Module | None, given: str) -> None:
    name = type(layer).__name__
    shape = tuple(x.shape)
    if name == "Linear":
        in_features = layer.in_features  # type: ignore[attr-defined]
        out_features = layer.out_features  # type: ignore[attr-defined]
        if shape and shape[-1] != in_features:
            rows = prod(shape[:-1]) if len(shape) > 1 else 1
            error = (
                f"mat1 and mat2 shapes cannot be multiplied ({rows}x{shape[-1]} and "
                f"{in_features}x{out_features})"
            )
            if len(shape) > 2:
                flat = prod(shape[1:])
                fix = (
                    f"the input is not flattened: add `x = torch.flatten(x, 1)` before this "
                    f"line (it gives {flat} features"
                )
                if flat == in_features:
                    fix += f", as in_features {in_features} expects)"
                else:
                    fix += f"), and then {_replace_first(module, flat, 'in_features')}"
            else:
                fix = _replace_first(module, shape[-1], "in_features")
            raise stop(PyTorchError(given or _op_name(module, layer), [describe(x)], error, fix))
        return
    if name.startswith("Conv") and not name.startswith("ConvTranspose"):
        nd = int(name[-2])
        if len(shape) not in (nd + 1, nd + 2):
            error = (
                f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to conv{nd}d, but "
                f"got input of size: {S.listed(shape)}"
            )
            raise stop(PyTorchError(given or _op_name(module, layer), [describe(x)], error))
        batched = shape if len(shape) == nd + 2 else (1, *shape)
        groups = layer.groups  # type: ignore[attr-defined]
        weight = layer.weight_shape or ()
        if batched[1] != layer.in_channels:  # type: ignore[attr-defined]
            error = (
                f"Given groups={groups}, weight of size {S.listed(weight)}, expected "
                f"input{S.listed(batched)} to have {layer.in_channels} channels, but got "  # type: ignore[attr-defined]
                f"{batched[1]} channels instead"
            )
            fix = _replace_first(module, batched[1], "in_channels")
            if x.origin is not None and x.origin.what.startswith("input"):
                fix = (
                    f"the input has {batched[1]} channel{'s' if batched[1] != 1 else ''}: give "
                    f"a {layer.in_channels}-channel input, or {fix}"  # type: ignore[attr-defined]
                )
            raise stop(PyTorchError(given or _op_name(module, layer), [describe(x)], error, fix))
        if layer.padding_mode == "zeros":  # type: ignore[attr-defined]
            pads = layer.explicit_padding()  # type: ignore[attr-defined]
            padded = [s + a + b for s, (a, b) in zip(batched[2:], pads, strict=True)]
            span = [d * (k - 1) + 1 for k, d in zip(layer.kernel_size, layer.dilation, strict=True)]  # type: ignore[attr-defined]
            if any(p < k for p, k in zip(padded, span, strict=True)):
                error = (
                    f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                    f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater "
                    "than actual input size"
                )
                fix = (
                    "the input has shrunk below the kernel by this point: give a larger input, "
                    "pad more, or downsample less before this layer"
                )
                raise stop(
                    PyTorchError(given or _op_name(module, layer), [describe(x)], error, fix)
                )
        return
    if name.startswith("BatchNorm"):
        nd = int(name[-2])
        ranks = {1: "2D or 3D", 2: "4D", 3: "5D"}[nd]
        if (nd == 1 and len(shape) not in (2, 3)) or (nd > 1 and len(shape) != nd + 2):
            raise stop(
                PyTorchError(
                    given or _op_name(module, layer),
                    [describe(x)],
                    f"expected {ranks} input (got {len(shape)}D input)",
                )
            )
        features = layer.num_features  # type: ignore[attr-defined]
        if shape[1] != features:
            what = "running_mean" if layer.track_running_stats else "weight"  # type: ignore[attr-defined]
            error = f"{what} should contain {shape[1]} elements not {features}"
            fix = _replace_first(module, shape[1], "num_features")
            raise stop(PyTorchError(given or _op_name(module, layer), [describe(x)], error, fix))
        training = module.training if module is not None else active().training
        if training and prod(shape) // max(shape[1], 1) == 1:
            error = (
                "Expected more than 1 value per channel when training, got input size "
                f"torch.Size({S.listed(shape)})"
            )
            raise stop(PyTorchError(given or _op_name(module, layer), [describe(x)], error))


def _pool_words(layer: Layer, shape: tuple[int, ...]) -> str:
    """PyTorch's message for a pooling padding over half the window, or a window larger
    than its (padded) input."""
    name = type(layer).__name__
    if not name.startswith(("MaxPool", "AvgPool")):
        return ""
    nd = int(name[-2])
    if len(shape) not in (nd + 1, nd + 2):
        return ""
    spatial = shape[-nd:]
    ceil = layer.ceil_mode  # type: ignore[attr-defined]
    try:
        kernel, stride, padding, dilation = layer._window_arguments()  # type: ignore[attr-defined]
    except (ShapeError, ValueError):
        return ""
    over = [
        (p, k, d)
        for p, k, d in zip(padding, kernel, dilation, strict=True)
        if 2 * p > (k - 1) * d + 1
    ]
    if over and len(set(over)) == 1 and over[0][2] == 1:
        p, k, d = over[0]
        if name == "MaxPool1d":
            return (
                f"max_pool1d() padding should be at most half of kernel size, but got "
                f"padding={p} and kernel_size={k}"
            )
        return (
            f"pad should be at most half of effective kernel size, but got pad={p}, "
            f"kernel_size={k} and dilation={d}"
        )
    try:
        out = [
            _pooled_size(s, k, st, p, d, ceil)
            for s, k, st, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True)
        ]
    except (ShapeError, ZeroDivisionError, ValueError):
        return ""
    if all(o >= 1 for o in out):
        return ""
    channels = shape[-nd - 1]
    given = "x".join(str(s) for s in (channels, *spatial))
    calc = "x".join(str(s) for s in (channels, *out))
    return (
        f"Given input size: ({given}). Calculated output size: ({calc}). Output size is too small"
    )
