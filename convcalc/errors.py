"""The exceptions convcalc raises for a user's mistake.

::

    ConvCalcError        base class; str(exc) is the message a user sees
    ├── SpecError        the YAML spec is malformed or invalid   (+ ValueError)
    ├── ShapeError       a layer cannot accept its configuration or input shape (+ ValueError)
    └── TraceError       a model's Python file fails as PyTorch would fail (exit code 1)
        └── UntraceableError  the file does something convcalc cannot trace (exit code 3)

Every user mistake raises a subclass; a bare ``ValueError`` or ``TypeError`` means a bug in
the caller's program. Mixing in ``ValueError`` lets generic callers catch them too.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConvCalcError", "ShapeError", "SpecError", "TraceError", "UntraceableError"]


class ConvCalcError(Exception):
    """Base class of every error convcalc raises for bad input."""


class ShapeError(ConvCalcError, ValueError):
    """A layer's configuration is invalid, or it cannot accept an input shape.

    Raised at construction where PyTorch rejects the configuration in ``__init__``, and by
    ``output_shape`` where PyTorch would fail in ``forward``.
    """


class SpecError(ConvCalcError, ValueError):
    """A network spec is malformed or invalid.

    ``path`` locates the value (``layers[2].stride``); ``line`` and ``column`` are 1-based and
    ``source`` names the file, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.source = source

    def __str__(self) -> str:
        where = ":".join(
            str(part) for part in (self.source, self.line, self.column) if part is not None
        )
        prefix = f"{where}: " if where else ""
        path = f"{self.path}: " if self.path else ""
        return f"{prefix}{path}{self.message}"


class TraceError(ConvCalcError):
    """Tracing a model's ``.py`` file found a line that would fail under PyTorch, or a mistake
    in how it was asked (no such class, a bad ``init`` value).

    ``source`` and ``line`` locate the user's line when known; ``exit_code`` is what the
    command line exits with (1).
    """

    exit_code = 1

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        # What ran before the failure (a convcalc.trace.TraceSummary), when forward had begun.
        self.partial: Any = None

    def __str__(self) -> str:
        if self.source is None:
            return self.message
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.message}"


class UntraceableError(TraceError):
    """The model does something convcalc cannot follow without real tensors (a value-dependent
    branch, a library outside torch), so it stops rather than guess (exit code 3)."""

    exit_code = 3
