"""Entries applied as functions (``functional: true``): the layer's shapes, graph, MACs,
receptive field and valid inputs, but no module: no parameters, no module row, and a call in
the exported ``forward``."""

from __future__ import annotations

import importlib.util
import os
import warnings
from math import prod
from pathlib import Path
from typing import Any

import pytest
from test_export import _load_module

from convcalc import ShapeError, SpecError
from convcalc._record import record_fields
from convcalc.analysis import receptive_field, valid_inputs
from convcalc.export import to_pytorch
from convcalc.functional import FUNCTIONS, call_text
from convcalc.layers import layer_types
from convcalc.network import LayerSpec, Network, NetworkBuilder, summarize
from convcalc.render.data import summary_dict
from convcalc.render.summary import table_rows
from convcalc.spec import load_spec

HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
needs_torch = pytest.mark.skipif(
    not HAS_TORCH and not REQUIRE_TORCH,
    reason="PyTorch is not installed (pip install torch==2.13.0)",
)

# DenseNet's head as torchvision's forward writes it: a module, then three calls.
HEAD = """\
name: head
input: [2, 8, 16, 16]
layers:
  - Conv2d: {out_channels: 16, kernel_size: 3, padding: 1}
  - BatchNorm2d
  - ReLU:
    functional: true
  - MaxPool2d: {kernel_size: 3, stride: 2}
    functional: true
  - AdaptiveAvgPool2d: [[1, 1]]
    functional: true
  - Flatten:
    functional: true
  - Dropout: 0.2
    functional: true
  - Linear: 10
"""


def _as_modules(text: str) -> str:
    return text.replace("    functional: true\n", "")


def test_functional_entries_keep_shapes_macs_and_counts() -> None:
    """The same layers, shapes, parameters and MACs; only the forward activations differ, as
    torchinfo counts the outputs of modules and a function is none."""
    called, modules = summarize(load_spec(HEAD)), summarize(load_spec(_as_modules(HEAD)))
    assert [(r.type, r.output_shape, r.params, r.macs) for r in called.layer_rows()] == [
        (r.type, r.output_shape, r.params, r.macs) for r in modules.layer_rows()
    ]
    calls = [r for r in called.layer_rows() if r.functional]
    fewer = modules.totals.activations - sum(prod(r.output_shape) for r in calls)
    assert called.totals == type(modules.totals)(
        **{**record_fields(modules.totals), "activations": fewer}
    )
    assert [r.functional for r in called.layer_rows()] == [False] * 2 + [True] * 5 + [False]
    assert not any(r.functional for r in modules.layer_rows())


def test_functional_entries_keep_receptive_fields_and_valid_inputs() -> None:
    called, modules = load_spec(HEAD), load_spec(_as_modules(HEAD))
    assert receptive_field(called).nodes == receptive_field(modules).nodes
    assert valid_inputs(called).axes == valid_inputs(modules).axes


def test_table_and_json_show_no_row_for_a_function() -> None:
    """A function is not a module: no row of its own, as in torchinfo, and the modules are
    numbered as torchinfo numbers them (the Linear is 1-3)."""
    summary = summarize(load_spec(HEAD))
    rows = table_rows(summary, ("output_size", "num_params"), depth=3)
    assert [(r.text, r.suffix, r.cells) for r in rows[1:]] == [
        ("Conv2d(8, 16, 3, padding=1)", ": 1-1", ("[2, 16, 16, 16]", "1,168")),
        ("BatchNorm2d(16)", ": 1-2", ("[2, 16, 16, 16]", "32")),
        ("Linear(16, 10)", ": 1-3", ("[2, 10]", "170")),
    ]
    data = summary_dict(summary)
    assert [layer["type"] for layer in data["layers"]] == ["Conv2d", "BatchNorm2d", "Linear"]


def test_export_writes_the_calls_in_forward() -> None:
    source = to_pytorch(load_spec(HEAD))
    assert "from torch.nn import functional as F\n" in source
    assert "        h2 = F.relu(h1, inplace=False)  # [2, 16, 16, 16]\n" in source
    assert (
        "        h3 = F.max_pool2d(h2, kernel_size=3, stride=2, padding=0, dilation=1, "
        "return_indices=False, ceil_mode=False)  # [2, 16, 7, 7]\n"
    ) in source
    assert "        h5 = torch.flatten(h4, start_dim=1, end_dim=-1)  # [2, 16]\n" in source
    assert "F.dropout(h5, p=0.2, inplace=False, training=self.training)" in source
    assert "nn.ReLU" not in source
    assert "nn.MaxPool2d" not in source
    # No functional entry, no import of it.
    assert "functional" not in to_pytorch(load_spec(_as_modules(HEAD)))


REFUSED = [
    pytest.param(
        "  - Conv2d: [4, 3]\n    functional: true\n",
        "net.yaml:4:17: layers[0].functional: Conv2d holds parameters or buffers, which a "
        "function call has nowhere to keep: leave out 'functional: true' to make it a module "
        "(inside a block, the block's module may keep them)",
        id="parameters",
    ),
    pytest.param(
        "  - BatchNorm2d:\n    functional: true\n",
        "net.yaml:4:17: layers[0].functional: BatchNorm2d holds parameters or buffers, which a "
        "function call has nowhere to keep: leave out 'functional: true' to make it a module "
        "(inside a block, the block's module may keep them)",
        id="buffers",
    ),
    pytest.param(
        "  - ReLU:\n    functional: 1\n",
        "net.yaml:4:17: layers[0].functional: expected true or false, got 1",
        id="not-a-bool",
    ),
    pytest.param(
        "  - ReLU:\n    id: act\n    functional: true\n  - share: act\n",
        "net.yaml:6:12: layers[1].share: 'share' takes the id of an earlier single layer in "
        "this list, got 'act' (layers with ids: none here)",
        id="share-a-function",
    ),
]


@pytest.mark.parametrize(("entry", "message"), REFUSED)
def test_functional_refusals_are_one_sentence(entry: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        load_spec(f"input: [1, 4, 8, 8]\nlayers:\n{entry}", source="net.yaml")
    assert str(info.value) == message


def test_functional_block_is_refused() -> None:
    text = (
        "input: [1, 4, 8, 8]\nblocks:\n  Act:\n    layers:\n      - ReLU\nlayers:\n"
        "  - Act:\n    functional: true\n"
    )
    with pytest.raises(SpecError) as info:
        load_spec(text, source="net.yaml")
    assert str(info.value) == (
        "net.yaml:8:17: layers[0].functional: block Act is a module of layers: mark its layers "
        "'functional: true'"
    )


def test_built_functional_layer_with_parameters_is_refused() -> None:
    """A network built in Python is checked when summarised."""
    builder = NetworkBuilder(input_shape=(1, 3, 8, 8), name="built")
    builder.add(LayerSpec("Conv2d", (4, 3)))
    network = builder.build()
    node = network.nodes[0]
    from convcalc._record import record_fields

    values = record_fields(node)
    values["functional"] = True
    broken = Network((type(node)(**values),), network.input_shape, network.name)
    with pytest.raises(ShapeError) as info:
        summarize(broken)
    assert str(info.value).endswith(
        "Conv2d holds parameters or buffers, which a function call has nowhere to keep: leave "
        "out 'functional: true' to make it a module (inside a block, the block's module may "
        "keep them)"
    )


def test_a_merge_or_a_layer_without_a_call_may_be_functional() -> None:
    """x + y and x.view(...) are calls too: the mark hides their rows; export writes the
    merge as an expression and a layer without a function of its own as a module made in
    forward (never registered, so it holds nothing)."""
    text = (
        "input: [1, 4, 8, 8]\nlayers:\n  - ReLU\n  - Add: {from: [input, -1]}\n"
        "    functional: true\n  - Identity:\n    functional: true\n"
    )
    summary = summarize(load_spec(text))
    assert [r.type for r in summary.layer_rows() if not r.functional] == ["ReLU"]
    source = to_pytorch(load_spec(text))
    assert "        h1 = x + h0  # [1, 4, 8, 8]\n" in source
    assert "        h2 = nn.Identity()(h1)  # [1, 4, 8, 8]\n" in source


def test_a_function_with_parameters_in_a_block_counts_them_for_the_block() -> None:
    """Inside a block, the block's module keeps them (F.layer_norm with self.weight): the
    block row shows them; export refuses rather than lose them."""
    text = (
        "input: [1, 4, 8, 8]\nblocks:\n  Norm:\n    layers:\n      - GroupNorm: [1]\n"
        "        functional: true\nlayers:\n  - Norm\n"
    )
    network = load_spec(text, source="net.yaml")
    summary = summarize(network)
    assert summary.totals.params == 8
    assert [(r.type, r.params) for r in summary.rows if r.is_block] == [("Norm", 8)]
    with pytest.raises(SpecError) as info:
        to_pytorch(network)
    assert "GroupNorm applied as a function with its block's parameters cannot be exported" in (
        str(info.value)
    )


def test_every_function_names_a_stateless_layer_type() -> None:
    types = layer_types()
    assert set(FUNCTIONS) <= set(types)
    for name in FUNCTIONS:
        cls = types[name]
        assert "parameter_shapes" not in vars(cls), name


def _examples() -> list[tuple[str, Any, tuple[int, ...]]]:
    """One configuration of every layer type with a call, and an input it takes."""
    t = layer_types()
    image: tuple[int, ...] = (2, 6, 9, 9)
    cases = {
        "ReLU": t["ReLU"](),
        "ReLU6": t["ReLU6"](),
        "LeakyReLU": t["LeakyReLU"](0.2),
        "ELU": t["ELU"](0.5),
        "SELU": t["SELU"](),
        "CELU": t["CELU"](0.7),
        "GELU": t["GELU"](approximate="tanh"),
        "SiLU": t["SiLU"](),
        "Mish": t["Mish"](),
        "Hardswish": t["Hardswish"](),
        "Hardsigmoid": t["Hardsigmoid"](),
        "Hardtanh": t["Hardtanh"](-0.5, 0.5),
        "Hardshrink": t["Hardshrink"](0.3),
        "Softshrink": t["Softshrink"](0.3),
        "Tanhshrink": t["Tanhshrink"](),
        "Softsign": t["Softsign"](),
        "Softplus": t["Softplus"](2.0, 10.0),
        "LogSigmoid": t["LogSigmoid"](),
        "GLU": t["GLU"](1),
        "Softmax": t["Softmax"](1),
        "Softmin": t["Softmin"](1),
        "LogSoftmax": t["LogSoftmax"](1),
        "PixelShuffle": t["PixelShuffle"](1),
        "PixelUnshuffle": t["PixelUnshuffle"](3),
        "ChannelShuffle": t["ChannelShuffle"](3),
        "LocalResponseNorm": t["LocalResponseNorm"](3),
        "Upsample": t["Upsample"](scale_factor=2, mode="bilinear"),
        "Sigmoid": t["Sigmoid"](),
        "Tanh": t["Tanh"](),
        "Flatten": t["Flatten"](),
        "Dropout": t["Dropout"](0.3),
        "AlphaDropout": t["AlphaDropout"](0.3),
        "FeatureAlphaDropout": t["FeatureAlphaDropout"](0.3),
    }
    shapes: dict[str, tuple[int, ...]] = dict.fromkeys(cases, image)
    shapes["Unfold"] = image
    cases["Unfold"] = t["Unfold"](3, stride=2)
    cases["Fold"] = t["Fold"](5, 3)
    shapes["Fold"] = (2, 18, 9)
    for nd in (1, 2, 3):
        shape = (2, 3, *(7,) * nd)
        more = {
            f"MaxPool{nd}d": t[f"MaxPool{nd}d"](3, stride=2, padding=1, ceil_mode=True),
            f"AvgPool{nd}d": t[f"AvgPool{nd}d"](3, 2, 1, count_include_pad=False),
            f"LPPool{nd}d": t[f"LPPool{nd}d"](2, 2),
            f"AdaptiveAvgPool{nd}d": t[f"AdaptiveAvgPool{nd}d"](3),
            f"AdaptiveMaxPool{nd}d": t[f"AdaptiveMaxPool{nd}d"](3),
            f"Dropout{nd}d": t[f"Dropout{nd}d"](0.3),
            f"ZeroPad{nd}d": t[f"ZeroPad{nd}d"](tuple(range(1, 2 * nd + 1))),
            f"ConstantPad{nd}d": t[f"ConstantPad{nd}d"](2, 1.5),
            f"ReflectionPad{nd}d": t[f"ReflectionPad{nd}d"](2),
            f"ReplicationPad{nd}d": t[f"ReplicationPad{nd}d"](tuple(range(2 * nd))),
            f"CircularPad{nd}d": t[f"CircularPad{nd}d"](1),
        }
        cases.update(more)
        shapes.update(dict.fromkeys(more, shape))
    return [(name, cases[name], shapes[name]) for name in sorted(cases)]


EXAMPLES = _examples()


def test_examples_cover_every_function() -> None:
    assert sorted(name for name, _, _ in EXAMPLES) == sorted(FUNCTIONS)


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize(("name", "layer", "shape"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_call_computes_what_its_module_computes(
    name: str, layer: Any, shape: tuple[int, ...]
) -> None:
    """The exported call and PyTorch's module give the same tensor, in eval and in train
    mode (the dropouts with one seed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch
        from torch.nn import functional as F

    from convcalc.export import _constructor
    from convcalc.functional import call_source

    module = eval(_constructor(layer), {"nn": torch.nn})  # noqa: S307 - our own text
    x = torch.randn(shape, generator=torch.Generator().manual_seed(5))
    for training in (False, True):
        module.train(training)
        holder = type("Holder", (), {"training": training})()
        torch.manual_seed(7)
        expected = module(x.clone())
        torch.manual_seed(7)
        got = eval(  # noqa: S307 - our own text
            call_source(layer, "x"), {"F": F, "torch": torch, "self": holder, "x": x.clone()}
        )
        assert torch.equal(got, expected), (name, training)
        assert tuple(got.shape) == layer.output_shape(shape), name
    assert call_text(layer).startswith(FUNCTIONS[name].name + "(")


@pytest.mark.torch
@needs_torch
def test_exported_functions_run_under_torch_with_no_module(tmp_path: Path) -> None:
    """The export has a module for each non-functional entry only, and gives the same output
    as the export with every entry a module (weights copied over)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

    outputs = []
    for name, text in (("called", HEAD), ("modules", _as_modules(HEAD))):
        path = tmp_path / f"{name}.py"
        path.write_text(to_pytorch(load_spec(text)), encoding="utf-8")
        module = _load_module(path)
        model = getattr(module, module.__all__[-1])().eval()
        leaves = [type(m).__name__ for m in model.modules() if not any(m.children())]
        if name == "called":
            assert leaves == ["Conv2d", "BatchNorm2d", "Linear"]
            state = model.state_dict()
        else:
            model.load_state_dict(state)
        with torch.no_grad():
            x = torch.randn(module.INPUT_SHAPE, generator=torch.Generator().manual_seed(3))
            outputs.append(model(x))
    assert tuple(outputs[0].shape) == (2, 10)
    assert torch.equal(outputs[0], outputs[1])
