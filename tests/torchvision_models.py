"""torchvision's classification model files, loaded from where pip installed them.

torchvision's package ``__init__`` needs its compiled operators (``import torchvision`` fails
against the CPU build of torch with ``operator torchvision::nms does not exist``), and its
``utils`` module needs numpy and PIL. The model files themselves are plain Python, so this
module loads them without running any package ``__init__``: every torchvision package becomes
an empty module with the right ``__path__``, so relative and absolute imports between the model
files work as usual, and two modules the model files only touch in passing are replaced by
small stand-ins written here (``torchvision.utils``: an API-usage logger that does nothing and
``_make_ntuple``; ``torchvision.transforms._presets``: the preprocessing classes, recorded but
never run). Nothing is copied from torchvision: its files are read from site-packages.

Training scripts also import names from ``torchvision``, ``torchvision.datasets``,
``torchvision.transforms`` and ``torchvision.utils`` (``datasets.MNIST``, ``ToTensor``,
``save_image``): there each name is a submodule when one exists, else an :class:`Unavailable`
placeholder that fails only when used, so a corpus script's imports work under PyTorch.

The same loader serves the tests (``tests/test_trace_corpus.py``,
``tests/test_trace_fixtures.py``) and the fixture recorder (``scripts/record_trace_fixtures.py``).
Only :func:`load_module` and :func:`weights_facts` import torch; :func:`installed_dir`,
:func:`installed_version` and :func:`builders` only read files.
"""

from __future__ import annotations

import ast
import collections.abc
import enum
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The files holding torchvision's image classification CNNs (transformers left out).
CNN_FILES = (
    "alexnet.py",
    "vgg.py",
    "resnet.py",
    "squeezenet.py",
    "densenet.py",
    "googlenet.py",
    "inception.py",
    "mobilenetv2.py",
    "mobilenetv3.py",
    "mnasnet.py",
    "shufflenetv2.py",
    "efficientnet.py",
    "regnet.py",
    "convnext.py",
)


@dataclass(frozen=True)
class Builder:
    """One ``@register_model()`` function: its name and the file that defines it."""

    name: str
    file: str  # relative to torchvision's ``models/`` directory, e.g. ``resnet.py``


def installed_dir() -> Path | None:
    """torchvision's package directory in site-packages, found without importing it."""
    try:
        spec = importlib.util.find_spec("torchvision")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def installed_or_skip(recorded_version: str | None = None) -> Path:
    """torchvision's package directory, for a live test: the test is skipped without it, or
    fails where CI requires it (``CONVCALC_REQUIRE_TORCH=1``). With ``recorded_version``, the
    torchvision a fixture was recorded from must be the one installed."""
    import pytest

    required = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
    package_dir = installed_dir()
    if package_dir is None:
        if required:
            pytest.fail("CONVCALC_REQUIRE_TORCH=1 but torchvision is not installed")
        pytest.skip("torchvision is not installed (pip install --no-deps torchvision==0.28.0)")
    if recorded_version is not None:
        version = installed_version(package_dir)
        if version.split("+")[0] != recorded_version.split("+")[0]:
            message = f"the fixture is for torchvision {recorded_version}, {version} is installed"
            if required:
                pytest.fail(message)
            pytest.skip(message)
    return package_dir


def installed_version(package_dir: Path) -> str:
    """The ``__version__`` of ``version.py``, read without importing it."""
    tree = ast.parse((package_dir / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise LookupError(f"no __version__ in {package_dir / 'version.py'}")


def builders(package_dir: Path) -> list[Builder]:
    """Every classification CNN builder, in file order, read from the files' syntax trees.

    A builder is a top-level function decorated with ``register_model``.
    """
    found = []
    for file in CNN_FILES:
        tree = ast.parse((package_dir / "models" / file).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(
                _decorator_name(d) == "register_model" for d in node.decorator_list
            ):
                found.append(Builder(node.name, file))
    return found


def _decorator_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


# Stand-ins for the two modules whose real versions need numpy and PIL.


def _stub_utils(module: types.ModuleType) -> None:
    def _log_api_usage_once(obj: object) -> None:
        """torchvision logs API usage to an opt-in logger; nothing to do here."""

    def _make_ntuple(x: Any, n: int) -> tuple[Any, ...]:
        """``x`` as an ``n``-tuple: an iterable as it is, anything else repeated."""
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return (x,) * n

    module._log_api_usage_once = _log_api_usage_once  # type: ignore[attr-defined]
    module._make_ntuple = _make_ntuple  # type: ignore[attr-defined]


class _Preset:
    """A preprocessing class as the Weights enums name it: keeps its arguments, runs nothing."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs


class _InterpolationMode(enum.Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _stub_presets(module: types.ModuleType) -> None:
    for name in (
        "ImageClassification",
        "ObjectDetection",
        "SemanticSegmentation",
        "VideoClassification",
        "OpticalFlow",
    ):
        setattr(module, name, type(name, (_Preset,), {}))
    module.InterpolationMode = _InterpolationMode  # type: ignore[attr-defined]


_STUBS: dict[str, Callable[[types.ModuleType], None]] = {
    "torchvision.utils": _stub_utils,
    "torchvision.transforms._presets": _stub_presets,
}


def _ops_getattr(name: str) -> Any:
    """``from torchvision.ops import StochasticDepth``: the name from the ops submodules."""
    for sub in ("torchvision.ops.stochastic_depth", "torchvision.ops.misc"):
        module = importlib.import_module(sub)
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'torchvision.ops' has no attribute {name!r}")


class Unavailable:
    """A name a training script imports from torchvision (``ToTensor``, ``save_image``,
    ``datasets.MNIST``): importing it works, using it fails. Model definitions never use them.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Unavailable:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Unavailable(f"{self.name}.{attr}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{self.name} is not available: torchvision is loaded for its models")


def _script_getattr(module: types.ModuleType) -> Callable[[str], Any]:
    """Attributes of torchvision, its transforms and datasets packages and its utils: a
    submodule when there is one, else an :class:`Unavailable` name."""

    def getattr_(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        directory = getattr(module, "__path__", None)
        if directory and any(
            (Path(d) / name).is_dir() or (Path(d) / f"{name}.py").is_file() for d in directory
        ):
            return importlib.import_module(f"{module.__name__}.{name}")
        return Unavailable(f"{module.__name__}.{name}")

    return getattr_


# The packages a training script takes names from; the model packages get no fallback, so
# their relative imports stay exact.
_SCRIPT_PACKAGES = ("torchvision", "torchvision.transforms", "torchvision.datasets")


class _Loader(importlib.abc.Loader):
    """Creates a package without running its ``__init__``, or a stand-in module."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: types.ModuleType) -> None:
        name = module.__name__
        if name in _STUBS:
            _STUBS[name](module)
        if name in _SCRIPT_PACKAGES or name == "torchvision.utils":
            module.__dict__["__getattr__"] = _script_getattr(module)
        elif name == "torchvision.ops":
            module.__dict__["__getattr__"] = _ops_getattr


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, package_dir: Path) -> None:
        self.package_dir = package_dir

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "torchvision" and not fullname.startswith("torchvision."):
            return None
        if fullname in _STUBS:
            return importlib.machinery.ModuleSpec(fullname, _Loader(None))
        directory = self.package_dir.joinpath(*fullname.split(".")[1:])
        if directory.is_dir():
            spec = importlib.machinery.ModuleSpec(fullname, _Loader(directory), is_package=True)
            spec.submodule_search_locations = [str(directory)]
            return spec
        return None  # a plain .py file: the standard path finder loads it from the parent


def install(package_dir: Path) -> None:
    """Make ``torchvision`` and its submodules importable as described above (idempotent)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder(package_dir))


def load_module(package_dir: Path, file: str) -> types.ModuleType:
    """Import ``torchvision.models.<file>`` from ``package_dir`` (imports torch)."""
    install(package_dir)
    return importlib.import_module("torchvision.models." + file.removesuffix(".py"))


@dataclass(frozen=True)
class WeightsFacts:
    """What a builder's default Weights entry publishes."""

    enum_name: str
    crop_size: int
    num_params: int
    gmacs: float  # the ``_ops`` field of ``meta``


def weights_facts(package_dir: Path, builder: Builder) -> WeightsFacts:
    """The published input size, parameter count and GMACs of a builder's default weights."""
    module = load_module(package_dir, builder.file)
    api = importlib.import_module("torchvision.models._api")
    weights = api.get_model_weights(getattr(module, builder.name)).DEFAULT
    transforms = weights.transforms  # functools.partial(ImageClassification, crop_size=...)
    return WeightsFacts(
        enum_name=f"{type(weights).__name__}.{weights.name}",
        crop_size=int(transforms.keywords["crop_size"]),
        num_params=int(weights.meta["num_params"]),
        gmacs=float(weights.meta["_ops"]),
    )


def iter_builders() -> Iterator[tuple[Path, Builder]]:
    """Every builder with the installed directory, or nothing when torchvision is absent."""
    package_dir = installed_dir()
    if package_dir is None:
        return
    for builder in builders(package_dir):
        yield package_dir, builder
