"""Check files as a linter does: each problem as ``FILE:LINE:COL: message``.

``check_file(path)`` loads a network spec and propagates its input through every layer; what
``convcalc net`` would refuse becomes a :class:`Problem` located in the file. A YAML or JSON
document with none of a spec's top-level keys is not a spec and is skipped, so a hook can be
pointed at every YAML file of a repository.

A PyTorch model file is checked when it says how to trace it, in a comment line such as
``# convcalc: -i 64x1x28x28 --class Net`` (``-i`` once per ``forward`` argument; ``--class``
when the file has several models): it is traced as ``convcalc trace`` does, and the line
PyTorch would fail on is the problem. Other ``.py`` files are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ._shape_text import parse_shape
from .errors import ConvCalcError, SpecError

__all__ = ["Problem", "check_file"]

_DIRECTIVE = re.compile(r"^#\s*convcalc:(?P<args>.*)$", re.MULTILINE)
_SPEC_KEYS = re.compile(r"^(name|input|layers|blocks)\s*:", re.MULTILINE)
_LOCATED = re.compile(
    r"^(?P<source>.+?):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<message>.*)$", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding, 1-based line and column (``None`` when the file as a whole is at fault)."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line, self.column) if p is not None)
        return f"{where}: {self.message}"


def check_file(path: str) -> list[Problem] | None:
    """The problems of the spec at ``path`` (an empty list when it is sound), or ``None`` when
    the file is not a spec."""
    from .network import summarize
    from .spec import LIMITS, load_spec_file

    file = Path(path)
    try:
        if file.stat().st_size > LIMITS["bytes"]:
            return [Problem(path, None, None, f"is larger than {LIMITS['bytes']:,} bytes")]
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(path, None, None, "is not UTF-8 text")]
    except OSError as exc:
        return [Problem(path, None, None, f"cannot be read ({exc.strerror or exc})")]
    if path.endswith(".py"):
        return _check_model(path, text)
    if not _looks_like_spec(text, path):
        return None
    try:
        summarize(load_spec_file(path))
    except SpecError as exc:
        if exc.line is None and exc.source == path:
            return [_located(path, exc.message, text)]
        path_text = f"{exc.path}: " if exc.path else ""
        return [Problem(path, exc.line, exc.column, f"{path_text}{exc.message}")]
    except ConvCalcError as exc:
        return [_located(path, str(exc), text)]
    return []


def _check_model(path: str, text: str) -> list[Problem] | None:
    match = _DIRECTIVE.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    words = match["args"].split()
    inputs: list[tuple[int, ...]] = []
    cls: str | None = None
    for flag, value in zip(words[::2], words[1::2], strict=False):
        if flag in ("-i", "--input"):
            try:
                inputs.append(parse_shape(value))
            except ValueError as exc:
                return [Problem(path, line, 1, f"'# convcalc:' -i: {exc}")]
        elif flag == "--class":
            cls = value
        else:
            return [
                Problem(
                    path, line, 1, f"'# convcalc:' takes -i SHAPE and --class NAME, not {flag!r}"
                )
            ]
    if not inputs or len(words) % 2:
        return [Problem(path, line, 1, "'# convcalc:' needs the input shape: -i 1x3x224x224")]
    from .trace import trace

    try:
        trace(path, cls=cls, inputs=inputs)
    except ConvCalcError as exc:
        return [_located(path, str(exc), text)]
    return []


def _looks_like_spec(text: str, path: str) -> bool:
    if path.endswith(".json"):
        return any(f'"{key}"' in text for key in ("layers", "blocks", "input"))
    return _SPEC_KEYS.search(text) is not None


def _located(path: str, message: str, text: str) -> Problem:
    """A message that starts ``FILE:LINE:`` (a layer's failure) as a problem at that line and
    at the column where the entry starts on it."""
    match = _LOCATED.match(message)
    if match is None or match["source"] != path:
        return Problem(path, None, None, message)
    line = int(match["line"])
    column = int(match["column"]) if match["column"] else _entry_column(text, line)
    return Problem(path, line, column, match["message"])


def _entry_column(text: str, line: int) -> int:
    """The 1-based column of a list entry's content (after ``- ``) on ``line``, or of the
    line's first character."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return 1
    content = lines[line - 1]
    stripped = content.lstrip(" ")
    if stripped.startswith("- "):
        return len(content) - len(stripped[2:].lstrip(" ")) + 1
    return len(content) - len(stripped) + 1
