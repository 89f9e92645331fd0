"""PyTorch's answers for the trace corpus and for torchvision's builders (imports torch).

Used by ``scripts/record_trace_fixtures.py`` to write the fixtures and by the live tests in
``tests/test_trace_corpus.py`` to check them against the installed torch.

A corpus file is run as importing it would run it, minus its script part: only imports,
function and class definitions, docstrings and assignments of values built without calls
(``functools.partial`` excepted) execute at top level, so ``if __name__ == "__main__":``
blocks, downloads, prints and training loops never run. Files of a corpus package are
prepared the same way when they import each other. Everything is compiled under the file's
own path, so PyTorch's failing line is read from the traceback as the file numbers it.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import sys
import traceback
import types
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from math import prod
from pathlib import Path
from typing import Any

import torch
import torchvision_models
from torch import nn
from trace_corpus_index import CORPUS, Entry, Shape

# Where multi-file models live: the packages corpus, and bugs that span a package.
PACKAGE_ROOTS = (CORPUS / "packages", CORPUS / "bugs")


def _no_calls(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name != "partial":
                return False
    return True


def definitions_only(source: str, filename: str) -> types.CodeType:
    """The module's code with every top-level statement but definitions dropped."""
    tree = ast.parse(source, filename)
    kept: list[ast.stmt] = []
    for node in tree.body:
        definition = isinstance(
            node,
            (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef),
        )
        constant = isinstance(node, (ast.Assign, ast.AnnAssign)) and (
            node.value is not None and _no_calls(node.value)
        )
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if definition or constant or docstring:
            kept.append(node)
    tree.body = kept
    return compile(tree, filename, "exec")


class _PackageLoader(importlib.machinery.SourceFileLoader):
    def source_to_code(  # type: ignore[override]
        self, data: bytes, path: str, *, _optimize: int = -1
    ) -> types.CodeType:
        return definitions_only(data.decode("utf-8"), path)


class _PackageFinder(importlib.abc.MetaPathFinder):
    """Finds the corpus packages (``packages/<pkg>/...``, ``bugs/<pkg>/...``) and prepares
    each file."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        for root in PACKAGE_ROOTS:
            base = root.joinpath(*fullname.split("."))
            init = base / "__init__.py"
            if init.is_file():
                return importlib.util.spec_from_file_location(
                    fullname,
                    init,
                    loader=_PackageLoader(fullname, str(init)),
                    submodule_search_locations=[str(base)],
                )
            file = base.with_suffix(".py")
            if file.is_file() and (root / fullname.split(".")[0] / "__init__.py").is_file():
                return importlib.util.spec_from_file_location(
                    fullname, file, loader=_PackageLoader(fullname, str(file))
                )
        return None


class _MissingModuleLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        module.__dict__["__getattr__"] = lambda attr: torchvision_models.Unavailable(
            f"{name}.{attr}"
        )


class _MissingModuleFinder(importlib.abc.MetaPathFinder):
    """Last on the path: a module a corpus file imports that is not installed (numpy,
    matplotlib, tqdm) becomes a placeholder whose names fail only when used, as a script's
    imports do under ``convcalc trace``. Imports made by anything else still fail."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back  # type: ignore[assignment]
        if frame is None or not frame.f_code.co_filename.startswith(str(CORPUS)):
            return None
        return importlib.machinery.ModuleSpec(fullname, _MissingModuleLoader(), is_package=True)


@contextmanager
def _corpus_packages() -> Iterator[None]:
    finders = [_PackageFinder(), _MissingModuleFinder()]
    sys.meta_path.insert(0, finders[0])
    sys.meta_path.append(finders[1])
    before = set(sys.modules)
    try:
        yield
    finally:
        for finder in finders:
            sys.meta_path.remove(finder)
        for name in set(sys.modules) - before:
            del sys.modules[name]


def _module(entry: Entry, source: str | None) -> types.ModuleType:
    if entry.module_name is not None:
        if source is None:
            return importlib.import_module(entry.module_name)
        # The fixed source of a package's file: run it as that module, beside the real files.
        parent, _, _ = entry.module_name.rpartition(".")
        importlib.import_module(parent)
        module = types.ModuleType(entry.module_name)
        module.__file__ = str(entry.path)
        module.__package__ = parent
        sys.modules[entry.module_name] = module
        exec(definitions_only(source, str(entry.path)), module.__dict__)  # noqa: S102
        return module
    if source is None:
        source = entry.path.read_text(encoding="utf-8")
    name = "trace_corpus_" + entry.path.stem
    module = types.ModuleType(name)
    module.__file__ = str(entry.path)
    sys.modules[name] = module  # dataclasses and pickling look the module up
    try:
        exec(definitions_only(source, str(entry.path)), module.__dict__)  # noqa: S102
    finally:
        del sys.modules[name]
    return module


def _shape(value: Any) -> Any:
    """A tensor's shape as a list; tuples and lists of results as lists of those."""
    if isinstance(value, torch.Tensor):
        return list(value.shape)
    if isinstance(value, (tuple, list)):
        return [_shape(v) for v in value]
    return None


def leaf_names(model: nn.Module) -> dict[nn.Module, str]:
    return {m: name for name, m in model.named_modules() if not any(m.children())}


def conv_linear_macs(module: nn.Module, inputs: tuple[Any, ...], output: Any) -> int:
    """torchvision's convention: conv and linear multiply-accumulates, nothing else."""
    if isinstance(module, nn.modules.conv._ConvTransposeNd):
        x = inputs[0]
        spatial = x.shape[-len(module.kernel_size) :]
        batch = x.numel() // (module.in_channels * prod(spatial))
        return int(
            batch
            * module.in_channels
            * prod(spatial)
            * (module.out_channels // module.groups)
            * prod(module.kernel_size)
        )
    if isinstance(module, nn.modules.conv._ConvNd):
        return int(
            output.numel() * (module.in_channels // module.groups) * prod(module.kernel_size)
        )
    if isinstance(module, nn.Linear):
        return int(output.numel() * module.in_features)
    return 0


class _Recorder:
    """Forward hooks on every leaf module: output shapes in call order, and MACs."""

    def __init__(self, model: nn.Module) -> None:
        self.leaves: list[list[Any]] = []
        self.macs = 0
        self.handles = [
            m.register_forward_hook(self._hook(name)) for m, name in leaf_names(model).items()
        ]

    def _hook(self, name: str) -> Any:
        def hook(module: nn.Module, inputs: tuple[Any, ...], output: Any) -> None:
            self.leaves.append([name, type(module).__name__, _shape(output)])
            self.macs += conv_linear_macs(module, inputs, output)

        return hook

    def close(self) -> None:
        for handle in self.handles:
            handle.remove()


def _result(model: nn.Module, output: Any, recorder: _Recorder) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if isinstance(output, torch.Tensor):
        result["output_shape"] = list(output.shape)
    else:
        result["outputs"] = _shape(output)
    params = list(model.parameters())
    result["params"] = sum(p.numel() for p in params)
    result["trainable_params"] = sum(p.numel() for p in params if p.requires_grad)
    result["macs"] = recorder.macs
    result["leaves"] = recorder.leaves
    return result


def _innermost_line(exc: BaseException) -> tuple[str | None, int | None]:
    """The corpus file (relative to the corpus) and line of the traceback's innermost frame
    in a corpus file: the user's line PyTorch fails on."""
    where: tuple[str | None, int | None] = (None, None)
    for frame, number in traceback.walk_tb(exc.__traceback__):
        path = Path(frame.f_code.co_filename)
        if path.is_relative_to(CORPUS):
            where = (path.relative_to(CORPUS).as_posix(), number)
    return where


def run_entry(
    entry: Entry, source: str | None = None, inputs: Sequence[Shape] | None = None
) -> dict[str, Any]:
    """Build and run one corpus entry under PyTorch, on the CPU.

    Returns ``{"ok": True, ...}`` with the output shape(s), parameter counts, MACs and leaf
    output shapes, or ``{"ok": False, "stage", "file", "line", "exception", "message"}`` where
    ``file`` (relative to the corpus) and ``line`` locate the traceback's innermost frame in a
    corpus file: the entry's own file, or a module of its package.
    """
    package_dir = torchvision_models.installed_dir()
    if package_dir is not None:  # scripts import torchvision's datasets and transforms
        torchvision_models.install(package_dir)
    torch.manual_seed(0)
    stage = "import"
    with _corpus_packages(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = _module(entry, source)
            target = getattr(module, entry.cls) if entry.cls else None
            if target is None:
                raise LookupError(f"{entry.key}: no --class")
            stage = "init"
            model = target(**entry.init)
            model.train(entry.mode == "train")
            stage = "forward"
            tensors = [torch.randn(shape) for shape in (inputs or entry.inputs)]
            recorder = _Recorder(model)
            with torch.no_grad():
                output = model(*tensors)
            recorder.close()
        except Exception as exc:  # what PyTorch raised is the answer
            file, line = _innermost_line(exc)
            return {
                "ok": False,
                "stage": stage,
                "file": file,
                "line": line,
                "exception": type(exc).__name__,
                "message": str(exc),
            }
        return {"ok": True, **_result(model, output, recorder)}


# torchvision


@contextmanager
def _parameters_on_meta() -> Iterator[None]:
    """Every parameter and buffer a module registers moves to the meta device.

    Unlike ``with torch.device("meta")`` this leaves plain tensors on the CPU, which RegNet's
    builder needs: it computes its block widths with tensor arithmetic and ``.tolist()``.
    """

    def to_meta(module: nn.Module, name: str, tensor: Any) -> Any:
        if tensor is None or tensor.device.type == "meta":
            return None
        moved = tensor.to("meta")
        if isinstance(tensor, nn.Parameter):
            return nn.Parameter(moved, requires_grad=tensor.requires_grad)
        return moved

    registration = nn.modules.module
    handles = [
        registration.register_module_parameter_registration_hook(to_meta),
        registration.register_module_buffer_registration_hook(to_meta),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def run_builder(
    package_dir: Path,
    builder: torchvision_models.Builder,
    size: int,
    *,
    meta: bool = True,
    train_outputs: bool = False,
) -> dict[str, Any]:
    """One torchvision builder with default arguments, in eval mode, on a 1x3xSIZExSIZE input.

    With ``meta`` (the default) no parameter memory is allocated and nothing is computed:
    shapes only, which is all the fixture holds. With ``train_outputs``, also the shapes of
    what it returns in train mode for a batch of 2 (GoogLeNet's and Inception v3's auxiliary
    classifiers run only then).
    """
    module = torchvision_models.load_module(package_dir, builder.file)
    function = getattr(module, builder.name)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if meta:
            with _parameters_on_meta():
                model = function()
        else:
            model = function()
    model.eval()
    x = torch.empty((1, 3, size, size), device="meta") if meta else torch.randn(1, 3, size, size)
    recorder = _Recorder(model)
    with torch.no_grad():
        output = model(x)
    recorder.close()
    result = _result(model, output, recorder)
    if train_outputs:
        model.train()
        shape = (2, 3, size, size)
        x = torch.empty(shape, device="meta") if meta else torch.randn(shape)
        result["train_outputs"] = _shape(model(x))
    return result
