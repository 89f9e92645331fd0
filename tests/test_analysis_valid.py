"""Valid input sizes, found by arithmetic, against brute force through ``summarize``."""

from __future__ import annotations

import pytest

from convcalc.analysis import input_size_error, valid_inputs
from convcalc.errors import ShapeError
from convcalc.network import Add, LayerSpec, Network, NetworkBuilder, summarize
from convcalc.spec import load_spec_file


def _accepted(network: Network, axis: int, high: int) -> list[int]:
    """Every size in 1..high that summarize accepts on ``axis``, the other axes as given."""
    shape = network.input_shape
    assert shape is not None
    dim = len(shape) - 2 + axis
    ok = []
    for size in range(1, high + 1):
        try:
            summarize(network, (*shape[:dim], size, *shape[dim + 1 :]))
        except ShapeError:
            continue
        ok.append(size)
    return ok


@pytest.mark.parametrize(
    ("name", "rule", "stages"),
    [
        pytest.param(
            "unet",
            "H ≥ 8 and H ≡ 0 (mod 8)",
            ["H", "⌊H/2⌋", "⌊H/4⌋", "⌊H/8⌋", "2·⌊H/8⌋", "4·⌊H/8⌋", "8·⌊H/8⌋"],
            id="unet",
        ),
        pytest.param(
            "resnet50",
            "H ≥ 1",
            [
                "⌊(H − 1)/2⌋ + 1",
                "⌊(H − 1)/4⌋ + 1",
                "⌊(H − 1)/8⌋ + 1",
                "⌊(H − 1)/16⌋ + 1",
                "⌊(H − 1)/32⌋ + 1",
                "1",
            ],
            id="resnet50",
        ),
    ],
)
def test_valid_inputs_match_brute_force_over_1_to_1024(
    name: str, rule: str, stages: list[str]
) -> None:
    """The rule found by arithmetic accepts exactly the sizes summarize accepts, 1..1024."""
    network = load_spec_file(name)
    found = valid_inputs(network)
    axis = found.axes[0]
    assert axis.method == "arithmetic"
    assert axis.rule() == rule
    assert [s.formula for s in axis.stages] == stages
    assert axis.sizes(1, 1024) == _accepted(network, 0, 1024)


@pytest.mark.parametrize(
    "name",
    [
        "lenet",
        "alexnet",
        "vgg16",
        "resnet18",
        "mobilenet_v2",
    ],
)
def test_valid_inputs_of_the_rest_of_the_zoo(name: str) -> None:
    network = load_spec_file(name)
    axis = valid_inputs(network).axes[1]
    assert axis.method == "arithmetic"
    assert axis.sizes(1, 300) == _accepted(network, 1, 300)


def _stride_round_trip() -> Network:
    b = NetworkBuilder(input_shape=(1, 2, 16, 16), name="round-trip")
    b.add(LayerSpec("Conv2d", (2, 3), (("stride", 3), ("padding", 1))))
    b.add(LayerSpec("ConvTranspose2d", (2, 3), (("stride", 3),)))
    cropped = b.add(LayerSpec("ZeroPad2d", ((-1, -1, -1, -1),)))
    b.add(Add(), inputs=[cropped, "input"])
    return b.build()


def _one_size_only() -> Network:
    b = NetworkBuilder(input_shape=(1, 2, 7, 7), name="one-size")
    pooled = b.add(LayerSpec("AdaptiveAvgPool2d", (5,)))
    valid = b.add(LayerSpec("Conv2d", (2, 3)), inputs=["input"])
    b.add(Add(), inputs=[pooled, valid])
    return b.build()


def test_valid_inputs_residues_and_single_sizes() -> None:
    trip = valid_inputs(_stride_round_trip()).axes[0]
    assert trip.rule() == "H ≥ 1 and H ≡ 1 (mod 3); also H in {2..3}"  # 1 broadcasts
    assert trip.sizes(1, 60) == _accepted(_stride_round_trip(), 0, 60)
    single = valid_inputs(_one_size_only()).axes[0]
    assert single.rule() == "H in {3, 7}"  # at 3 the convolution gives 1, which broadcasts
    assert single.sizes(1, 60) == _accepted(_one_size_only(), 0, 60) == [3, 7]


def test_valid_inputs_lines() -> None:
    lines = valid_inputs(load_spec_file("lenet")).lines(1, 64)
    assert lines[:6] == [
        "H: H ≥ 16 (49 sizes in 1..64: 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, ...)",
        "  conv2d_1: H − 4",
        "  maxpool2d_1: ⌊H/2⌋ − 2",
        "  conv2d_2: ⌊H/2⌋ − 6",
        "  maxpool2d_2: ⌊H/4⌋ − 3",
        "W: W ≥ 16 (49 sizes in 1..64: 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, ...)",
    ]


@pytest.mark.parametrize(
    ("name", "shape", "message"),
    [
        pytest.param(
            "unet",
            (1, 3, 300, 300),
            "H = 300 fails at concat_1 (75 -> 37 -> 74 vs 75); 296 and 304 work",
            id="unet-skip",
        ),
        pytest.param(
            "unet", (1, 3, 128, 4), "W = 4 fails at maxpool2d_3 (input 1); 8 works", id="too-small"
        ),
        pytest.param(
            "lenet", (1, 1, 12, 28), "H = 12 fails at conv2d_2 (input 4); 16 works", id="lenet"
        ),
        pytest.param("lenet", (1, 1, 28, 28), None, id="valid"),
        pytest.param("lenet", (1, 2, 28, 28), None, id="not-a-size-problem"),
    ],
)
def test_input_size_error(name: str, shape: tuple[int, ...], message: str | None) -> None:
    assert input_size_error(load_spec_file(name), shape) == message


def test_huge_strides_are_checked_size_by_size_not_tabulated() -> None:
    """A stride of 10^9 would need a table of 10^9 entries: the axis is checked size by size."""
    from convcalc.network import sequential

    net = sequential([LayerSpec("Conv1d", (2, 1), (("stride", 10**9),))], input_shape=(1, 1, 4))
    axis = valid_inputs(net, high=64).axes[0]
    assert axis.method == "size by size"
    assert axis.rule() == "L in {1..64}"


@pytest.mark.parametrize(
    ("name", "rules"),
    [
        pytest.param("pieces", ("H in {16}", "W in {11..1024}"), id="chunk-shuffle-split"),
        pytest.param("channels_last", ("H in {3..1024}", "W ≥ 3"), id="permute-transpose-mean"),
        pytest.param("shared", ("H ≥ 7", "W ≥ 7"), id="shared-and-training-only"),
    ],
)
def test_valid_inputs_through_pieces_permutes_and_shared_modules(
    name: str, rules: tuple[str, str]
) -> None:
    """Channel pieces and moved axes keep the arithmetic; a Split along H is checked size by
    size; a training-only entry does not constrain eval mode."""
    from test_analysis_receptive import CONSTRUCTS

    network = CONSTRUCTS[name]()
    found = valid_inputs(network)
    for a, axis in enumerate(found.axes):
        assert axis.sizes(1, 120) == _accepted(network, a, 120)
    assert tuple(axis.rule() for axis in found.axes) == rules


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("convnext_tiny", "W ≥ 32"),
        ("efficientnet_b0", "W ≥ 1"),
        ("googlenet", "W ≥ 15"),
        ("shufflenet_v2_x0_5", "W ≥ 1"),
    ],
)
def test_valid_inputs_through_the_zoo_families_with_pieces_and_channels_last(
    name: str, rule: str
) -> None:
    """Found by arithmetic, agreeing with summarize over the small sizes where they differ."""
    network = load_spec_file(name)
    axis = valid_inputs(network).axes[1]
    assert axis.method == "arithmetic"
    assert axis.rule() == rule
    assert axis.sizes(1, 72) == _accepted(network, 1, 72)
