"""What a trace records: a row per module call, as torchinfo's hooks see them, and the shape of
what each executed line of the user's files assigns or returns.

The line recorder is a ``sys.settrace`` function on frames of the traced files only. It also
keeps the budget: every line of those files counts a step, and past the step or time budget
the trace stops (a loop that never ends in a model's ``__init__`` or ``forward``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from ..layers import Layer
from ._state import Context, Stop, user_frame
from ._tensor import Size, Tensor
from .messages import BudgetExceeded

__all__ = ["Draft", "LineDraft", "Recorder"]

_MAX_LINES = 100_000


@dataclass
class Draft:
    """A module call in progress or done."""

    module: Any
    name: str
    depth: int
    scope: tuple[str, ...]
    inputs: tuple[tuple[int, ...], ...]
    output: Any = None
    layer: Layer | None = None
    macs: int = 0
    children: int = 0


@dataclass
class LineDraft:
    file: str
    line: int
    code: str
    depth: int
    shapes: list[tuple[str, Any]] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)


class Recorder:
    """Collects rows and lines for one trace and enforces its budget."""

    def __init__(self, context: Context, prepared: dict[str, Any]) -> None:
        self.context = context
        self.prepared = prepared
        self.names: dict[int, str] = {}
        self.rows: list[Draft] = []
        self.stack: list[Draft | None] = []
        self.macs = 0
        self.lines: list[LineDraft] = []
        self.recording = False
        self.flow: Any = None  # the _flow.Flow of forward, while it runs
        self._current: dict[int, LineDraft | None] = {}
        self._lines_cache: dict[str, list[str]] = {}

    # -- module calls ----------------------------------------------------------------------

    def call(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not self.stack:
            self.stack.append(None)
            try:
                return module.forward(*args, **kwargs)
            finally:
                self.stack.pop()
        scope = tuple(d.name for d in self.stack if d is not None)
        name = self.names.get(id(module)) or type(module).__name__.lower()
        inputs = tuple(tuple(a.shape) for a in (*args, *kwargs.values()) if isinstance(a, Tensor))
        draft = Draft(module, name, len(self.stack) - 1, scope, inputs)
        index = len(self.rows)
        self.rows.append(draft)
        parent = self.stack[-1]
        if parent is not None:
            parent.children += 1
        frame = user_frame()
        if frame is not None:
            line = self._current.get(id(frame))
            if line is not None:
                line.calls.append(index)
        self.stack.append(draft)
        flow = self.flow
        if flow is not None:
            flow.enter(draft, args, kwargs)
        before = self.macs
        try:
            draft.output = module.forward(*args, **kwargs)
        finally:
            self.stack.pop()
        if flow is not None:
            flow.leave(draft, draft.output)
        draft.macs = self.macs - before
        return draft.output

    def layer_done_functional(self, macs: int) -> None:
        """MACs of an operation that is no convcalc layer (attention's projections)."""
        self.macs += macs

    def layer_done(self, layer: Layer, macs: int, module: Any = None) -> None:
        self.macs += macs
        top = self.stack[-1] if self.stack else None
        # The module's own layer (not one its own forward applies as a function, as a
        # LayerNorm2d does with F.layer_norm): the row shows it.
        if top is not None and top.layer is None and module is top.module:
            top.layer = layer

    # -- lines -----------------------------------------------------------------------------

    def start(self) -> Any:
        previous = sys.gettrace()
        self.context.start_clock()
        files = self.context.files
        local = self._local

        # Called for every new frame of any code while the trace runs: kept minimal.
        def on_call(frame: FrameType, event: str, arg: Any) -> Any:
            return local if frame.f_code.co_filename in files else None

        sys.settrace(on_call)
        return previous

    def _local(self, frame: FrameType, event: str, arg: Any) -> Any:
        context = self.context
        context.steps += 1
        if context.steps & 1023 == 0:
            self._check_budget(frame)
        if context.steps > context.max_steps:
            self._check_budget(frame, force=True)
        if not self.recording:
            return self._local
        key = id(frame)
        if event == "line":
            self._finish(self._current.get(key), frame, None, False)
            self._current[key] = self._begin(frame)
        elif event == "return":
            self._finish(self._current.pop(key, None), frame, arg, True)
        elif event == "exception":
            self._current.pop(key, None)  # the line did not finish: it assigned nothing
        return self._local

    def alarm(self, frame: FrameType | None) -> None:
        """The wall-clock budget ran out inside a call that runs no Python lines (a
        ``time.sleep``, a blocking C call): stop at the innermost line of the model's files."""
        files = self.context.files
        while frame is not None and frame.f_code.co_filename not in files:
            frame = frame.f_back
        if frame is None:  # not inside the model's code: the lines tracer will catch it
            return
        self._check_budget(frame, force=True, over_time=True)

    def _check_budget(
        self, frame: FrameType, force: bool = False, over_time: bool | None = None
    ) -> None:
        context = self.context
        if over_time is None:
            over_time = time.perf_counter() > context.deadline
        if force or over_time:
            what = (
                f"{context.max_seconds:g} s (a loop that never ends, or a call that waits?)"
                if over_time
                else f"{context.max_steps:,} lines (a loop that never ends?)"
            )
            sys.settrace(None)
            raise Stop(
                BudgetExceeded(
                    f"cannot trace: the model ran past convcalc's budget of {what}; it stopped "
                    "here",
                    context.shown(frame.f_code.co_filename),
                    frame.f_lineno,
                )
            )

    def _begin(self, frame: FrameType) -> LineDraft | None:
        if len(self.lines) >= _MAX_LINES:
            return None
        filename = frame.f_code.co_filename
        lines = self._lines_cache.get(filename)
        if lines is None:
            lines = self._lines_cache[filename] = self.context.sources.get(
                filename, ""
            ).splitlines()
        number = frame.f_lineno
        code = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        depth = max(len(self.stack) - 1, 0)
        draft = LineDraft(self.context.shown(filename), number, code, depth)
        self.lines.append(draft)
        return draft

    def _finish(
        self, draft: LineDraft | None, frame: FrameType, value: Any, returning: bool
    ) -> None:
        if draft is None:
            return
        prepared = self.prepared.get(frame.f_code.co_filename)
        names = prepared.assigned.get(draft.line) if prepared is not None else None
        if returning and names == ("return",):
            _shapes_of("return", value, draft.shapes)
            return
        if not names or names == ("return",):
            return
        local = frame.f_locals
        for name in names:
            if "." in name:
                owner, _, attr = name.partition(".")
                holder = local.get(owner)
                found = getattr(holder, "__dict__", {}).get(attr)
                if found is None:
                    for store in ("_parameters", "_buffers", "_modules"):
                        found = getattr(holder, "__dict__", {}).get(store, {}).get(attr)
                        if found is not None:
                            break
                _shapes_of(name, found, draft.shapes)
            elif name in local:
                _shapes_of(name, local[name], draft.shapes)


def _shapes_of(name: str, value: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, Tensor):
        out.append((name, tuple(value.shape)))
    elif isinstance(value, Size):
        out.append((name, f"torch.Size({list(value)})"))
    elif isinstance(value, (tuple, list)) and value and all(isinstance(v, Tensor) for v in value):
        out.append((name, tuple(tuple(v.shape) for v in value)))
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and name != "return":
        out.append((name, value))
