"""The built-in networks reproduce torchvision's published totals at 1x3x224x224."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from convcalc import ShapeError, SpecError
from convcalc.network import summarize
from convcalc.spec import load_spec_file, zoo_names

HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
needs_torch = pytest.mark.skipif(
    not HAS_TORCH and not REQUIRE_TORCH,
    reason="PyTorch is not installed (pip install torch==2.13.0)",
)

PUBLISHED = [
    # name, params, GMACs to three decimals (torchvision's model table)
    pytest.param("alexnet", 61_100_840, "0.714", id="alexnet"),
    pytest.param("vgg16", 138_357_544, "15.470", id="vgg16"),
    pytest.param("resnet18", 11_689_512, "1.814", id="resnet18"),
    pytest.param("resnet50", 25_557_032, "4.089", id="resnet50"),
    pytest.param("mobilenet_v2", 3_504_872, "0.301", id="mobilenet_v2"),
]


@pytest.mark.parametrize(("name", "params", "gmacs"), PUBLISHED)
def test_zoo_matches_published_totals(name: str, params: int, gmacs: str) -> None:
    summary = summarize(load_spec_file(name))
    assert summary.input_shape == (1, 3, 224, 224)
    assert summary.output_shape == (1, 1000)
    assert summary.totals.params == params
    assert f"{summary.totals.macs / 1e9:.3f}" == gmacs


def test_unet_restores_the_input_size() -> None:
    summary = summarize(load_spec_file("unet"))
    assert summary.output_shape == (1, 2, 128, 128)
    concats = [r for r in summary.layer_rows() if r.type == "Concat"]
    assert [r.output_shape[1] for r in concats] == [128, 64, 32]


def test_unet_with_a_mismatched_skip_names_the_layer_and_line() -> None:
    """An input whose size is not a multiple of 8 breaks the first skip connection."""
    from convcalc import ShapeError

    with pytest.raises(ShapeError) as info:
        summarize(load_spec_file("unet"), (1, 3, 100, 100))
    assert str(info.value) == (
        "zoo:unet:26: layers[8] Concat: tensors 1x64x24x24 and 1x64x25x25 differ in "
        "dimension 2 (24 vs 25); only dimension 1 may differ"
    )


def test_every_zoo_entry_summarises() -> None:
    assert set(zoo_names()) >= {
        "lenet",
        "alexnet",
        "vgg16",
        "resnet18",
        "resnet50",
        "mobilenet_v2",
        "unet",
    }
    for name in zoo_names():
        assert summarize(load_spec_file(name)).totals.params > 0


def test_unet_spec_with_a_wrong_skip_names_the_layer_and_line() -> None:
    """Concatenating the first decoder stage with the wrong encoder level fails at its line."""
    from convcalc import ShapeError
    from convcalc.spec import load_spec, zoo_text

    text = zoo_text("unet").replace("    from: [-1, enc3]", "    from: [-1, enc2]")
    with pytest.raises(ShapeError) as info:
        summarize(load_spec(text, source="unet.yaml"))
    assert str(info.value) == (
        "unet.yaml:26: layers[8] Concat: tensors 1x64x32x32 and 1x32x64x64 differ in "
        "dimension 2 (32 vs 64); only dimension 1 may differ"
    )


def test_no_zoo_entry_warns() -> None:
    from convcalc.network import summarize

    warned = {name: summarize(load_spec_file(name)).warnings for name in zoo_names()}
    assert {name: w for name, w in warned.items() if w} == {}


TORCHVISION = json.loads(
    (Path(__file__).parent / "fixtures" / "torchvision_models.json").read_text(encoding="utf-8")
)["builders"]
VARIANTS = sorted(name for name in zoo_names() if name in TORCHVISION)


@pytest.mark.parametrize("name", VARIANTS)
def test_variant_equals_torchvision(name: str) -> None:
    """Parameters and MACs (conv and linear multiply-adds) at torchvision's published input
    size, and every leaf module's output shape in forward order, as recorded from
    torchvision 0.28 by forward hooks (tests/fixtures/torchvision_models.json)."""
    from convcalc.network import summarize

    reference = TORCHVISION[name]
    summary = summarize(load_spec_file(name))
    assert summary.input_shape == tuple(reference["input_shape"])
    assert (summary.totals.params, summary.totals.macs) == (
        reference["torch"]["params"],
        reference["torch"]["macs"],
    )
    leaves = reference["torch"]["leaves"]
    types = {kind for _, kind, _ in leaves}
    # A layer applied as a function (functional: true) is no module, so no hook sees it.
    ours = [
        (r.type, r.output_shape)
        for r in summary.layer_rows()
        if r.type in types and not r.functional
    ]
    assert ours == [(kind, tuple(shape)) for _, kind, shape in leaves]


def test_docs_list_every_variant_with_torchvision_numbers() -> None:
    text = (Path(__file__).parent.parent / "docs" / "spec-format.md").read_text(encoding="utf-8")
    for name in VARIANTS:
        reference = TORCHVISION[name]
        size = "x".join(map(str, reference["input_shape"]))
        params, macs = reference["torch"]["params"], reference["torch"]["macs"]
        assert f"| `{name}` |" in text, name
        assert f"| {size} | {params:,} | {macs:,} |" in text, name


def test_googlenet_aux_heads_run_only_in_train_mode() -> None:
    """torchvision's 1,498,376,192 MACs in eval; the two auxiliary heads add 8,372,224 and
    their rows in train mode; their parameters count in both (13,004,888)."""
    from convcalc.network import summarize

    network = load_spec_file("googlenet")
    evaluated, trained = summarize(network), summarize(network, mode="train")
    assert evaluated.totals.params == trained.totals.params == 13_004_888
    assert (evaluated.totals.macs, trained.totals.macs) == (1_498_376_192, 1_506_748_416)
    aux = [r.name for r in trained.rows if r.is_block and r.name in ("aux1", "aux2")]
    assert aux == ["aux1", "aux2"]
    assert not [r for r in evaluated.rows if r.name.startswith("aux")]


def test_inception_v3_aux_head_runs_only_in_train_mode() -> None:
    """torchvision's numbers in eval (the fixture); in train mode, at a batch of 2 (a
    training-mode BatchNorm needs more than one value per channel, and the aux head's 5x5
    convolution leaves a 1x1 map), the aux head's rows and an output of 1000 classes
    beside the main one; its parameters count in both modes."""
    network = load_spec_file("inception_v3")
    reference = TORCHVISION["inception_v3"]["torch"]
    evaluated = summarize(network)
    trained = summarize(network, (2, 3, 299, 299), mode="train")
    assert evaluated.totals.params == trained.totals.params == reference["params"]
    assert evaluated.totals.idle_params == 3_326_696  # 98,560 + 2,459,136 + 769,000 (fc)
    assert not [r for r in evaluated.rows if r.name.startswith("AuxLogits")]
    aux = [r for r in trained.rows if r.is_block and r.name == "AuxLogits"]
    assert [r.output_shape for r in aux] == [tuple(reference["train_outputs"][1])]
    assert trained.output_shape == tuple(reference["train_outputs"][0])
    with pytest.raises(ShapeError, match="one value per channel"):
        summarize(network, mode="train")  # as PyTorch refuses a batch of 1 in training


def _torchvision_inception_v3() -> tuple[Any, Any, Any]:
    """torch, the trace oracle, and torchvision's inception_v3 (default arguments) with its
    parameters on the meta device."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch
        import torchvision_models
        import trace_oracle

    package_dir = torchvision_models.installed_or_skip()
    module = torchvision_models.load_module(package_dir, "inception.py")
    with warnings.catch_warnings(), trace_oracle._parameters_on_meta():
        warnings.simplefilter("ignore")  # the init_weights FutureWarning
        model = module.inception_v3()
    return torch, trace_oracle, model


@pytest.mark.torch
@needs_torch
def test_inception_v3_train_mode_equals_torchvision() -> None:
    """Parameters, MACs and every leaf module's output shape in train mode, from
    torchvision's inception_v3 (default arguments) run live on the meta device."""

    torch, trace_oracle, model = _torchvision_inception_v3()
    model.train()
    recorder = trace_oracle._Recorder(model)
    with torch.no_grad():
        logits, aux = model(torch.empty((2, 3, 299, 299), device="meta"))
    recorder.close()
    summary = summarize(load_spec_file("inception_v3"), (2, 3, 299, 299), mode="train")
    assert summary.totals.params == sum(p.numel() for p in model.parameters())
    assert summary.totals.macs == recorder.macs
    types = {kind for _, kind, _ in recorder.leaves}
    ours = [
        (r.type, r.output_shape)
        for r in summary.layer_rows()
        if r.type in types and not r.functional
    ]
    assert ours == [(kind, tuple(shape)) for _, kind, shape in recorder.leaves]
    aux_rows = [r for r in summary.rows if r.is_block and r.name == "AuxLogits"]
    assert (summary.output_shape, aux_rows[0].output_shape) == (
        tuple(logits.shape),
        tuple(aux.shape),
    )


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize("size", [75, 74, 120])
def test_inception_v3_eval_takes_the_sizes_torchvision_takes(size: int) -> None:
    """In eval, torchvision's inception_v3 never runs its auxiliary head, so it runs from
    75 pixels: convcalc accepts and refuses the same sizes, with the same parameters."""
    torch, _, model = _torchvision_inception_v3()
    model.eval()
    shape = (1, 3, size, size)
    try:
        with torch.no_grad():
            expected: tuple[int, ...] | None = tuple(model(torch.empty(shape, device="meta")).shape)
    except RuntimeError:
        expected = None
    try:
        summary = summarize(load_spec_file("inception_v3"), shape)
    except ShapeError:
        assert expected is None
        return
    assert summary.output_shape == expected
    assert summary.totals.params == sum(p.numel() for p in model.parameters())


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize(
    ("builder", "arguments", "settings"),
    [
        ("resnet18", {"groups": 2}, {"groups": 2}),
        ("resnet34", {"width_per_group": 32}, {"width_per_group": 32}),
        (
            "resnet18",
            {"replace_stride_with_dilation": [False, True, True]},
            {"replace_stride_with_dilation": [False, True, True]},
        ),
        (
            "resnet50",
            {"replace_stride_with_dilation": [False, True, True]},
            {"replace_stride_with_dilation": [False, True, True]},
        ),
        ("resnext50_32x4d", {}, {}),
    ],
    ids=["basic-groups", "basic-width", "basic-dilation", "bottleneck-dilation", "resnext"],
)
def test_resnet_accepts_and_refuses_as_torchvision(
    builder: str, arguments: dict[str, Any], settings: dict[str, Any]
) -> None:
    """torchvision's BasicBlock refuses groups, a base width and a dilation its Bottleneck
    takes: the zoo's ResNet refuses the same, with torchvision's words."""
    import torchvision_models

    module = torchvision_models.load_module(torchvision_models.installed_or_skip(), "resnet.py")
    try:
        getattr(module, builder)(**arguments)
    except (ValueError, NotImplementedError) as exc:
        expected: str | None = str(exc)
    else:
        expected = None
    if expected is None:
        load_spec_file(builder, params=settings)
    else:
        with pytest.raises(SpecError) as refused:
            load_spec_file(builder, params=settings)
        assert str(refused.value).endswith(expected)
