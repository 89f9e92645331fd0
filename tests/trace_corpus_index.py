"""The table of the trace corpus, read from the header comments of its files.

Every corpus file (``tests/trace_corpus/models/*.py``, ``bugs/*.py`` and the entry files of
``packages/<pkg>/``) says how to trace it in one comment line, with ``convcalc trace``'s
options::

    # trace: --class Net -i 64x1x28x28 --init 'width=16, blocks=2' --mode eval

and a bug file says how to fix it, one change a line: a replacement for a whole line (its
indentation is kept), or another input::

    # fix: 14: self.fc = nn.Linear(1568, 10)
    # fix: -i 64x3x28x28

This one table drives the recorder (``scripts/record_trace_fixtures.py``) and the tests.
Standard library only.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "trace_corpus"
KINDS = ("models", "bugs", "packages")

Shape = tuple[int, ...]

_TRACE = re.compile(r"^#\s*trace:\s*(?P<args>.*)$")
_FIX = re.compile(r"^#\s*fix:\s*(?:(?P<line>\d+):\s?(?P<text>.*)|-i\s+(?P<shape>\S+))$")


@dataclass(frozen=True)
class Fix:
    """One change that makes a bug file work: a new line ``line``, or new ``inputs``."""

    line: int | None = None
    text: str | None = None
    inputs: tuple[Shape, ...] | None = None


@dataclass(frozen=True)
class Entry:
    """One corpus file and how to trace it."""

    key: str  # the path relative to the corpus, e.g. ``models/lenet_blitz.py``
    path: Path
    cls: str | None
    inputs: tuple[Shape, ...]
    init: dict[str, Any] = field(default_factory=dict)
    mode: str = "eval"
    fixes: tuple[Fix, ...] = ()

    @property
    def kind(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def module_name(self) -> str | None:
        """For a file of a package (``packages/<pkg>/...`` or ``bugs/<pkg>/...``): its dotted
        name below the corpus directory, else None."""
        parts = Path(self.key).with_suffix("").parts
        if len(parts) < 3:
            return None
        return ".".join(parts[1:])

    @property
    def package_dir(self) -> Path | None:
        """The top-level package directory of a package's file, else None."""
        parts = Path(self.key).parts
        return CORPUS / parts[0] / parts[1] if len(parts) >= 3 else None


def parse_shape(text: str) -> Shape:
    """``1x3x32x32``, ``1,3,32,32`` or ``[1, 3, 32, 32]`` as a tuple of ints."""
    parts = [p for p in re.split(r"[x,\s]+", text.strip().strip("[]()")) if p]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a shape: {text!r}")
    return tuple(int(p) for p in parts)


def parse_init(text: str) -> dict[str, Any]:
    """``'width=16, norm="batch"'`` as keyword arguments (Python literals only)."""
    call = ast.parse(f"f({text})", mode="eval").body
    assert isinstance(call, ast.Call)
    if call.args or any(k.arg is None for k in call.keywords):
        raise ValueError(f"--init takes name=value pairs: {text!r}")
    return {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg is not None}


def _parse_trace(args: str, where: str) -> dict[str, Any]:
    words = shlex.split(args)
    options: dict[str, Any] = {"cls": None, "inputs": [], "init": {}, "mode": "eval"}
    while words:
        flag = words.pop(0)
        if not words:
            raise ValueError(f"{where}: {flag} needs a value")
        value = words.pop(0)
        if flag == "--class":
            options["cls"] = value
        elif flag == "-i":
            options["inputs"].append(parse_shape(value))
        elif flag == "--init":
            options["init"] = parse_init(value)
        elif flag == "--mode":
            options["mode"] = value
        else:
            raise ValueError(f"{where}: unknown option {flag}")
    if not options["inputs"]:
        raise ValueError(f"{where}: no -i input shape")
    return options


def read_entry(path: Path) -> Entry | None:
    """The entry of one file, or None when it has no ``# trace:`` line (a helper module)."""
    key = path.relative_to(CORPUS).as_posix()
    options: dict[str, Any] | None = None
    fixes: list[Fix] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if match := _TRACE.match(line):
            options = _parse_trace(match["args"], f"{key}:{number}")
        elif line.startswith("#") and (match := _FIX.match(line)):
            if match["shape"]:
                fixes.append(Fix(inputs=(parse_shape(match["shape"]),)))
            else:
                fixes.append(Fix(line=int(match["line"]), text=match["text"]))
    if options is None:
        return None
    return Entry(
        key=key,
        path=path,
        cls=options["cls"],
        inputs=tuple(options["inputs"]),
        init=options["init"],
        mode=options["mode"],
        fixes=tuple(fixes),
    )


def entries(kind: str | None = None) -> list[Entry]:
    """Every corpus entry (or those of one kind), sorted by key."""
    found = []
    for sub in KINDS if kind is None else (kind,):
        for path in sorted((CORPUS / sub).rglob("*.py")):
            entry = read_entry(path)
            if entry is not None:
                found.append(entry)
    return found


def corpus_files() -> list[str]:
    """Every ``.py`` file of ``models/`` and ``bugs/`` (each must be an entry)."""
    return sorted(
        p.relative_to(CORPUS).as_posix()
        for sub in ("models", "bugs")
        for p in (CORPUS / sub).glob("*.py")
    )


def apply_fixes(entry: Entry) -> tuple[str, tuple[Shape, ...]]:
    """The bug file's source with its fixes applied, and the inputs to trace it with."""
    lines = entry.path.read_text(encoding="utf-8").splitlines(keepends=True)
    inputs = entry.inputs
    for fix in entry.fixes:
        if fix.inputs is not None:
            inputs = fix.inputs
            continue
        assert fix.line is not None
        assert fix.text is not None
        old = lines[fix.line - 1]
        indent = old[: len(old) - len(old.lstrip())]
        lines[fix.line - 1] = indent + fix.text + "\n"
    return "".join(lines), inputs
