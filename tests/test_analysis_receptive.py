"""Receptive fields: Distill's published numbers, the recurrence against the exact fields, and
the exact fields against PyTorch's gradients."""

from __future__ import annotations

import importlib.util
import itertools
import os
import warnings
from fractions import Fraction
from typing import Any

import pytest

from convcalc.analysis import field_of, receptive_field, tf_padding_layers
from convcalc.analysis.receptive import _Graph
from convcalc.errors import ShapeError
from convcalc.layers import Layer, layer_fields
from convcalc.network import (
    INPUT,
    Add,
    Chunk,
    Concat,
    LayerSpec,
    Mul,
    Network,
    NetworkBuilder,
    Split,
)
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


def _pieces() -> Network:
    """Chunk of the channels, a channel shuffle, and Split along H and W (spatial pieces)."""
    b = NetworkBuilder(input_shape=(1, 3, 16, 16), name="pieces")
    stem = b.add(LayerSpec("Conv2d", (8, 3), (("padding", 1),)))
    first = b.add(Chunk(2, 1, 0), inputs=[stem])  # type: ignore[arg-type]
    second = b.add(Chunk(2, 1, 1), inputs=[stem])  # type: ignore[arg-type]
    wide = b.add(LayerSpec("Conv2d", (4, 3), (("padding", 2), ("dilation", 2))), inputs=[second])
    b.add(Concat(), inputs=[first, wide])
    b.add(LayerSpec("ChannelShuffle", (2,)))
    low = b.add(Split((6, 10), 2, 1), name="low")  # type: ignore[arg-type]
    b.add(Split(4, 3, 2), inputs=[low], name="middle")  # type: ignore[arg-type]
    b.add(LayerSpec("Conv2d", (4, 3)))
    return b.build()


def _channels_last() -> Network:
    """ConvNeXt's moves: Permute to channels-last, LayerNorm and Linear over channels, back,
    layer scale, stochastic depth, LayerNorm2d, then Mean over W only."""
    b = NetworkBuilder(input_shape=(1, 3, 16, 16), name="channels_last")
    b.add(LayerSpec("Conv2d", (8, 3), (("stride", 2),)))
    b.add(LayerSpec("Permute", ((0, 2, 3, 1),)))
    b.add(LayerSpec("LayerNorm", (8,)))
    b.add(LayerSpec("Linear", (8, 8)))
    b.add(LayerSpec("Transpose", (1, 3)))  # (N, C, W, H): the axes swap places
    b.add(LayerSpec("Conv2d", (8, (3, 1)), (("padding", (1, 0)),)))  # 3 along W
    b.add(LayerSpec("Transpose", (1, 3)))
    b.add(LayerSpec("Permute", ((0, 3, 1, 2),)))
    b.add(LayerSpec("Scale", ((8, 1, 1), 1e-6)))
    b.add(LayerSpec("StochasticDepth", (0.1, "row")))
    b.add(LayerSpec("LayerNorm2d", (8,)))
    b.add(LayerSpec("FrozenBatchNorm2d"))
    b.add(LayerSpec("Mean", (3,), (("keepdim", True),)))
    return b.build()


_SHARED = """\
name: shared
input: [1, 3, 16, 16]
layers:
  - Conv2d: {out_channels: 3, kernel_size: 3, stride: 2}
    id: conv
  - ReLU
  - share: conv
    id: again
  - Conv2d: {out_channels: 4, kernel_size: 3, dilation: 2}
    id: head
    from: conv
    train_only: true
  - Conv2d: {out_channels: 4, kernel_size: 1}
    from: again
"""


def _shared() -> Network:
    from convcalc.spec import load_spec

    return load_spec(_SHARED)


CONSTRUCTS = {
    "pieces": _pieces,
    "channels_last": _channels_last,
    "shared": _shared,
    "dilated": _dilated,
    "transposed": _transposed,
    "concat": _concat,
    "misaligned": _misaligned_add,
    "gated": _gated,
}


def _texts(network: Network, mode: str = "eval") -> dict[str, tuple[str, ...]]:
    return {
        n.name: tuple(a.text() for a in n.axes) for n in receptive_field(network, mode=mode).nodes
    }


def test_pieces_of_channels_keep_the_field_and_spatial_pieces_shift_it() -> None:
    """A Chunk of the channels and a channel shuffle keep the field; a Split along H (or W)
    starts its first position ``offset`` input positions in."""
    texts = _texts(_pieces())
    assert texts["chunk_2"] == texts["chunk_3"] == texts["conv2d_1"] == ("3 / 1 / 0",) * 2
    assert texts["channelshuffle_6"] == texts["concat_5"] == ("7 / 1 / 0",) * 2
    assert texts["low"] == ("7 / 1 / 6", "7 / 1 / 0")
    assert texts["middle"] == ("7 / 1 / 6", "7 / 1 / 8")
    assert field_of(_pieces(), "middle", (0, 0)) == ((3, 9), (5, 11))


def test_permute_and_transpose_carry_each_axis_and_mean_takes_the_whole_axis() -> None:
    """Channels-last operations keep the field of each position; a (3, 1) kernel applied
    after a transpose slides along W; Mean over W reads the whole of W."""
    texts = _texts(_channels_last())
    assert texts["linear_4"] == ("3 / 2 / 1", "3 / 2 / 1")
    assert texts["conv2d_6"] == ("3 / 2 / 1", "7 / 2 / 1")
    assert texts["frozenbatchnorm2d_12"] == ("3 / 2 / 1", "7 / 2 / 1")
    assert texts["mean_13"] == ("3 / 2 / 1", "whole input")
    assert field_of(_channels_last(), "mean_13", (2, 0)) == ((4, 6), (0, 14))


def test_a_shared_module_repeats_its_arithmetic_and_training_only_entries_follow_the_mode() -> None:
    network = _shared()
    assert _texts(network) == {
        "conv": ("3 / 2 / 1",) * 2,
        "relu_1": ("3 / 2 / 1",) * 2,
        "again": ("7 / 4 / 3",) * 2,
        "conv2d_4": ("7 / 4 / 3",) * 2,
    }
    assert _texts(network, "train")["head"] == ("11 / 2 / 5",) * 2
    assert field_of(network, "head", (0, 0), mode="train") == ((0, 10), (0, 10))
    with pytest.raises(ShapeError) as caught:
        field_of(network, "head", (0, 0))
    assert str(caught.value) == (
        "shared: node 'head' is training-only and does not run in eval mode; ask with mode='train'"
    )


def test_a_broadcast_global_gate_makes_the_field_the_whole_input() -> None:
    """Every position of a squeeze-excitation product reads the global pooling's field."""
    texts = _texts(_gated())
    assert texts["mul_4"] == ("whole input", "whole input")
    assert receptive_field(_gated())["mul_4"].warnings == ()


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
    special = _torch_function(layer)
    if special is not None:
        return _Lambda(special)
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


def _Lambda(function: Any) -> Any:
    import torch

    class Lambda(torch.nn.Module):
        def forward(self, x: Any) -> Any:
            return function(x)

    return Lambda()


def _torch_function(layer: Layer) -> Any:
    """torchvision's operations and the tensor methods the zoo's specs use, written with
    torch's functions; a normalisation over channels is a positive sum over what it reads
    (the normalisation itself sends a uniform gradient back to zero)."""
    import torch

    lay: Any = layer
    name = type(layer).__name__
    if name in ("StochasticDepth", "FrozenBatchNorm2d"):
        return lambda x: x  # eval: the input; frozen statistics: a per-channel affine map
    if name == "Permute":
        return lambda x: x.permute(*lay.dims)
    if name == "Transpose":
        return lambda x: x.transpose(lay.dim0, lay.dim1)
    if name == "Scale":
        return lambda x: x * torch.ones(lay.shape)
    if name == "Mean":
        dims = lay.dim if lay.dim not in (None, ()) else None
        return lambda x: x.mean(dim=dims, keepdim=lay.keepdim)
    if name == "LayerNorm2d":
        return lambda x: x + x.sum(dim=1, keepdim=True)
    if name == "LayerNorm":
        count = 1 if isinstance(lay.normalized_shape, int) else len(lay.normalized_shape)
        return lambda x: x + x.sum(dim=tuple(range(-count, 0)), keepdim=True)
    return None


def _torch_outputs(network: Network, shape: tuple[int, ...]) -> tuple[Any, list[Any]]:
    """Every node's output, up to the first layer too large to be worth running
    (VGG's 25088x4096 classifier: a Linear's field is the whole input, checked elsewhere)."""
    import torch

    from convcalc.network import summarize

    by_index = {row.index: row for row in summarize(network, shape).layer_rows()}
    x = torch.ones(shape, requires_grad=True)
    outputs: list[Any] = []
    for index, node in enumerate(network.nodes):
        row = by_index.get(index)
        if row is None:  # a training-only entry, which does not run in eval mode
            outputs.append(None)
            continue
        if row.params > 5_000_000:
            break
        ins = [x if i == INPUT else outputs[i] for i in node.inputs]
        op = row.layer
        if isinstance(op, Chunk):
            y = torch.chunk(ins[0], op.chunks, dim=op.dim)[op.index]
        elif isinstance(op, Split):
            sections = op.split_size_or_sections
            sizes = sections if isinstance(sections, int) else list(sections)
            y = torch.split(ins[0], sizes, dim=op.dim)[op.index]
        elif isinstance(op, Add):
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


def _gradient_extent(x: Any, y: Any, index: tuple[Any, ...]) -> tuple[Any, ...]:
    """The input extent reached by the gradient of ``y[index]`` summed (every channel of one
    position: a position's field is the union of its channels')."""
    import torch

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
    ran = [i for i, y in enumerate(outputs) if y is not None]
    picks = [b for a, b in itertools.pairwise(ran)
             if outputs[b].shape[2:] != outputs[a].shape[2:]]  # fmt: skip
    picks = sorted({ran[0], *picks, ran[-1]})
    if len(picks) > budget:
        step = len(picks) / budget
        picks = sorted({picks[int(k * step)] for k in range(budget)} | {picks[-1]})
    checked = 0
    graph = _Graph(network, shape)
    for index in picks:
        if network.nodes[index].name.startswith("flatten"):
            continue  # a flattened feature is one position; the node's field is the input's
        y = outputs[index]
        # Where the input's axes sit in this output (moved by Permute, gone after Mean).
        dims = graph.dims[index]
        spatial = tuple(1 if d is None else y.shape[d] for d in dims)
        for position in {tuple(0 for _ in spatial), tuple(s // 2 for s in spatial),
                         tuple(s - 1 for s in spatial)}:  # fmt: skip
            expected = field_of(network, index, position, shape)
            element: list[Any] = [0] + [slice(None)] * (y.dim() - 1)
            for d, p in zip(dims, position, strict=True):
                if d is not None:
                    element[d] = p
            assert _gradient_extent(x, y, tuple(element)) == expected, (
                network.nodes[index].name, position)  # fmt: skip
            checked += 1
    return checked


# inception_v3: its training-only aux head needs Mixed_6e's 17x17 map (an average pool of 5,
# stride 3, then a 5x5 convolution), and summarize checks training-only entries in eval too.
_SMALL = {"lenet": 28, "alexnet": 64, "inception_v3": 299}
# The RegNet builders are one spec with other numbers, and their grouped convolutions are slow
# under autograd: `regnet` (regnet_y_400mf's numbers) and regnet_x_400mf run every time, the
# other fourteen with --run-slow.
_SLOW = {name for name in zoo_names() if name.startswith("regnet_") and name != "regnet_x_400mf"}


@pytest.mark.torch
@needs_torch
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in _SLOW else n for n in zoo_names()]
)
def test_exact_fields_match_torch_gradients_for_the_zoo(name: str) -> None:
    network = load_spec_file(name)
    assert network.input_shape is not None
    size = _SMALL.get(name, 32)
    shape = (1, network.input_shape[1], size, size)  # batch norm runs as in eval
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
