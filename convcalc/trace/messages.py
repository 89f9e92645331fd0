"""One class per diagnostic a trace can end with.

A message knows its file and line and renders one sentence; ``exit_code`` is 1 for a line
that would fail under PyTorch (or a mistake in the model's own code) and 3 for what convcalc
cannot follow without real tensors. The entry point turns the message into a
:class:`~convcalc.errors.TraceError` or :class:`~convcalc.errors.UntraceableError`.
"""

from __future__ import annotations

__all__ = [
    "BudgetExceeded",
    "CannotTrace",
    "ClassChoice",
    "DroppedName",
    "LayerRejects",
    "Message",
    "ModelRaised",
    "OutsideTrace",
    "PyTorchError",
    "ValueDependent",
]


class Message:
    """A diagnostic at ``file:line``; subclasses set ``exit_code`` and build ``text``."""

    exit_code = 1

    def __init__(self, text: str, file: str | None = None, line: int | None = None) -> None:
        self.text = text
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file is None:
            return self.text
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.text}"


class PyTorchError(Message):
    """An operation PyTorch would reject: the operands, PyTorch's own words, and the fix.

    ``op`` names the operation (``self.fc3 (nn.Linear(1050, 10))``), ``operands`` says where
    each input came from, ``error`` is PyTorch's message and ``fix`` the change to make.
    """

    def __init__(
        self,
        op: str,
        operands: list[str],
        error: str,
        fix: str = "",
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        given = f" on {'; '.join(operands)}" if operands else ""
        text = f"{op}{given} fails in PyTorch: {error}"
        if fix:
            text += f"; {fix}"
        super().__init__(text, file, line)
        self.op = op
        self.operands = operands
        self.error = error
        self.fix = fix


class LayerRejects(Message):
    """A layer's constructor arguments are ones PyTorch rejects in ``__init__``."""


class ModelRaised(Message):
    """The model's own code raised (an ``assert``, a missing argument, a ``KeyError``)."""


class ClassChoice(Message):
    """No class or builder to trace, or several and no ``cls`` to choose between them."""


class CannotTrace(Message):
    """Something convcalc does not follow; it stops rather than guess."""

    exit_code = 3


class OutsideTrace(CannotTrace):
    """A name imported from outside torch and the standard library was called or computed
    with."""

    def __init__(self, name: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(f"{name} is outside what convcalc can trace", file, line)
        self.name = name


class ValueDependent(CannotTrace):
    """An operation whose result depends on tensor values (``if x.sum() > 0``, ``.item()``)."""

    def __init__(self, what: str, file: str | None = None, line: int | None = None) -> None:
        super().__init__(
            f"cannot trace: {what} depends on the tensor's values, which convcalc does not have",
            file,
            line,
        )


class DroppedName(CannotTrace):
    """A definition uses a top-level name whose statement was dropped before running."""


class BudgetExceeded(CannotTrace):
    """The model ran past the step or time budget (a loop that never ends)."""
