"""The segmentation nets and the detection backbone of the zoo against torchvision 0.28.

``tests/fixtures/torchvision_dense.json`` holds torchvision's own answers, recorded on the meta
device by ``scripts/record_dense_fixtures.py`` (see ``tests/torchvision_dense.py`` for the
arguments each model is built with): parameters, trainable parameters, conv and linear MACs,
the output names and shapes, and every leaf module's output shape in call order. The live
tests build the same models from the installed torchvision and compare with the fixture.
"""

from __future__ import annotations

import importlib.util
import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
import torchvision_models

from convcalc import SpecError, load_spec, summarize
from convcalc.network import Summary
from convcalc.spec import load_spec_file, zoo_names

HERE = Path(__file__).resolve().parent
DENSE = json.loads((HERE / "fixtures" / "torchvision_dense.json").read_text(encoding="utf-8"))
MODELS: dict[str, Any] = DENSE["models"]
HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"

# torchvision resizes with F.interpolate, which no forward hook sees, and adds the FPN's
# extra level with F.max_pool2d inside LastLevelMaxPool, a leaf module whose output is the
# list of levels with their names. The specs write them as Upsample and (the entry 'pool')
# MaxPool2d rows; the leaf comparison leaves those rows and LastLevelMaxPool out, and the
# outputs, which they give, are compared on their own.
FUNCTIONAL_TYPES = ("Upsample",)
FUNCTIONAL_NAMES = ("pool",)
EXTRA_BLOCK = "LastLevelMaxPool"


def _ours(name: str) -> Summary:
    """The zoo entry of a fixture model: the ``_aux`` models are their zoo name with
    ``aux_loss=true``."""
    if name.endswith("_aux"):
        return summarize(load_spec(name.removesuffix("_aux"), params={"aux_loss": True}))
    return summarize(load_spec_file(name))


def test_every_recorded_model_is_a_zoo_entry() -> None:
    names = {name.removesuffix("_aux") for name in MODELS}
    assert names <= set(zoo_names())
    assert names == {
        "deeplabv3_resnet50",
        "deeplabv3_resnet101",
        "fcn_resnet50",
        "fcn_resnet101",
        "resnet50_fpn",
    }


@pytest.mark.parametrize("name", sorted(MODELS))
def test_dense_entry_equals_torchvision(name: str) -> None:
    reference = MODELS[name]
    torch = reference["torch"]
    summary = _ours(name)
    assert summary.input_shape == tuple(reference["input_shape"])
    assert (summary.totals.params, summary.totals.trainable_params, summary.totals.macs) == (
        torch["params"],
        torch["trainable_params"],
        torch["macs"],
    )
    assert [list(shape) for shape in summary.outputs] == torch["outputs"]
    assert summary.output_shape == tuple(torch["outputs"][0])
    leaves = torch["leaves"]
    types = {kind for _, kind, _ in leaves}
    ours = [
        (row.type, row.output_shape)
        for row in summary.layer_rows()
        if row.type in types
        and row.type not in FUNCTIONAL_TYPES
        and row.name.rsplit(".", 1)[-1] not in FUNCTIONAL_NAMES
    ]
    theirs = [(kind, tuple(shape)) for _, kind, shape in leaves if kind != EXTRA_BLOCK]
    assert ours == theirs


def test_functional_rows_left_out_of_the_leaf_comparison_are_only_resizes_and_the_pool() -> None:
    """The rows the comparison leaves out: DeepLabV3's pooling-branch resize and final resize,
    and the FPN's three top-down resizes and its extra max-pool level."""
    deeplab = [r.type for r in summarize(load_spec_file("deeplabv3_resnet50")).layer_rows()]
    assert deeplab.count("Upsample") == 2
    fpn = summarize(load_spec_file("resnet50_fpn")).layer_rows()
    assert [r.type for r in fpn].count("Upsample") == 3
    (pool,) = [r for r in fpn if r.name in FUNCTIONAL_NAMES]
    leaves = MODELS["resnet50_fpn"]["torch"]["leaves"]
    assert "MaxPool2d" in {kind for _, kind, _ in leaves}  # the stem's, a module
    (extra,) = [shape for _, kind, shape in leaves if kind == EXTRA_BLOCK]
    levels, _names = extra
    assert [tuple(s) for s in levels] == [
        next(r.output_shape for r in fpn if r.name == name)
        for name in ("p2", "p3", "p4", "p5", "pool")
    ]
    assert tuple(levels[-1]) == pool.output_shape


@pytest.mark.parametrize("name", sorted(n for n in MODELS if "published_params" in MODELS[n]))
def test_published_parameter_counts_are_the_models_with_the_auxiliary_head(name: str) -> None:
    """The Weights enums publish the model they hold, with its auxiliary FCN head; the
    builders' default without weights has none."""
    reference = MODELS[name]
    if name.endswith("_aux"):
        assert reference["torch"]["params"] == reference["published_params"]
        assert reference["torch"]["output_names"] == ["out", "aux"]
        assert f"{reference['torch']['macs'] / 1e9:.3f}" == f"{reference['published_gflops']:.3f}"
    else:
        assert reference["torch"]["params"] < reference["published_params"]
        assert reference["torch"]["output_names"] == ["out"]


def test_fpn_outputs_are_torchvisions_five_levels() -> None:
    reference = MODELS["resnet50_fpn"]["torch"]
    assert reference["output_names"] == ["0", "1", "2", "3", "pool"]
    summary = summarize(load_spec_file("resnet50_fpn"))
    assert summary.outputs == (
        (1, 256, 200, 200),
        (1, 256, 100, 100),
        (1, 256, 50, 50),
        (1, 256, 25, 25),
        (1, 256, 13, 13),
    )


def test_fpn_freezes_conv1_and_layer1_by_default() -> None:
    """trainable_layers=3: conv1 and layer1 are frozen; FrozenBatchNorm2d has no parameters."""
    summary = summarize(load_spec_file("resnet50_fpn"))
    rows = summary.layer_rows()
    frozen = {r.name.split(".")[0] for r in rows if r.params and not r.trainable_params}
    assert frozen == {"conv2d_1", "layer1"}
    assert not [r for r in summary.layer_rows() if r.type == "FrozenBatchNorm2d" and r.params]
    everything = summarize(load_spec("resnet50_fpn", params={"trainable_layers": 5}))
    assert everything.totals.trainable_params == everything.totals.params == 26_799_296


def test_segmentation_resizes_to_any_input() -> None:
    """The logits come back to the input's size, for another input too (the spec is read
    again, since its parameter 'size' reads the input)."""
    summary = summarize(load_spec_file("deeplabv3_resnet50"), (1, 3, 480, 640))
    assert summary.output_shape == (1, 21, 480, 640)
    assert summarize(load_spec_file("fcn_resnet50"), (2, 3, 97, 131)).output_shape == (
        2,
        21,
        97,
        131,
    )


def test_fpn_top_down_resizes_to_the_lateral_size() -> None:
    """At 600x1000 the levels are 150x250, 75x125, 38x63, 19x32: a top-down step from 19x32 to
    38x63 is not a doubling, so each resize takes the lateral's size, as torchvision does."""
    summary = summarize(load_spec_file("resnet50_fpn"), (1, 3, 600, 1000))
    assert [s[2:] for s in summary.outputs] == [(150, 250), (75, 125), (38, 63), (19, 32), (10, 16)]


def test_basic_block_refuses_a_dilation_as_torchvision_does() -> None:
    with pytest.raises(SpecError, match=r"Dilation > 1 not supported in BasicBlock$"):
        load_spec("resnet18", params={"replace_stride_with_dilation": [False, True, True]})


def test_dilated_resnet50_keeps_stride_8() -> None:
    summary = summarize(
        load_spec("resnet50", params={"replace_stride_with_dilation": [False, True, True]})
    )
    stages = [r for r in summary.rows if r.is_block and r.name in ("layer3", "layer4")]
    assert [r.output_shape for r in stages] == [(1, 1024, 28, 28), (1, 2048, 28, 28)]
    assert summary.totals.params == 25_557_032


# Live: torchvision itself, built from the installed files.


def _installed() -> Path:
    if not HAS_TORCH:
        if REQUIRE_TORCH:
            pytest.fail("CONVCALC_REQUIRE_TORCH=1 but PyTorch is not installed")
        pytest.skip("PyTorch is not installed (pip install torch==2.13.0)")
    return torchvision_models.installed_or_skip(DENSE["torchvision_version"])


@pytest.mark.torch
@pytest.mark.parametrize("name", ["deeplabv3_resnet50", "fcn_resnet50_aux", "resnet50_fpn"])
def test_live_torchvision_gives_the_recorded_answer(name: str) -> None:
    package_dir = _installed()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that numpy is missing
        import torchvision_dense

    model = next(m for m in torchvision_dense.MODELS if m.name == name)
    reference = MODELS[name]
    facts = torchvision_dense.published(package_dir, model)
    assert facts == {k: reference[k] for k in facts}
    result = torchvision_dense.run(package_dir, model, reference["input_shape"][-1])
    assert result == reference["torch"]


def test_docs_list_every_dense_entry_with_torchvision_numbers() -> None:
    text = (HERE.parent / "docs" / "spec-format.md").read_text(encoding="utf-8")
    for name, reference in MODELS.items():
        torch = reference["torch"]
        size = "x".join(map(str, reference["input_shape"]))
        numbers = (
            f"| {size} | {torch['params']:,} | {torch['trainable_params']:,} | {torch['macs']:,} |"
        )
        assert f"| `{name.removesuffix('_aux')}` |" in text, name
        assert numbers in text, name
