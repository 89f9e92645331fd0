"""The result of a trace: the same :class:`~convcalc.network.Summary` as ``convcalc net``,
plus the shapes of every executed line."""

from __future__ import annotations

from math import prod
from typing import Any

from .._record import Record, field
from ..network import Mode, Network, Row, Summary, Totals
from ._recorder import Draft, Recorder
from ._tensor import Tensor

__all__ = ["Line", "TraceSummary", "build_summary", "flat_outputs"]


class Line(Record):
    """One executed line of the model's files: what it assigned or returned, with shapes
    (a shape, a list of shapes for a tuple of tensors, or a number), and the indices of the
    summary rows of the modules it called."""

    file: str
    line: int
    code: str
    depth: int
    shapes: tuple[tuple[str, Any], ...] = ()
    calls: tuple[int, ...] = ()


class TraceSummary(Summary):
    """A :class:`Summary` of a traced model; ``outputs`` holds every output tensor's shape
    (one for a tensor result, several for a tuple, list or dict) and ``lines`` the executed
    lines. ``output_shape`` is the first output's shape."""

    outputs: tuple[tuple[int, ...], ...] = ()
    lines: tuple[Line, ...] = ()
    module_name: str = ""
    # Which tensor fed which operation in forward (a _flow.Flow): for ``network``.
    dataflow: Any = field(default=None, kw_only=True)

    @property
    def network(self) -> Network:
        """The traced model as a :class:`~convcalc.network.Network` (the operations of its
        forward at the traced input size), which ``summarize`` summarises to this table and
        analysis (receptive fields, valid inputs, explain) can ask about. Raises
        :class:`~convcalc.errors.UntraceableError` naming the line of an operation the
        network format cannot express."""
        from ._graph import trace_network

        return trace_network(self)


def flat_outputs(value: Any) -> list[tuple[int, ...]] | None:
    """Shapes of the tensors in a result, in order; None if it holds something else."""
    if isinstance(value, Tensor):
        return [tuple(value.shape)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (tuple, list)):
        shapes: list[tuple[int, ...]] = []
        for item in value:
            inner = flat_outputs(item)
            if inner is None:
                return None
            shapes += inner
        return shapes
    return None


def _row(index: int, draft: Draft, seen: dict[int, str]) -> Row:
    module = draft.module
    outputs = flat_outputs(draft.output) or [()]
    is_block = draft.children > 0
    params = list(module.parameters())
    count = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    shared = None
    if count and not is_block:
        # A module with parameters called again: they count once (torchinfo's "(recursive)").
        shared = seen.get(id(module))
        if shared is None:
            seen[id(module)] = draft.name
        else:
            count = trainable = 0
    layer = draft.layer
    kernel = getattr(layer, "kernel_size", None) if layer is not None else None
    return Row(
        index,
        draft.name,
        type(module).__name__,
        draft.depth,
        draft.inputs,
        outputs[0],
        count,
        trainable,
        draft.macs,
        kernel_size=kernel
        if isinstance(kernel, tuple)
        else ((kernel,) if isinstance(kernel, int) else None),
        groups=getattr(layer, "groups", None) if layer is not None else None,
        is_block=is_block,
        layer=layer,
        scope=draft.scope,
        shared_with=shared,
    )


def build_summary(
    name: str,
    root: Any,
    inputs: list[tuple[int, ...]],
    output: Any,
    recorder: Recorder,
    module_name: str,
    *,
    flow: Any = None,
    mode: str = "eval",
) -> TraceSummary:
    seen: dict[int, str] = {}
    rows = tuple(_row(i, d, seen) for i, d in enumerate(recorder.rows))
    params = list(root.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    buffers = sum(b.numel() for b in root.buffers())
    outputs = tuple(flat_outputs(output) or [])
    leaves = [r for r in rows if not r.is_block]
    totals = Totals(
        params=total,
        trainable_params=trainable,
        non_trainable_params=total - trainable,
        macs=recorder.macs,
        buffers=buffers,
        activations=sum(prod(r.output_shape) for r in leaves),
        input_elements=sum(prod(s) for s in inputs),
    )
    lines = tuple(
        Line(
            d.file,
            d.line,
            d.code,
            d.depth,
            tuple((k, v) for k, v in d.shapes),
            tuple(i for i in d.calls if recorder.rows[i].output is not None),
        )
        for d in recorder.lines
    )
    return TraceSummary(
        name,
        inputs[0] if inputs else (),
        outputs[0] if outputs else (),
        rows,
        totals,
        outputs=outputs,
        lines=lines,
        module_name=module_name,
        mode=Mode(mode),
        dataflow=flow,
    )
