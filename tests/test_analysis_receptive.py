"""Receptive fields: Distill's published numbers, the recurrence against the exact fields, and
the exact fields against PyTorch's gradients."""

from __future__ import annotations

import importlib.util
import os
import warnings
from fractions import Fraction
from typing import Any

import pytest

from convcalc.analysis import field_of, receptive_field, tf_padding_layers
from convcalc.layers import Layer, layer_fields
from convcalc.network import INPUT, Add, Concat, LayerSpec, Mul, Network, NetworkBuilder
from convcalc.spec import load_spec_file, zoo_names

HAS_TORCH = importlib.util.find_spec("torch") is not None
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"
needs_torch = pytest.mark.skipif(
    not HAS_TORCH and not REQUIRE_TORCH,
    reason="PyTorch is not installed (pip install torch==2.13.0)",
)


# --------------------------------------------------------------------------------------------
# networks written like their TF-Slim models (padding='SAME' is TF-Slim's default for conv2d,
# 'VALID' for max_pool2d)


def _slim(name: str, size: int, layers: list[tuple[Any, ...]]) -> tuple[Network, dict[str, str]]:
    """Build a network from (kind, label, channels, kernel, stride, tf_mode) rows, SAME by TF's
    rule at each layer's own input size; returns the network and label -> node name."""
    builder = NetworkBuilder(input_shape=(1, 3, size, size), name=name)
    labels = {}
    for kind, label, channels, kernel, stride, mode in layers:
        layer_type = "Conv2d" if kind == "conv" else "MaxPool2d"
        pad, arguments, plan = tf_padding_layers(
            layer_type, (size, size), mode=mode, kernel_size=kernel, stride=stride
        )
        if pad is not None:
            builder.add(pad)
        args = (channels,) if kind == "conv" else ()
        labels[label] = builder.add(LayerSpec(layer_type, args, tuple(arguments.items())))
        if kind == "conv":
            builder.add("ReLU")
        size = plan.output_size[0]
    return builder.build(), labels


ALEXNET_V2 = [
    ("conv", "conv1", 64, 11, 4, "valid"),
    ("pool", "pool1", None, 3, 2, "valid"),
    ("conv", "conv2", 192, 5, 1, "same"),
    ("pool", "pool2", None, 3, 2, "valid"),
    ("conv", "conv3", 384, 3, 1, "same"),
    ("conv", "conv4", 384, 3, 1, "same"),
    ("conv", "conv5", 256, 3, 1, "same"),
    ("pool", "pool5", None, 3, 2, "valid"),
]

VGG_16 = [
    (kind, f"{kind}{block}_{i}", channels, k, s, mode)
    for block, (repeat, channels) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)], 1)
    for kind, i, k, s, mode in [
        *(("conv", j, 3, 1, "same") for j in range(1, repeat + 1)),
        ("pool", 0, 2, 2, "valid"),
    ]
]


@pytest.mark.parametrize(
    ("name", "layers", "final", "size", "jump", "padding"),
    [
        pytest.param("alexnet_v2", ALEXNET_V2, "pool5", 195, 32, 64, id="alexnet_v2"),
        pytest.param("vgg_16", VGG_16, "pool5_0", 212, 32, 90, id="vgg_16"),
    ],
)
def test_distill_table_rows(
    name: str, layers: list[tuple[Any, ...]], final: str, size: int, jump: int, padding: int
) -> None:
    """Araujo et al., Distill 2019, table of receptive field parameters: size / effective
    stride / effective padding at the final feature map, for TF-Slim's models at 224."""
    network, labels = _slim(name, 224, layers)
    fields = receptive_field(network)
    for axis in fields[labels[final]].axes:
        assert (axis.size, axis.jump, axis.effective_padding) == tuple(
            map(Fraction, (size, jump, padding))
        )


def test_lenet_fields_and_whole_input_after_flatten() -> None:
    fields = receptive_field(load_spec_file("lenet"))
    assert [n.axes[0].text() for n in fields.nodes] == [
        "5 / 1 / 2", "5 / 1 / 2", "6 / 2 / 2.5", "14 / 2 / 6.5", "14 / 2 / 6.5",
        "16 / 4 / 7.5", "whole input", "whole input", "whole input", "whole input",
    ]  # fmt: skip
    assert fields.warnings == ()
    assert fields.lines()[:2] == [
        "lenet: receptive field per axis as size / jump / start (Distill), input 64x1x28x28",
        "conv2d_1 (Conv2d)        H: 5 / 1 / 2  W: 5 / 1 / 2",
    ]


def test_field_outgrowing_the_input_warns_once() -> None:
    """Only the first node whose field is wider than the input warns, not every later one."""
    fields = receptive_field(load_spec_file("resnet18"), (1, 3, 64, 64))
    assert fields.warnings == (
        "layer2.basicblock_3.conv2d_7: the field on H (67) outgrows the input (64): from here on, "
        "every field reaches into the padding",
    )
    assert fields["layer2.basicblock_3.conv2d_7"].axes[0].size == 67
    assert (
        receptive_field(load_spec_file("resnet18"))
        .warnings[0]
        .startswith("layer4.basicblock_7.conv2d_16: the field on H (243) outgrows the input (224)")
    )


# --------------------------------------------------------------------------------------------
# graphs for the exact-field checks


def _dilated() -> Network:
    b = NetworkBuilder(input_shape=(1, 2, 29, 23), name="dilated")
    b.add(LayerSpec("Conv2d", (4, 3), (("dilation", 2),)))
    b.add(LayerSpec("Conv2d", (4, 3), (("dilation", (3, 1)), ("padding", 3))))
    b.add(LayerSpec("MaxPool2d", (3,), (("stride", 2), ("padding", 1), ("ceil_mode", True))))
    b.add(LayerSpec("Conv2d", (4, 3), (("padding", 2), ("padding_mode", "reflect"))))
    return b.build()


def _transposed() -> Network:
    b = NetworkBuilder(input_shape=(1, 2, 17, 20), name="transposed")
    b.add(LayerSpec("Conv2d", (4, 3), (("stride", 2),)))
    b.add(
        LayerSpec("ConvTranspose2d", (3, 3), (("stride", 2), ("padding", 1), ("output_padding", 1)))
    )
    b.add(LayerSpec("ConvTranspose2d", (3, 2), (("stride", 3), ("dilation", 2))))
    b.add(LayerSpec("Upsample", (), (("scale_factor", 2.0),)))
    b.add(LayerSpec("Conv2d", (2, 3), (("stride", 2),)))
    return b.build()


def _concat() -> Network:
    b = NetworkBuilder(input_shape=(1, 3, 24, 24), name="concat")
    stem = b.add(LayerSpec("Conv2d", (4, 3), (("stride", 2), ("padding", 1))))
    left = b.add(LayerSpec("Conv2d", (4, 3), (("padding", 1),)), inputs=[stem])
    right = b.add(LayerSpec("Conv2d", (4, 5), (("padding", 2), ("dilation", 1))), inputs=[stem])
    b.add(Concat(), inputs=[left, right])
    b.add(LayerSpec("Conv2d", (4, 3)))
    return b.build()


def _misaligned_add() -> Network:
    b = NetworkBuilder(input_shape=(1, 3, 16, 16), name="misaligned")
    centred = b.add(LayerSpec("Conv2d", (4, 3), (("padding", 1),)), name="centred")
    b.add(LayerSpec("Conv2d", (4, 3)), inputs=["input"], name="valid")
    shifted = b.add(LayerSpec("ZeroPad2d", ((2, 0, 2, 0),)), name="shifted")
    b.add(Add(), inputs=[centred, shifted], name="sum")
    b.add(LayerSpec("Conv2d", (4, 3), (("stride", 2),)))
    return b.build()


def _gated() -> Network:
    b = NetworkBuilder(input_shape=(1, 3, 20, 20), name="gated")
    trunk = b.add(LayerSpec("Conv2d", (4, 3), (("padding", 1),)))
    b.add(LayerSpec("AdaptiveAvgPool2d", (1,)), inputs=[trunk])
    gate = b.add(LayerSpec("Conv2d", (4, 1)))
    b.add(Mul(), inputs=[trunk, gate])
    b.add(LayerSpec("AvgPool2d", (3,), (("stride", 2),)))
    return b.build()


CONSTRUCTS = {
    "dilated": _dilated,
    "transposed": _transposed,
    "concat": _concat,
    "misaligned": _misaligned_add,
    "gated": _gated,
}


def test_misaligned_add_warns() -> None:
    fields = receptive_field(_misaligned_add())
    assert fields["sum"].warnings == (
        "sum: the Add branches' fields are not aligned on H (centres at -1 and 0, jump 1); "
        "the union is 4 wide",
        "sum: the Add branches' fields are not aligned on W (centres at -1 and 0, jump 1); "
        "the union is 4 wide",
    )
    assert receptive_field(_concat()).warnings == ()


def test_transposed_and_upsampled_fields_have_fractional_jumps() -> None:
    fields = receptive_field(_transposed())
    jumps = [n.axes[0].jump for n in fields.nodes]
    assert jumps == [2, 1, Fraction(1, 3), Fraction(1, 6), Fraction(1, 3)]


def _interior(network: Network, shape: tuple[int, ...] | None = None) -> None:
    """Where a position's field lies inside the input, the recurrence and the exact field
    agree: [c + o·j − (r−1)/2, c + o·j + (r−1)/2]."""
    fields = receptive_field(network, shape)
    sizes = fields.input_shape[-2:]
    for node in fields.nodes:
        if any(a.whole or a.jump.denominator != 1 for a in node.axes):
            continue
        for o in range(0, 40, 3):
            expected = []
            for axis, n in zip(node.axes, sizes, strict=True):
                low = axis.start + o * axis.jump - (axis.size - 1) / 2
                high = axis.start + o * axis.jump + (axis.size - 1) / 2
                expected.append((int(low), int(high)) if low >= 0 and high < n else None)
            if None in expected:
                continue
            try:
                got = field_of(network, node.index, (o, o), shape)
            except IndexError:
                continue
            assert got == tuple(expected), (node.name, o)


@pytest.mark.parametrize("name", ["lenet", "vgg16", "alexnet"])
def test_recurrence_matches_exact_fields_inside_the_input(name: str) -> None:
    _interior(load_spec_file(name), (1, 3 if name != "lenet" else 1, 96, 96))


def test_recurrence_matches_exact_fields_for_slim_models() -> None:
    network, _ = _slim("alexnet_v2", 224, ALEXNET_V2)
    _interior(network)


# --------------------------------------------------------------------------------------------
# PyTorch: the gradient of one output position reaches exactly the computed field


_POOL_AS_AVERAGE = {"MaxPool1d": "AvgPool1d", "MaxPool2d": "AvgPool2d", "MaxPool3d": "AvgPool3d",
                    "AdaptiveMaxPool2d": "AdaptiveAvgPool2d"}  # fmt: skip


def _torch_module(layer: Layer) -> Any:
    """The layer in PyTorch, with every weight positive and max pooling as average pooling
    (a max sends its gradient to one position; the field is every position it compares)."""
    import torch

    name = type(layer).__name__
    fields = layer_fields(layer)
    if name in _POOL_AS_AVERAGE:
        name = _POOL_AS_AVERAGE[name]
        for key in ("dilation", "return_indices"):
            assert fields.pop(key, 1) in (1, (1,), (1, 1), (1, 1, 1), False)
    if name in ("ReLU", "ReLU6", "Hardtanh", "SiLU", "GELU", "Hardswish", "Sigmoid", "Tanh"):
        return torch.nn.Identity()
    module = getattr(torch.nn, name)(**fields)
    with torch.no_grad():
        for key, parameter in module.named_parameters():
            if key == "weight" and parameter.dim() > 1:
                parameter.fill_(1.0 / parameter[0].numel())
            elif key == "bias":
                parameter.zero_()
    return module.eval()


def _torch_outputs(network: Network, shape: tuple[int, ...]) -> tuple[Any, list[Any]]:
    """Every node's output, up to the first layer too large to be worth running
    (VGG's 25088x4096 classifier: a Linear's field is the whole input, checked elsewhere)."""
    import torch

    from convcalc.network import summarize

    rows = summarize(network, shape).layer_rows()
    x = torch.ones(shape, requires_grad=True)
    outputs: list[Any] = []
    for node, row in zip(network.nodes, rows, strict=True):
        if row.params > 5_000_000:
            break
        ins = [x if i == INPUT else outputs[i] for i in node.inputs]
        op = row.layer
        if isinstance(op, Add):
            y = ins[0] + ins[1]
        elif isinstance(op, Mul):
            y = ins[0] * ins[1]
        elif isinstance(op, Concat):
            y = torch.cat(ins, dim=op.dim)
        else:
            assert isinstance(op, Layer)
            y = _torch_module(op)(ins[0])
        assert tuple(y.shape) == row.output_shape, node.name
        outputs.append(y)
    return x, outputs


def _gradient_extent(x: Any, y: Any, position: tuple[int, ...]) -> tuple[Any, ...]:
    import torch

    # Every channel of the position: a field is the tensor's, and after a Concat the channels
    # differ (SqueezeNet's Fire joins a 1x1 and a 3x3 branch).
    index = (0, slice(None), *position) if y.dim() > 2 else (0, 0)
    (grad,) = torch.autograd.grad(y[index].sum(), x, retain_graph=True)
    reached = grad[0].abs().sum(dim=0)
    extents = []
    for axis in range(reached.dim()):
        others = tuple(a for a in range(reached.dim()) if a != axis)
        line = reached.sum(dim=others) if others else reached
        hits = torch.nonzero(line).flatten().tolist()
        extents.append((hits[0], hits[-1]) if hits else None)
    return tuple(extents)


def _check_against_torch(network: Network, shape: tuple[int, ...], budget: int) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    x, outputs = _torch_outputs(network, shape)
    # Check the nodes where the resolution changes, and the last one.
    picks = [i for i in range(1, len(outputs)) if outputs[i].shape[2:] != outputs[i - 1].shape[2:]]
    picks = sorted({0, *picks, len(outputs) - 1})
    if len(picks) > budget:
        step = len(picks) / budget
        picks = sorted({picks[int(k * step)] for k in range(budget)} | {picks[-1]})
    checked = 0
    for index in picks:
        if network.nodes[index].name.startswith("flatten"):
            continue  # a flattened feature is one position; the node's field is the input's
        y = outputs[index]
        spatial = tuple(y.shape[2:]) if y.dim() > 2 else (1,) * (len(shape) - 2)
        for position in {tuple(0 for _ in spatial), tuple(s // 2 for s in spatial),
                         tuple(s - 1 for s in spatial)}:  # fmt: skip
            expected = field_of(network, index, position, shape)
            assert _gradient_extent(x, y, position) == expected, (network.nodes[index].name,
                                                                  position)  # fmt: skip
            checked += 1
    return checked


_SMALL = {"lenet": 28, "alexnet": 64}


# Families built from torch.nn modules alone: the others use torchvision's ops (StochasticDepth,
# Permute, layer scale), Chunk/Split pieces or training-only heads, which _torch_module and
# this walk do not build.
_NOT_TORCH_NN = ("convnext", "efficientnet", "googlenet", "shufflenet_v2")


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize("name", [n for n in zoo_names() if not n.startswith(_NOT_TORCH_NN)])
def test_exact_fields_match_torch_gradients_for_the_zoo(name: str) -> None:
    network = load_spec_file(name)
    assert network.input_shape is not None
    size = _SMALL.get(name, 32)
    shape = (2, network.input_shape[1], size, size)  # two: batch norm needs 2 values
    assert _check_against_torch(network, shape, budget=6) > 0


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_exact_fields_match_torch_gradients_for_graph_constructs(name: str) -> None:
    network = CONSTRUCTS[name]()
    assert network.input_shape is not None
    assert _check_against_torch(network, tuple(network.input_shape), budget=20) > 0


def test_transposed_window_with_a_huge_stride() -> None:
    """The window of a transposed convolution is worked out per kernel tap, not per output."""
    b = NetworkBuilder(input_shape=(1, 1, 4), name="huge")
    b.add(LayerSpec("ConvTranspose1d", (2, 3), (("stride", 10**9), ("padding", 1))))
    (node,) = receptive_field(b.build()).nodes
    assert node.axes[0].text() == "1 / 1e-09 / 0"  # output 0 = input 0 through tap 1
