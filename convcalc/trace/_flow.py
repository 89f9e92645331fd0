"""The dataflow of a trace: which tensor feeds which operation.

While ``forward`` runs, every operation on a tensor that came from the model's input (a
layer, a module call, ``+``, ``torch.cat``, ``x.view``, ``chunk``, indexing, ...) appends an
:class:`Event` naming the events that made its operands; each tensor it returns remembers
its event in ``Tensor.node``. Tensors made from nothing (parameters, ``torch.zeros``) have no
event. ``_graph`` turns the events into a :class:`~convcalc.network.Network`.

Recording is a wrapper around the stand-in's tensor methods and torch functions that does
nothing unless a trace is recording its ``forward``; operations called inside another one
(``flatten`` calls ``reshape``) are recorded once, as the outer one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._state import user_frame
from ._tensor import Tensor

__all__ = ["Event", "Flow", "install"]

Shape = tuple[int, ...]


@dataclass(slots=True)
class Event:
    """One step of the dataflow.

    ``kind`` is ``input`` (a forward argument), ``layer`` (a convcalc layer applied by a
    module or a function), ``op`` (a tensor operation, named as called), ``piece`` (tensor
    ``index`` of an operation that returns several), ``enter``/``leave`` (a module call).
    """

    kind: str
    name: str
    sources: tuple[int | None, ...] = ()
    shapes: tuple[Shape, ...] = ()
    out: Shape = ()
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    layer: Any = None
    module: Any = None  # the module whose own forward applied the layer (a row)
    draft: Any = None  # the module call (enter/leave), or the innermost one it happens in
    index: int = 0  # input position, piece index
    file: str | None = None
    line: int | None = None


class Flow:
    """The events of one trace's forward."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder
        self.events: list[Event] = []
        self.busy = False
        self.outputs: tuple[int | None, ...] = ()

    def output(self, value: Any) -> None:
        """Remember which events made the forward's result (its tensors in order)."""
        if isinstance(value, dict):
            value = list(value.values())
        self.outputs = tuple(t.node for t in _flat(value))

    def _where(self, event: Event) -> Event:
        frame = user_frame()
        if frame is not None:
            context = self.recorder.context
            event.file = context.shown(frame.f_code.co_filename)
            event.line = frame.f_lineno
        return event

    def _draft(self) -> Any:
        stack = self.recorder.stack
        return stack[-1] if stack else None

    def _add(self, event: Event) -> int:
        self.events.append(event)
        return len(self.events) - 1

    def input(self, tensor: Tensor, index: int) -> None:
        tensor.node = self._add(
            Event("input", f"input {index + 1}", out=tuple(tensor.shape), index=index)
        )

    def layer(self, layer: Any, x: Tensor, out: Any, module: Any) -> None:
        if x.node is None:
            return  # a layer applied to a constant: no part of the dataflow
        draft = self._draft()
        mine = module is not None and draft is not None and draft.module is module
        event = Event(
            "layer",
            type(layer).__name__,
            (x.node,),
            (tuple(x.shape),),
            layer=layer,
            module=module if mine else None,
            draft=draft,
        )
        self._where(event)
        self._outputs(event, out)

    def enter(self, draft: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        tensors = _tensors((*args, *kwargs.values()))
        self._add(
            Event(
                "enter",
                type(draft.module).__name__,
                tuple(t.node for t in tensors),
                tuple(tuple(t.shape) for t in tensors),
                draft=draft,
            )
        )

    def leave(self, draft: Any, output: Any) -> None:
        tensors = _tensors((output,)) if not isinstance(output, dict) else _tensors(output.values())
        self._add(
            Event(
                "leave",
                type(draft.module).__name__,
                tuple(t.node for t in tensors),
                tuple(tuple(t.shape) for t in tensors),
                draft=draft,
                args=(isinstance(output, Tensor),),  # a tensor, not a tuple of one
            )
        )

    def op(self, name: str, operands: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
        tensors = _tensors((*operands, *kwargs.values()))
        sources = tuple(t.node for t in tensors)
        if all(s is None for s in sources):
            return  # made from constants only: no part of the dataflow
        event = Event(
            "op",
            name,
            sources,
            tuple(tuple(t.shape) for t in tensors),
            # Lists as they are now: a model may append to one after the call (DenseNet).
            args=tuple(list(a) if isinstance(a, list) else a for a in operands),
            kwargs=kwargs,
            draft=self._draft(),
        )
        self._where(event)
        self._outputs(event, result)

    def _outputs(self, event: Event, result: Any) -> None:
        if isinstance(result, Tensor):
            event.out = tuple(result.shape)
            result.node = self._add(event)
            return
        pieces = [r for r in result if isinstance(r, Tensor)] if isinstance(result, tuple) else []
        event.index = len(pieces)  # several outputs: one piece event each
        parent = self._add(event)
        for k, piece in enumerate(pieces):
            piece.node = self._add(
                Event(
                    "piece",
                    event.name,
                    (parent,),
                    out=tuple(piece.shape),
                    index=k,
                    draft=event.draft,
                    file=event.file,
                    line=event.line,
                )
            )


_ACTIVE: list[Flow | None] = [None]


def active_flow() -> Flow | None:
    return _ACTIVE[0]


def set_flow(flow: Flow | None) -> None:
    _ACTIVE[0] = flow


def _tensors(values: Any) -> list[Tensor]:
    found: list[Tensor] = []
    for value in values:
        if isinstance(value, Tensor):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(v for v in value if isinstance(v, Tensor))
    return found


def _flat(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _flat(item)]
    return []


def _recorded(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        flow = _ACTIVE[0]
        if flow is None or flow.busy:
            return function(*args, **kwargs)
        flow.busy = True
        try:
            result = function(*args, **kwargs)
        finally:
            flow.busy = False
        if isinstance(result, Tensor) or (
            isinstance(result, tuple) and any(isinstance(r, Tensor) for r in result)
        ):
            flow.op(name, args, kwargs, result)
        return result

    return call


# Tensor methods that do not make a tensor of the dataflow.
_NOT_OPS = frozenset(
    [
        "size",
        "dim",
        "ndimension",
        "numel",
        "nelement",
        "stride",
        "is_contiguous",
        "is_floating_point",
        "item",
        "tolist",
        "numpy",
        "requires_grad_",
        "type",
        "cpu",
        "cuda",
        "pin_memory",
        "share_memory_",
        "zero_",
        "fill_",
        "normal_",
        "uniform_",
        "copy_",
        "bernoulli_",
        "exponential_",
        "random_",
        "new_zeros",
        "new_ones",
        "new_empty",
        "new_full",
    ]
)
_DUNDERS = frozenset(
    [
        "__getitem__",
        "__add__",
        "__radd__",
        "__iadd__",
        "__sub__",
        "__rsub__",
        "__isub__",
        "__mul__",
        "__rmul__",
        "__imul__",
        "__truediv__",
        "__rtruediv__",
        "__itruediv__",
        "__floordiv__",
        "__rfloordiv__",
        "__ifloordiv__",
        "__mod__",
        "__rmod__",
        "__imod__",
        "__pow__",
        "__rpow__",
        "__ipow__",
        "__matmul__",
        "__rmatmul__",
        "__neg__",
        "__pos__",
        "__abs__",
        "__invert__",
        "__and__",
        "__or__",
        "__xor__",
        "__eq__",
        "__ne__",
        "__lt__",
        "__le__",
        "__gt__",
        "__ge__",
    ]
)


def install(torch_values: dict[str, Any], functions: dict[str, Any]) -> None:
    """Wrap the stand-in's tensor methods, torch functions and ``torch.nn.functional``
    functions so that they record events (once per process)."""
    if getattr(Tensor, "_flow_installed", False):
        return
    for owner in Tensor.__mro__[:-1]:
        for name, value in list(vars(owner).items()):
            if name in _NOT_OPS or (name.startswith("_") and name not in _DUNDERS):
                continue
            if not callable(value) or isinstance(value, (staticmethod, classmethod, type)):
                continue
            if getattr(Tensor, name) is not value:
                continue  # overridden lower down: wrapped there
            setattr(Tensor, name, _recorded(name, value))
    Tensor._flow_installed = True  # type: ignore[attr-defined]
    for name in ("cat", "concat", "concatenate", "stack", "where", "matmul", "diff"):
        torch_values[name] = _recorded(
            "cat" if name.startswith("conca") else name, torch_values[name]
        )
    for name, value in list(torch_values.items()):
        if getattr(value, "__name__", "") == "call" and callable(value):
            torch_values[name] = _recorded(name, value)  # torch.add, torch.mul, ...
    for name, value in list(functions.items()):
        if name not in _LAYER_FUNCTIONS:
            functions[name] = _recorded(f"F.{name}", value)


# Functions of torch.nn.functional that apply a convcalc layer: recorded as that layer.
_LAYER_FUNCTIONS = frozenset(
    {
        *(f"conv{n}d" for n in (1, 2, 3)),
        *(f"conv_transpose{n}d" for n in (1, 2, 3)),
        *(
            f"{k}_pool{n}d"
            for k in ("max", "avg", "adaptive_avg", "adaptive_max", "lp")
            for n in (1, 2, 3)
        ),
        "linear",
        "layer_norm",
        "group_norm",
        "interpolate",
        "upsample",
        "pixel_shuffle",
        "pixel_unshuffle",
        "unfold",
        "fold",
    }
)
