"""Record torchvision's segmentation nets and ResNet-FPN backbone into tests/fixtures/.

    pip install torch==2.13.0 && pip install --no-deps torchvision==0.28.0
    python scripts/record_dense_fixtures.py

Writes ``tests/fixtures/torchvision_dense.json``: for every model of
``tests/torchvision_dense.py`` (DeepLabV3 and FCN on ResNet-50/101, with and without the
auxiliary classifier, and ``resnet_fpn_backbone("resnet50")``), built from the installed
torchvision in eval mode on the meta device: its arguments, input shape, output names and
shapes, parameters, trainable parameters, conv and linear MACs and every leaf module's output
shape from forward hooks, next to what its Weights enum publishes.

Output is deterministic (sorted keys, no timings) so a rerun with the same torch is a no-op.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import torchvision_models  # noqa: E402  (lives in tests/, found through the path above)
from record_trace_fixtures import _write  # noqa: E402

OUTPUT = ROOT / "tests" / "fixtures" / "torchvision_dense.json"


def record(torch_version: str) -> dict[str, Any]:
    import torchvision_dense

    package_dir = torchvision_models.installed_dir()
    if package_dir is None:
        raise SystemExit("torchvision is not installed: pip install --no-deps torchvision==0.28.0")
    models: dict[str, Any] = {}
    for model in torchvision_dense.MODELS:
        start = time.perf_counter()
        facts = torchvision_dense.published(package_dir, model)
        result = torchvision_dense.run(package_dir, model, facts["input_shape"][-1])
        models[model.name] = {
            "builder": f"{model.module}.{model.function}",
            "kwargs": model.kwargs,
            **facts,
            "torch": result,
        }
        published = facts.get("published_params")
        mark = "" if published is None else ("=" if published == result["params"] else "!")
        print(
            f"{model.name:24} {result['params']:>11,} {mark:1} {published or '':>11}  "
            f"{result['macs'] / 1e9:9.3f} GMACs  {time.perf_counter() - start:5.2f} s",
            file=sys.stderr,
        )
    return {
        "torch_version": torch_version,
        "torchvision_version": torchvision_models.installed_version(package_dir),
        "models": models,
    }


def main() -> None:
    import torch

    torch.set_num_threads(2)
    _write(OUTPUT, record(torch.__version__))


if __name__ == "__main__":
    main()
