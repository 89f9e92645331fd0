"""Record PyTorch's answers for the trace engine's test models (tests/trace_models.py).

For each case: the output shapes, the parameter count, and every leaf module's name and
output shape (from forward hooks, in call order); for a model PyTorch rejects, the line of
the model file it fails on and PyTorch's message. Run it with torch==2.13.0 installed:

    python scripts/record_trace_cases.py

It writes tests/fixtures/trace_cases.json.
"""

from __future__ import annotations

import json
import sys
import tempfile
import traceback
import types
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import torch  # noqa: E402
from trace_models import CASES  # noqa: E402


def _shapes(value: Any) -> list[list[int]]:
    if isinstance(value, torch.Tensor):
        return [list(value.shape)]
    if isinstance(value, dict):
        value = list(value.values())
    out: list[list[int]] = []
    for item in value:
        out += _shapes(item)
    return out


def record(name: str, case: dict[str, Any], folder: Path) -> dict[str, Any]:
    """PyTorch's answer for one case (run from a file, so that tracebacks name its lines)."""
    path = folder / f"{name}.py"
    path.write_text(case["source"], encoding="utf-8")
    module = types.ModuleType(name)
    module.__file__ = str(path)
    code = compile(case["source"].split("\nnet = Net()")[0], str(path), "exec")
    exec(code, module.__dict__)  # noqa: S102  (the repository's own test models)
    try:
        model = getattr(module, case["cls"])(**case.get("init", {}))
        model.train(case.get("mode") == "train")
        leaves: list[list[Any]] = []
        for name, sub in model.named_modules():
            if not list(sub.children()):
                sub.register_forward_hook(
                    lambda m, i, o, name=name: leaves.append(
                        [name, _shapes(o)[0] if _shapes(o) else []]
                    )
                )
        with torch.no_grad():
            output = model(*[torch.zeros(*shape) for shape in case["inputs"]])
    except Exception as exc:  # the failure PyTorch reports, and the model line it comes from
        lines = [
            f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)
        ]
        return {"ok": False, "line": lines[-1] if lines else None, "error": str(exc).split("\n")[0]}
    return {
        "ok": True,
        "outputs": _shapes(output),
        "params": sum(p.numel() for p in model.parameters()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "leaves": leaves,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        answers = {name: record(name, case, Path(tmp)) for name, case in CASES.items()}
    document = {"torch_version": torch.__version__, "cases": answers}
    target = ROOT / "tests" / "fixtures" / "trace_cases.json"
    target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(answers)} cases to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
