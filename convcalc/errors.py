"""The exceptions convcalc raises for a user's mistake.

::

    ConvCalcError        base class; str(exc) is the message a user sees
    ├── SpecError        the YAML spec is malformed or invalid   (+ ValueError)
    └── ShapeError       a layer cannot accept its configuration or input shape (+ ValueError)

Every user mistake raises a subclass; a bare ``ValueError`` or ``TypeError`` means a bug in
the caller's program. Mixing in ``ValueError`` lets generic callers catch them too.
"""

from __future__ import annotations

__all__ = ["ConvCalcError", "ShapeError", "SpecError"]


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
