"""Prepare a model file: keep its definitions, drop every other top-level statement.

Only imports, function and class definitions and assignments of constant-like values run at
top level; training loops, downloads, ``if __name__ == "__main__":`` blocks and any other
statement are removed from the syntax tree before anything executes. A kept assignment may
call only a few harmless constructors (``partial``, ``namedtuple``, ``OrderedDict``, ...), so
``model = Net(); train(model)`` at top level never runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from types import CodeType

__all__ = ["Prepared", "assignments", "prepare"]

# Calls a top-level assignment may make: they build values and run nothing of the user's.
_SAFE_CALLS = frozenset(
    {
        "partial",
        "namedtuple",
        "NamedTuple",
        "TypeVar",
        "NewType",
        "OrderedDict",
        "defaultdict",
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "range",
        "zip",
        "enumerate",
        "sorted",
        "reversed",
        "len",
        "int",
        "float",
        "str",
        "bool",
        "abs",
        "min",
        "max",
        "sum",
        "round",
        "Size",
        "getLogger",
    }
)


@dataclass
class Prepared:
    """A module's syntax tree with its dropped statements listed (line, first line of code)."""

    tree: ast.Module
    dropped: list[tuple[int, str]] = field(default_factory=list)
    dropped_names: dict[str, int] = field(default_factory=dict)
    code: CodeType | None = None
    _assigned: dict[int, tuple[str, ...]] | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def assigned(self) -> dict[int, tuple[str, ...]]:
        if self._assigned is None:
            self._assigned = assignments(self.tree)
        return self._assigned


def _call_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _constant_like(node: ast.AST) -> bool:
    """A value built from literals, names, attributes, containers, operators and safe calls."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _call_name(sub.func) not in _SAFE_CALLS:
            return False
        if isinstance(sub, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)):
            return False
    return True


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


# Top-level conditions that choose definitions rather than run a script: `if TYPE_CHECKING:`,
# `if sys.version_info >= (3, 12):`, `if sys.platform == "win32":`.
_GUARDS = frozenset({"TYPE_CHECKING", "version_info", "platform", "__debug__"})


def _is_definition_guard(node: ast.If) -> bool:
    names = {
        sub.id if isinstance(sub, ast.Name) else sub.attr
        for sub in ast.walk(node.test)
        if isinstance(sub, (ast.Name, ast.Attribute))
    }
    return bool(names & _GUARDS) and _constant_like(node.test) and not _is_main_guard(node)


def _targets(node: ast.stmt) -> list[str]:
    names: list[str] = []
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


def _pass(where: ast.stmt | ast.excepthandler) -> ast.Pass:
    return ast.copy_location(ast.Pass(), where)


def _filter(body: list[ast.stmt], prepared: Prepared) -> list[ast.stmt]:
    kept: list[ast.stmt] = []
    for node in body:
        keep = False
        if isinstance(
            node,
            (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
        ):
            keep = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            value = node.value
            keep = value is None or _constant_like(value)
            if keep and not isinstance(node, ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                keep = all(_constant_like(t) for t in targets)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            keep = True  # a docstring
        elif isinstance(node, ast.If) and _is_definition_guard(node):
            node.body = _filter(node.body, prepared) or [_pass(node)]
            node.orelse = _filter(node.orelse, prepared)
            keep = True
        elif isinstance(node, ast.Try):
            node.body = _filter(node.body, prepared)
            node.orelse = _filter(node.orelse, prepared)
            node.finalbody = _filter(node.finalbody, prepared)
            for handler in node.handlers:
                handler.body = _filter(handler.body, prepared) or [_pass(handler)]
            keep = bool(node.body)
        elif isinstance(node, ast.Pass):
            keep = True
        if keep:
            kept.append(node)
        else:
            text = (
                prepared.lines[node.lineno - 1].strip()
                if node.lineno <= len(prepared.lines)
                else ""
            )
            prepared.dropped.append((node.lineno, text))
            for name in _targets(node):
                prepared.dropped_names.setdefault(name, node.lineno)
            if isinstance(node, (ast.With, ast.For, ast.While, ast.If)):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.stmt):
                        for name in _targets(sub):
                            prepared.dropped_names.setdefault(name, sub.lineno)
    return kept


def assignments(tree: ast.AST) -> dict[int, tuple[str, ...]]:
    """For each line that assigns or returns, what to show after it runs: the names it binds
    (``x``, ``self.x``) or ``return``."""
    found: dict[int, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None:
            found[node.lineno] = ("return",)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names: list[str] = []
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                        names.append(sub.id)
                    elif (
                        isinstance(sub, ast.Attribute)
                        and isinstance(sub.value, ast.Name)
                        and isinstance(sub.ctx, ast.Store)
                    ):
                        names.append(f"{sub.value.id}.{sub.attr}")
            if names:
                found[node.lineno] = tuple(names)
    return found


_CACHE: dict[tuple[str, str], Prepared] = {}


def prepare(source: str, filename: str) -> Prepared:
    """Parse ``source``, keep only what defines things, and compile it (raises
    ``SyntaxError``). Kept for the process: a file traced again is not parsed again."""
    key = (filename, source)
    prepared = _CACHE.get(key)
    if prepared is None:
        tree = ast.parse(source, filename)
        prepared = Prepared(tree, lines=source.splitlines())
        tree.body = _filter(tree.body, prepared)
        prepared.code = compile(tree, filename, "exec")
        if len(_CACHE) > 512:
            _CACHE.clear()
        _CACHE[key] = prepared
    return prepared
