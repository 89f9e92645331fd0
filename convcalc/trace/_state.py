"""The state of the trace in progress, and how an operation stops it.

One trace runs at a time in a process (the stand-in's tensors and modules read the active
:class:`Context`). An operation that fails raises :class:`Stop`, a ``BaseException`` so that a
model's ``except Exception:`` cannot swallow it, carrying a :mod:`.messages` message located
at the innermost line of the user's files.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from .messages import CannotTrace, Message, OutsideTrace, ValueDependent

__all__ = ["Context", "Origin", "Stop", "active", "stop", "user_frame"]


class Stop(BaseException):
    """Ends the trace with ``message``."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a tensor was made: ``line`` of ``file``, by ``what`` (``the view``, ``self.pool``),
    and the sizes a flatten or view merged into its last dimension."""

    file: str
    line: int
    what: str
    factors: tuple[int, ...] = ()


@dataclass
class Context:
    """Everything one trace collects and every limit it runs under."""

    files: dict[str, str] = field(default_factory=dict)  # co_filename -> name shown
    sources: dict[str, str] = field(default_factory=dict)  # co_filename -> source text
    phase: str = "define"  # define (module bodies), build (constructor), run (forward)
    training: bool = False
    max_steps: int = 2_000_000
    max_seconds: float = 10.0
    steps: int = 0
    deadline: float = 0.0
    recorder: Any = None  # the _recorder.Recorder of this trace

    def start_clock(self) -> None:
        self.deadline = time.perf_counter() + self.max_seconds

    def shown(self, filename: str) -> str:
        return self.files.get(filename, filename)


_ACTIVE: list[Context] = []


def active() -> Context:
    """The context of the trace in progress (a default one outside any trace)."""
    return _ACTIVE[-1] if _ACTIVE else _DEFAULT


_DEFAULT = Context()


def push(context: Context) -> None:
    _ACTIVE.append(context)


def pop() -> None:
    _ACTIVE.pop()


def user_frame(depth: int = 1) -> FrameType | None:
    """The innermost frame running one of the traced files."""
    files = active().files
    frame: FrameType | None = sys._getframe(depth)
    while frame is not None and frame.f_code.co_filename not in files:
        frame = frame.f_back
    return frame


def where() -> tuple[str | None, int | None]:
    """``(file shown, line)`` of the innermost line of the user's files, if any."""
    frame = user_frame(2)
    if frame is None:
        return None, None
    return active().shown(frame.f_code.co_filename), frame.f_lineno


def here(what: str, factors: tuple[int, ...] = ()) -> Origin | None:
    frame = user_frame(2)
    if frame is None:
        return None
    return Origin(active().shown(frame.f_code.co_filename), frame.f_lineno, what, factors)


def stop(message: Message) -> Stop:
    """A :class:`Stop` for ``message``, located at the user's line when it has none."""
    if message.file is None:
        message.file, message.line = where()
    return Stop(message)


def cannot(what: str) -> Stop:
    return stop(CannotTrace(f"cannot trace: {what}"))


def value_dependent(what: str) -> Stop:
    return stop(ValueDependent(what))


def outside(name: str) -> Stop:
    return stop(OutsideTrace(name))
