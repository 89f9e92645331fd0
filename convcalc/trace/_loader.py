"""Run a model file's definitions with torch replaced, without touching ``sys.modules``.

Each prepared file runs as a fresh module object whose ``__builtins__`` carry their own
``__import__``:

* ``torch`` and its submodules come from the stand-in (:mod:`._torch`);
* the standard library is imported for real;
* a module of the file's own package (relative imports, up or down, or an absolute import of
  its top-level package) or a sibling file of the main one is prepared and run the same way,
  its package's ``__init__`` only when a name is needed from it;
* anything else is a :class:`Placeholder`, which stands in while definitions run and stops
  the trace, with exit code 3, when called or computed with.
"""

from __future__ import annotations

import builtins
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from ._source import Prepared, prepare
from ._state import Context, cannot, outside
from ._torch import make_torch

__all__ = ["Loader", "Placeholder"]

_ALSO_REAL = frozenset({"typing_extensions"})


class Placeholder:
    """A name from outside torch and the standard library."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __repr__(self) -> str:
        return f"<{self._name}: outside convcalc's trace>"

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__") and attr != "__version__":
            raise AttributeError(attr)
        return Placeholder(f"{self._name}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from ._state import active

        if active().phase == "define":
            if (
                len(args) == 1
                and not kwargs
                and (inspect.isfunction(args[0]) or inspect.isclass(args[0]))
            ):
                return args[0]  # a decorator from outside: leave the definition as it is
            return Placeholder(f"{self._name}(...)")
        raise outside(self._name)

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        name = self._name

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            raise outside(name)

        return (type(name.rsplit(".", 1)[-1], (), {"__init__": __init__}),)

    def _stop(self, *args: Any) -> Any:
        raise outside(self._name)

    def _union(self, other: Any) -> Any:
        from ._state import active

        if active().phase == "define":
            return self
        raise outside(self._name)

    __or__ = __ror__ = _union
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _stop
    __truediv__ = __rtruediv__ = __floordiv__ = __matmul__ = __rmatmul__ = _stop
    __lt__ = __le__ = __gt__ = __ge__ = _stop
    __iter__ = __len__ = __bool__ = __int__ = __float__ = __index__ = _stop
    __getitem__ = __setitem__ = __enter__ = __exit__ = _stop


class Loader:
    """Loads the main file and whatever of its package it imports, each once."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.modules: dict[str, ModuleType] = {}
        self.registered: list[str] = []
        self.prepared: dict[str, Prepared] = {}
        self.roots: list[Path] = []
        self.top: str | None = None
        self.torch = make_torch()
        self.builtins = dict(builtins.__dict__)
        self.builtins["__import__"] = self._import
        # Nothing the model does may wait for a person or leave the process.
        for name in ("input", "breakpoint", "exit", "quit"):
            self.builtins[name] = _refuse(name)

    # -- where modules live ----------------------------------------------------------------

    def main(self, path: Path | None, source: str, shown: str) -> ModuleType:
        """Run the main file (``path`` None: a source string with no package)."""
        name = "__convcalc_model__"
        package = ""
        if path is not None:
            parts = [path.stem]
            folder = path.parent
            while (folder / "__init__.py").is_file():
                parts.insert(0, folder.name)
                folder = folder.parent
            self.roots = [folder] + ([path.parent] if path.parent != folder else [])
            if len(parts) > 1:
                self.top = parts[0]
                name = ".".join(parts)
                package = ".".join(parts[:-1])
        filename = str(path) if path is not None else shown
        return self._run(name, package, filename, source, shown)

    def _sibling(self, top: str) -> bool:
        """A module next to the main file, as Python's script directory provides it (only
        for a file outside any package: inside one, the package's own name is the way in)."""
        if self.top is not None or not self.roots:
            return False
        folder = self.roots[-1]
        return (folder / f"{top}.py").is_file() or (folder / top).is_dir()

    def _find(self, name: str) -> tuple[Path, bool] | None:
        parts = name.split(".")
        for root in self.roots:
            base = root.joinpath(*parts)
            if (base / "__init__.py").is_file():
                return base / "__init__.py", True
            file = base.with_suffix(".py")
            if file.is_file():
                return file, False
            if base.is_dir() and len(parts) < 8:
                return base, True  # a namespace package: a folder without __init__.py
        return None

    def _run(self, name: str, package: str, filename: str, source: str, shown: str) -> ModuleType:
        prepared = prepare(source, filename)
        module = ModuleType(name)
        module.__dict__.update(
            {
                "__file__": filename,
                "__package__": package,
                "__builtins__": self.builtins,
                "__spec__": None,
                "__loader__": None,
            }
        )
        self._register(name, module)
        self.prepared[filename] = prepared
        self.context.files[filename] = shown
        self.context.sources[filename] = source
        exec(prepared.code or "", module.__dict__)  # noqa: S102  (the file's definitions, by design)
        return module

    def _load(self, name: str) -> ModuleType | None:
        """The prepared module ``name`` of the file's package, or None if there is none."""
        if name in self.modules:
            return self.modules[name]
        found = self._find(name)
        if found is None:
            return None
        path, is_package = found
        if path.is_dir():
            return self._stub(name)
        if is_package:
            # A package's __init__ runs only when one of its own names is asked for.
            return self._stub(name, path)
        source = path.read_text(encoding="utf-8")
        package = name.rpartition(".")[0]
        module = self._run(name, package, str(path), source, _shown(path, self.roots))
        parent = name.rpartition(".")[0]
        if parent and parent in self.modules:
            setattr(self.modules[parent], name.rpartition(".")[2], module)
        return module

    def _stub(self, name: str, init: Path | None = None) -> ModuleType:
        stub = ModuleType(name)
        stub.__dict__["__path__"] = []
        stub.__dict__["__package__"] = name
        self._register(name, stub)
        loaded = [False]

        def __getattr__(attr: str) -> Any:
            if attr.startswith("__"):
                raise AttributeError(attr)
            sub = self._load(f"{name}.{attr}")
            if sub is not None:
                stub.__dict__[attr] = sub
                return sub
            if init is not None and not loaded[0]:
                loaded[0] = True
                source = init.read_text(encoding="utf-8")
                self._run_into(stub, name, init, source)
                if attr in stub.__dict__:
                    return stub.__dict__[attr]
            raise AttributeError(f"module '{name}' has no attribute '{attr}'")

        stub.__dict__["__getattr__"] = __getattr__
        return stub

    def _run_into(self, module: ModuleType, name: str, path: Path, source: str) -> None:
        prepared = prepare(source, str(path))
        module.__dict__.update(
            {"__file__": str(path), "__builtins__": self.builtins, "__spec__": None}
        )
        self.prepared[str(path)] = prepared
        self.context.files[str(path)] = _shown(path, self.roots)
        self.context.sources[str(path)] = source
        exec(prepared.code or "", module.__dict__)  # noqa: S102

    def _register(self, name: str, module: ModuleType) -> None:
        # dataclasses and typing look a class's module up in sys.modules while the class is
        # defined; the entry lives only as long as the trace (see release()).
        self.modules[name] = module
        if name not in sys.modules:
            sys.modules[name] = module
            self.registered.append(name)

    def release(self) -> None:
        """Take the traced modules out of ``sys.modules`` again."""
        for name in self.registered:
            sys.modules.pop(name, None)
        self.registered.clear()

    # -- __import__ ------------------------------------------------------------------------

    def _import(
        self,
        name: str,
        globals: dict[str, Any] | None = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> Any:
        if level:
            package = (globals or {}).get("__package__") or ""
            parts = package.split(".") if package else []
            if level - 1 > len(parts) or not parts:
                raise ImportError("attempted relative import beyond top-level package")
            base = ".".join(parts[: len(parts) - (level - 1)])
            absolute = f"{base}.{name}" if name else base
            module = self._own(absolute)
            if module is None:
                raise ImportError(f"No module named '{absolute}'")
            self._fill(module, absolute, fromlist)
            return module
        top = name.partition(".")[0]
        if top == "torch":
            return self._torch(name, fromlist)
        if top in sys.stdlib_module_names or top in _ALSO_REAL:
            return builtins.__import__(name, globals, locals, fromlist, level)
        own = self._own(name) if (top == self.top or self._sibling(top)) else None
        if own is not None:
            self._fill(own, name, fromlist)
            if fromlist:
                return own
            return self._own(top)
        return Placeholder(name if fromlist else top)

    def _own(self, name: str) -> ModuleType | None:
        return self._load(name)

    def _fill(self, module: ModuleType, name: str, fromlist: Any) -> None:
        for attr in fromlist or ():
            if attr == "*" or attr in module.__dict__:
                continue
            sub = self._load(f"{name}.{attr}")
            if sub is not None:
                module.__dict__[attr] = sub

    def _torch(self, name: str, fromlist: Any) -> Any:
        value: Any = self.torch
        if not fromlist:
            return value
        for part in name.split(".")[1:]:
            value = getattr(value, part)
        return value


def _refuse(name: str) -> Any:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise cannot(f"{name}() (a model's code may not wait for input or leave the process)")

    return refused


def _shown(path: Path, roots: list[Path]) -> str:
    for root in roots:
        try:
            return str(path.relative_to(root))
        except ValueError:
            continue
    return str(path)
