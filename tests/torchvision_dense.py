"""torchvision's segmentation nets and its ResNet-FPN detection backbone, built from the
installed files (imports torch).

The files of ``torchvision.models.segmentation`` and ``torchvision.models.detection`` import
``torchvision.ops`` and each other; they load through :mod:`torchvision_models`, which runs no
package ``__init__``. Each :class:`DenseModel` is one zoo entry: the function that builds it,
the arguments it is called with, and where its input size comes from.

- The segmentation builders are called with their defaults except ``weights_backbone=None``:
  its default names ImageNet weights for the ResNet, which would be downloaded, and which
  change no shape or count. With ``weights=None`` (the default) there is no auxiliary
  classifier (``aux_loss=None``) and 21 classes (VOC). The ``_aux`` entries pass
  ``aux_loss=True``, the model the published weights hold, and their parameter count is the
  one the Weights enum publishes. The input is the published ``resize_size`` (520) square.
- ``resnet50_fpn`` is ``resnet_fpn_backbone(backbone_name="resnet50", weights=None)`` with
  its defaults: FrozenBatchNorm2d, ``trainable_layers=3`` (conv1 and layer1 frozen), all four
  stages returned, and the extra ``LastLevelMaxPool`` level. Its input is 1x3x800x800, the
  ``min_size`` of 800 that Faster R-CNN resizes images to.

Used by ``scripts/record_dense_fixtures.py`` (writes ``tests/fixtures/torchvision_dense.json``)
and by the live tests in ``tests/test_zoo_dense.py``.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torchvision_models
import trace_oracle


@dataclass(frozen=True)
class DenseModel:
    """A zoo entry's torchvision model: ``module.function(**kwargs)`` at ``size``."""

    name: str
    module: str  # under torchvision.models
    function: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    weights: str | None = None  # the Weights enum publishing its size and parameter count
    size: int | None = None  # the input size, where no Weights enum gives it


_SEGMENTATION = [
    DenseModel(
        f"{head}_resnet{depth}{suffix}",
        f"segmentation.{'deeplabv3' if head == 'deeplabv3' else 'fcn'}",
        f"{head}_resnet{depth}",
        {"weights_backbone": None, **({"aux_loss": True} if suffix else {})},
        f"{'DeepLabV3' if head == 'deeplabv3' else 'FCN'}_ResNet{depth}_Weights",
    )
    for head in ("deeplabv3", "fcn")
    for depth in (50, 101)
    for suffix in ("", "_aux")
]

MODELS = [
    *_SEGMENTATION,
    DenseModel(
        "resnet50_fpn",
        "detection.backbone_utils",
        "resnet_fpn_backbone",
        {"backbone_name": "resnet50", "weights": None},
        size=800,
    ),
]


def _module(package_dir: Path, name: str) -> Any:
    torchvision_models.install(package_dir)
    return importlib.import_module(f"torchvision.models.{name}")


def published(package_dir: Path, model: DenseModel) -> dict[str, Any]:
    """The input size, and what the model's Weights enum publishes (if it has one)."""
    if model.weights is None:
        assert model.size is not None
        return {"input_shape": [1, 3, model.size, model.size]}
    weights = getattr(_module(package_dir, model.module), model.weights).DEFAULT
    size = int(weights.transforms.keywords["resize_size"])
    return {
        "input_shape": [1, 3, size, size],
        "weights": f"{type(weights).__name__}.{weights.name}",
        "published_params": int(weights.meta["num_params"]),
        "published_gflops": float(weights.meta["_ops"]),
    }


def run(package_dir: Path, model: DenseModel, size: int, *, meta: bool = True) -> dict[str, Any]:
    """Build the model in eval mode and run a 1x3xSIZExSIZE input (on the meta device by
    default): output names and shapes, parameter counts, conv and linear MACs, and every leaf
    module's output shape from forward hooks, in call order."""
    function = getattr(_module(package_dir, model.module), model.function)
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if meta:
            with trace_oracle._parameters_on_meta():
                built = function(**model.kwargs)
        else:
            built = function(**model.kwargs)
    built.eval()
    shape = (1, 3, size, size)
    x = torch.empty(shape, device="meta") if meta else torch.randn(shape)
    recorder = trace_oracle._Recorder(built)
    with torch.no_grad():
        output = built(x)
    recorder.close()
    # Both kinds return an OrderedDict of tensors: its keys, then its values as outputs.
    result = trace_oracle._result(built, list(output.values()), recorder)
    result["output_names"] = list(output)
    return result
