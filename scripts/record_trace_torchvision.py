"""Record PyTorch's answers for torchvision's classification CNN builders, for the trace tests.

torchvision 0.28's model files are loaded where pip installed them, under real PyTorch,
without running torchvision's package ``__init__`` (which needs a matching CUDA build): a
bare ``torchvision`` package object points at the installed folder, and NumPy and PIL, which
only its image utilities use, are stubbed if missing. Each builder runs with ``weights=None``
on PyTorch's meta device, so even the largest model builds and runs without memory:

    python scripts/record_trace_torchvision.py

It writes tests/fixtures/trace_torchvision.json: for each builder, its input shape, output
shape and parameter count.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
import types
import warnings
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent

# The model files holding classification builders: every CNN, and the vision transformers
# (Swin and MaxViT, which compute relative positions from tensor values, are out).
FILES = [
    "alexnet",
    "convnext",
    "densenet",
    "efficientnet",
    "googlenet",
    "inception",
    "mnasnet",
    "mobilenetv2",
    "mobilenetv3",
    "regnet",
    "resnet",
    "shufflenetv2",
    "squeezenet",
    "vgg",
    "vision_transformer",
]


def models_folder() -> Path | None:
    """torchvision's installed ``models`` folder, found without importing torchvision."""
    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def builders(folder: Path) -> list[tuple[str, str]]:
    """``(file stem, builder name)`` for every ``@register_model()`` function in FILES."""
    found = []
    for stem in FILES:
        text = (folder / f"{stem}.py").read_text(encoding="utf-8")
        for name in re.findall(r"@register_model\(\)\s*(?:@[^\n]*\s*)*def (\w+)\(", text):
            found.append((stem, name))
    return found


def input_shape(name: str) -> list[int]:
    size = 299 if name.startswith("inception") else 224
    return [1, 3, size, size]


def load_real(folder: Path, stem: str) -> Any:
    """torchvision.models.<stem> under real PyTorch, bypassing the package __init__.

    Stubs for a missing NumPy or PIL stand in only while the files load: PyTorch itself
    checks for NumPy later, and must not find a stub then."""
    import torch  # noqa: F401  (before any stub exists)

    stubs = {}
    for missing in ("numpy", "PIL"):
        if importlib.util.find_spec(missing) is None and missing not in sys.modules:
            stubs[missing] = mock.MagicMock(__version__="0")
            for sub in (
                "Image",
                "ImageColor",
                "ImageDraw",
                "ImageFont",
                "ImageOps",
                "ImageEnhance",
            ):
                stubs[f"{missing}.{sub}"] = mock.MagicMock()
    sys.modules.update(stubs)
    try:
        return _import(folder, stem)
    finally:
        for name in stubs:
            sys.modules.pop(name, None)


def _import(folder: Path, stem: str) -> Any:
    if "torchvision" not in sys.modules:
        package = types.ModuleType("torchvision")
        package.__path__ = [str(folder.parent)]
        sys.modules["torchvision"] = package
        models = types.ModuleType("torchvision.models")
        models.__path__ = [str(folder)]
        sys.modules["torchvision.models"] = models
    return importlib.import_module(f"torchvision.models.{stem}")


def record_one(folder: Path, stem: str, name: str) -> dict[str, Any]:
    import torch

    module = load_real(folder, stem)
    if stem == "regnet" and not getattr(module.BlockParams, "_on_cpu", False):
        # RegNet works out its widths with tensor arithmetic, which needs values: that one
        # step runs on the CPU, the model itself on the meta device.
        original = module.BlockParams.from_init_params.__func__

        def on_cpu(cls: Any, *args: Any, **kwargs: Any) -> Any:
            with torch.device("cpu"):
                return original(cls, *args, **kwargs)

        module.BlockParams.from_init_params = classmethod(on_cpu)
        module.BlockParams._on_cpu = True
    shape = input_shape(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.device("meta"):
            model = getattr(module, name)(weights=None)
            model.eval()
            output = model(torch.empty(*shape))
    return {
        "file": stem,
        "input": shape,
        "output": list(output.shape),
        "params": sum(p.numel() for p in model.parameters()),
    }


def main() -> None:
    import torch

    folder = models_folder()
    if folder is None:
        raise SystemExit("torchvision is not installed (pip install --no-deps torchvision==0.28.0)")
    answers = {name: record_one(folder, stem, name) for stem, name in builders(folder)}
    document = {"torch_version": torch.__version__, "builders": answers}
    target = ROOT / "tests" / "fixtures" / "trace_torchvision.json"
    target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(answers)} builders to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
