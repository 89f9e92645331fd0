"""Trace a PyTorch model's ``.py`` file without PyTorch: shapes for every line of its
``forward``, the summary ``convcalc net`` prints, and the fix for the line that breaks.

CPython runs the file's own definitions (imports, functions, classes, constant assignments;
never its other top-level statements) with ``torch`` replaced by a shape-only stand-in whose
layers are convcalc's exact layers. ``convcalc.trace(path, inputs=[(1, 3, 32, 32)])`` returns
a :class:`TraceSummary`.

The package is laid out as pyflakes is: this entry point, the source preparer
(``_source``), the stand-in torch (``_torch``, ``_module``, ``_layers``, ``_functional``,
``_tensor``), the recorder (``_recorder``) and one class per diagnostic (``messages``).
"""

from __future__ import annotations

import sys
import types
from typing import Any

from ._result import Line, TraceSummary
from ._run import trace

__all__ = ["Line", "TraceSummary", "spec_text", "trace"]


def spec_text(summary: TraceSummary, *, command: str = "") -> str:
    """The traced model as a YAML spec that ``convcalc net`` summarises to the same table
    (see :mod:`convcalc.trace._spec`); ``command`` is noted in its description."""
    from ._spec import spec_text as write

    return write(summary, command=command)


class _CallableModule(types.ModuleType):
    """``convcalc.trace`` is both this package and the function: calling it traces."""

    def __call__(self, *args: Any, **kwargs: Any) -> TraceSummary:
        return trace(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
