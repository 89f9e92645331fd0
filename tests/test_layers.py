"""Layer classes: the spec's worked examples, PyTorch's names and order, and clear errors."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import convcalc
from convcalc import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    Flatten,
    Fold,
    GroupNorm,
    LayerNorm,
    Linear,
    MaxPool1d,
    MaxPool2d,
    MaxUnpool2d,
    PixelShuffle,
    PixelUnshuffle,
    ReLU,
    ShapeError,
    Unflatten,
    Unfold,
    Upsample,
    ZeroPad2d,
)
from convcalc.layers import Layer, layer_types


@pytest.mark.parametrize(
    ("layer", "input_shape", "expected"),
    [
        pytest.param(Conv2d(64, 32, 3), (8, 64, 128, 128), (8, 32, 126, 126), id="seed-conv"),
        pytest.param(Conv1d(16, 33, 3, stride=2), (20, 16, 50), (20, 33, 24), id="conv1d"),
        pytest.param(
            Conv2d(3, 8, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1)),
            (1, 3, 32, 32),
            (1, 8, 17, 32),
            id="conv2d-asymmetric",
        ),
        pytest.param(
            Conv3d(4, 8, 3, stride=2, padding=1), (2, 4, 9, 16, 17), (2, 8, 5, 8, 9), id="conv3d"
        ),
        pytest.param(
            Conv2d(1, 2, 3, stride=2, padding=1), (1, 1, 5, 5), (1, 2, 3, 3), id="seed-stride2"
        ),
        pytest.param(Conv2d(3, 8, 3), (3, 10, 11), (8, 8, 9), id="unbatched"),
        pytest.param(Conv2d(3, 8, 4, padding="valid"), (1, 3, 10, 11), (1, 8, 7, 8), id="valid"),
        pytest.param(
            Conv2d(3, 8, 4, padding="same"), (1, 3, 10, 11), (1, 8, 10, 11), id="same-even-kernel"
        ),
        pytest.param(
            Conv2d(3, 8, 4, padding="same", dilation=3),
            (1, 3, 10, 11),
            (1, 8, 10, 11),
            id="same-dilated",
        ),
        pytest.param(
            Conv2d(3, 8, 3, padding=2, padding_mode="reflect"),
            (1, 3, 10, 11),
            (1, 8, 12, 13),
            id="reflect",
        ),
        pytest.param(
            Conv2d(3, 8, 3, padding=3, padding_mode="circular"),
            (1, 3, 3, 11),
            (1, 8, 7, 15),
            id="circular-pad-equal-to-input",
        ),
        pytest.param(
            Conv2d(3, 8, 3, padding=9, padding_mode="replicate"),
            (1, 3, 1, 1),
            (1, 8, 17, 17),
            id="replicate-large-pad",
        ),
        pytest.param(
            Conv2d(3, 8, 3, padding=-1, padding_mode="replicate"),
            (1, 3, 10, 11),
            (1, 8, 6, 7),
            id="replicate-negative-pad-crops",
        ),
        pytest.param(Conv2d(0, 4, 3), (1, 0, 5, 5), (1, 0, 3, 3), id="zero-channels-quirk"),
        pytest.param(
            ConvTranspose2d(32, 64, 3), (8, 32, 126, 126), (8, 64, 128, 128), id="seed-convT"
        ),
        pytest.param(
            ConvTranspose2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2)),
            (20, 16, 50, 100),
            (20, 33, 93, 100),
            id="convT-asymmetric",
        ),
        pytest.param(
            ConvTranspose1d(4, 2, 3, stride=3, output_padding=2),
            (1, 4, 5),
            (1, 2, 17),
            id="convT1d-output-padding",
        ),
        pytest.param(
            ConvTranspose1d(4, 2, 3, dilation=3, output_padding=2),
            (1, 4, 5),
            (1, 2, 13),
            id="convT1d-output-padding-below-dilation",
        ),
        pytest.param(
            ConvTranspose2d(4, 2, 3, stride=2), (4, 5, 5), (2, 11, 11), id="convT-unbatched"
        ),
        pytest.param(MaxPool2d(2), (1, 20, 24, 24), (1, 20, 12, 12), id="lenet-pool"),
        pytest.param(MaxPool2d(3, stride=2), (1, 1, 7, 8), (1, 1, 3, 3), id="pool-floor"),
        pytest.param(
            MaxPool2d(3, stride=2, ceil_mode=True), (1, 1, 7, 8), (1, 1, 3, 4), id="pool-ceil"
        ),
        pytest.param(
            MaxPool1d(2, stride=2, padding=1, ceil_mode=True),
            (1, 1, 5),
            (1, 1, 3),
            id="ceil-drops-last-window",
        ),
        pytest.param(
            MaxPool1d(2, stride=2, padding=1, ceil_mode=True),
            (1, 1, 6),
            (1, 1, 4),
            id="ceil-keeps-last-window",
        ),
        pytest.param(
            MaxPool2d(2, padding=1, dilation=3), (1, 1, 5, 5), (1, 1, 2, 2), id="pool-dilated"
        ),
        pytest.param(
            AvgPool2d(3, 2, 1, count_include_pad=False), (1, 1, 5, 5), (1, 1, 3, 3), id="avgpool"
        ),
        pytest.param(AdaptiveAvgPool2d((3, None)), (2, 3, 10, 7), (2, 3, 3, 7), id="adaptive-none"),
        pytest.param(
            AdaptiveAvgPool2d(1), (1, 6, 2, 7, 3), (1, 6, 2, 1, 1), id="adaptive-mean-any-rank"
        ),
        pytest.param(MaxUnpool2d(3, 2, 1), (1, 2, 5, 5), (1, 2, 9, 9), id="unpool"),
        pytest.param(Upsample(scale_factor=1.5), (1, 3, 5, 7), (1, 3, 7, 10), id="upsample"),
        pytest.param(Upsample(size=(3, 9)), (1, 3, 5, 7), (1, 3, 3, 9), id="upsample-size"),
        pytest.param(
            Upsample(scale_factor=0.1, mode="area"),
            (1, 3, 5, 7),
            (1, 3, 0, 0),
            id="upsample-area-empty",
        ),
        pytest.param(Upsample(scale_factor=2), (3, 5, 7), (3, 5, 14), id="upsample-3d-is-batched"),
        pytest.param(PixelShuffle(3), (2, 18, 4, 5), (2, 2, 12, 15), id="pixel-shuffle"),
        pytest.param(PixelShuffle(2), (2, 3, 8, 4, 5), (2, 3, 2, 8, 10), id="shuffle-lead"),
        pytest.param(PixelUnshuffle(2), (2, 3, 8, 6), (2, 12, 4, 3), id="pixel-unshuffle"),
        pytest.param(
            PixelUnshuffle(4), (0, 6, 24, 120), (0, 6, 24, 120), id="unshuffle-empty-quirk"
        ),
        pytest.param(Unfold(3), (2, 3, 10, 12), (2, 27, 80), id="unfold"),
        pytest.param(
            Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
            (2, 3, 10, 12),
            (2, 18, 60),
            id="unfold-args",
        ),
        pytest.param(Fold((4, 5), 2, stride=2), (1, 12, 4), (1, 3, 4, 5), id="fold"),
        pytest.param(Fold((10, 12), 3), (27, 80), (3, 10, 12), id="fold-unbatched"),
        pytest.param(Flatten(), (2, 3, 4, 5), (2, 60), id="flatten"),
        pytest.param(Flatten(0), (2, 3, 4, 5), (120,), id="flatten-all"),
        pytest.param(Flatten(-3, -2), (2, 3, 4, 5), (2, 12, 5), id="flatten-negative"),
        pytest.param(Flatten(0, -1), (), (1,), id="flatten-scalar"),
        pytest.param(Unflatten(1, (2, 5)), (3, 10, 4), (3, 2, 5, 4), id="unflatten"),
        pytest.param(Linear(800, 500), (2, 3, 800), (2, 3, 500), id="linear-leading"),
        pytest.param(Linear(800, 500), (800,), (500,), id="linear-1d"),
        pytest.param(ZeroPad2d((1, 2, 3, 4)), (1, 3, 5, 7), (1, 3, 12, 10), id="zeropad"),
        pytest.param(
            convcalc.ReflectionPad2d((6, 0, 4, 4)), (1, 3, 5, 7), (1, 3, 13, 13), id="reflectionpad"
        ),
        pytest.param(
            convcalc.ReplicationPad2d((10, 0, 0, 20)),
            (1, 3, 1, 1),
            (1, 3, 21, 11),
            id="replicationpad",
        ),
        pytest.param(convcalc.CircularPad2d(5), (1, 3, 5, 7), (1, 3, 15, 17), id="circularpad"),
        pytest.param(convcalc.ZeroPad1d(2), (1, 3, 5, 7), (1, 3, 5, 11), id="zeropad1d-4d"),
    ],
)
def test_output_shape(
    layer: Layer, input_shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    assert layer.output_shape(input_shape) == expected


def test_conv_transpose_output_size_picks_output_padding() -> None:
    """The seed: Conv2d(1,2,3,stride=2,padding=1) maps 5x5 to 3x3, and the transposed conv
    with output_size=(5, 5) maps it back with output_padding 0; 6x6 needs 1."""
    up = ConvTranspose2d(2, 1, 3, stride=2, padding=1)
    assert up.output_shape((1, 2, 3, 3), output_size=(5, 5)) == (1, 1, 5, 5)
    assert up.output_padding_for((1, 2, 3, 3), (5, 5)) == (0, 0)
    assert up.output_padding_for((1, 2, 3, 3), (6, 5)) == (1, 0)
    assert up.output_shape((1, 2, 3, 3), output_size=(1, 1, 6, 5)) == (1, 1, 6, 5)


@pytest.mark.parametrize(
    ("layer", "weight", "bias", "params"),
    [
        pytest.param(Conv2d(64, 32, 3), (32, 64, 3, 3), (32,), 18_464, id="dense"),
        pytest.param(Conv2d(64, 32, 3, groups=8), (32, 8, 3, 3), (32,), 2_336, id="grouped"),
        pytest.param(Conv2d(64, 64, 3, groups=64), (64, 1, 3, 3), (64,), 640, id="depthwise"),
        pytest.param(Conv2d(64, 32, 1), (32, 64, 1, 1), (32,), 2_080, id="pointwise"),
        pytest.param(
            Conv2d(64, 128, (5, 3), padding=2),
            (128, 64, 5, 3),
            (128,),
            123_008,
            id="seed-rectangular",
        ),
        pytest.param(Conv1d(16, 33, 3, stride=2), (33, 16, 3), (33,), 1_617, id="conv1d"),
        pytest.param(Conv2d(3, 8, 3, bias=False), (8, 3, 3, 3), None, 216, id="no-bias"),
        pytest.param(ConvTranspose2d(32, 64, 3), (32, 64, 3, 3), (64,), 18_496, id="convT"),
        pytest.param(
            ConvTranspose2d(32, 64, 3, groups=4), (32, 16, 3, 3), (64,), 4_672, id="convT-grouped"
        ),
        pytest.param(Linear(800, 500), (500, 800), (500,), 400_500, id="linear"),
        pytest.param(BatchNorm2d(64), (64,), (64,), 128, id="batchnorm"),
        pytest.param(BatchNorm2d(64, affine=False), None, None, 0, id="batchnorm-no-affine"),
        pytest.param(BatchNorm2d(64, bias=False), (64,), None, 64, id="batchnorm-no-bias"),
        pytest.param(GroupNorm(2, 6), (6,), (6,), 12, id="groupnorm"),
        pytest.param(LayerNorm([64, 7, 7]), (64, 7, 7), (64, 7, 7), 6_272, id="layernorm"),
        pytest.param(convcalc.PReLU(3), (3,), None, 3, id="prelu"),
        pytest.param(ReLU(), None, None, 0, id="relu"),
    ],
)
def test_parameters(
    layer: Layer, weight: tuple[int, ...] | None, bias: tuple[int, ...] | None, params: int
) -> None:
    assert layer.weight_shape == weight
    assert layer.bias_shape == bias
    assert layer.param_count == params


def test_batchnorm_buffers() -> None:
    assert BatchNorm2d(64).buffer_shapes == {
        "running_mean": (64,),
        "running_var": (64,),
        "num_batches_tracked": (),
    }
    assert BatchNorm2d(64).buffer_count == 129
    assert BatchNorm2d(64, track_running_stats=False).buffer_shapes == {}
    assert convcalc.InstanceNorm2d(8).param_count == 0
    assert convcalc.InstanceNorm2d(8).buffer_shapes == {}


def test_lenet_seed() -> None:
    """The LeNet puzzle: why Conv2d(20, 50, 5) is followed by Linear(4*4*50, 500)."""
    shape: tuple[int, ...] = (64, 1, 28, 28)
    layers: list[Layer] = [
        Conv2d(1, 20, 5),
        MaxPool2d(2),
        Conv2d(20, 50, 5),
        MaxPool2d(2),
        Flatten(),
        Linear(800, 500),
        ReLU(),
        Linear(500, 10),
    ]
    shapes = []
    for layer in layers:
        shape = layer.output_shape(shape)
        shapes.append(shape)
    assert shapes[3] == (64, 50, 4, 4)
    assert shapes[4] == (64, 800)
    assert shapes[-1] == (64, 10)
    assert sum(layer.param_count for layer in layers) == 431_080


def test_macs_follow_the_convention() -> None:
    assert Conv2d(64, 32, 3).macs((8, 64, 128, 128)) == 8 * 32 * 126 * 126 * 64 * 9
    assert Conv2d(64, 32, 3).macs((64, 128, 128)) == 32 * 126 * 126 * 64 * 9
    assert ConvTranspose2d(32, 64, 3).macs((8, 32, 126, 126)) == 8 * 32 * 126 * 126 * 64 * 9
    assert Linear(800, 500).macs((64, 800)) == 64 * 800 * 500
    assert MaxPool2d(2).macs((1, 20, 24, 24)) == 0
    assert BatchNorm2d(20).macs((2, 20, 24, 24)) == 0


@pytest.mark.parametrize(
    ("build", "shape", "message"),
    [
        pytest.param(
            lambda: Conv2d(1, 1, 5),
            (1, 1, 4, 4),
            "Conv2d: input 4x4 padded to 4x4 is smaller than the dilated kernel 5x5; "
            "use a smaller kernel or dilation, more padding, or a larger input",
            id="kernel-too-large",
        ),
        pytest.param(
            lambda: Conv2d(6, 4, 3, groups=4),
            None,
            "Conv2d: in_channels 6 is not divisible by groups 4; use groups that "
            "divide both 6 and 4",
            id="groups-in",
        ),
        pytest.param(
            lambda: Conv2d(6, 4, 3, groups=3),
            None,
            "Conv2d: out_channels 4 is not divisible by groups 3; use groups that "
            "divide both 6 and 4",
            id="groups-out",
        ),
        pytest.param(
            lambda: Conv2d(6, 4, 3, groups=0),
            None,
            "Conv2d: groups must be a positive integer, got 0",
            id="groups-zero",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, stride=0),
            (1, 3, 8, 8),
            "Conv2d: stride 0x0 must be positive",
            id="stride-zero",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 0),
            (1, 3, 8, 8),
            "Conv2d: kernel_size 0x0 must be positive",
            id="kernel-zero",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, dilation=0),
            (1, 3, 8, 8),
            "Conv2d: dilation 0x0 must be positive",
            id="dilation-zero",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, padding=-1),
            (1, 3, 8, 8),
            "Conv2d: padding -1x-1 is negative; use 0 or more",
            id="negative-pad",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, stride=2, padding="same"),
            None,
            "Conv2d: padding='same' needs stride 1, got stride 2x2; give the padding "
            "as a number instead",
            id="same-strided",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, padding=2, padding_mode="reflect"),
            (1, 3, 2, 11),
            "Conv2d: reflect padding (2, 2) must be smaller than the input size 2 of "
            "dimension 2; use padding < 2, or padding_mode 'replicate'",
            id="reflect-too-large",
        ),
        pytest.param(
            lambda: Conv2d(64, 32, 3),
            (8, 63, 128, 128),
            "Conv2d: input 8x63x128x128 has 63 channels (second dimension), but in_channels is 64",
            id="channels",
        ),
        pytest.param(
            lambda: Conv2d(64, 32, 3),
            (64, 128),
            "Conv2d: expected a 3 or 4-d input ((N, C, H, W) or (C, H, W)), got 2-d input 64x128",
            id="rank",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, padding_mode="zero"),
            None,
            "Conv2d: padding_mode 'zero' is not one of 'zeros', 'reflect', 'replicate', 'circular'",
            id="padding-mode",
        ),
        pytest.param(
            lambda: ConvTranspose1d(4, 2, 3, stride=2, output_padding=2),
            (1, 4, 5),
            "ConvTranspose1d: output_padding 2 must be smaller than the stride 2 or "
            "the dilation 1 on every axis; use output_padding < 2",
            id="output-padding",
        ),
        pytest.param(
            lambda: ConvTranspose2d(1, 1, 3, padding=2),
            (1, 1, 1, 1),
            "ConvTranspose2d: output -1x-1 from input 1x1 is too small: padding 2x2 "
            "removes more than the layer adds; use less padding",
            id="convT-empty",
        ),
        pytest.param(
            lambda: ConvTranspose2d(1, 1, 3, padding_mode="reflect"),
            None,
            "ConvTranspose2d: padding_mode 'reflect' is not supported; transposed "
            "convolutions only pad with 'zeros'",
            id="convT-padding-mode",
        ),
        pytest.param(
            lambda: MaxPool2d(2, padding=2),
            (1, 1, 8, 8),
            "MaxPool2d: padding 2x2 is more than half the kernel size 2x2; use padding <= 1x1",
            id="pool-padding",
        ),
        pytest.param(
            lambda: MaxPool2d(3),
            (1, 1, 2, 2),
            "MaxPool2d: input 2x2 is too small for kernel 3x3 (padding 0x0, dilation "
            "1x1): the output would be 0x0; use a smaller kernel or a larger input",
            id="pool-too-small",
        ),
        pytest.param(
            lambda: Linear(800, 500),
            (8, 799),
            "Linear: input 8x799 ends in 799 features, but in_features is 800; use "
            "Linear(799, 500)",
            id="linear",
        ),
        pytest.param(
            lambda: PixelShuffle(3),
            (1, 12, 4, 4),
            "PixelShuffle: channels 12 are not divisible by upscale_factor² = 9; use "
            "a multiple of 9 channels",
            id="pixel-shuffle",
        ),
        pytest.param(
            lambda: GroupNorm(4, 6),
            None,
            "GroupNorm: num_channels 6 is not divisible by num_groups 4",
            id="groupnorm",
        ),
        pytest.param(
            lambda: Upsample(scale_factor=0.1),
            (1, 3, 5, 7),
            "Upsample: input 5x7 and output 0x0 sizes must be positive; use a larger "
            "size or scale_factor",
            id="upsample-empty",
        ),
        pytest.param(
            lambda: Conv2d(3, -2, 3),
            None,
            "Conv2d: weight would have shape (-2, 3, 3, 3) with a negative size; "
            "channel, feature and kernel sizes must be zero or more",
            id="negative-channels",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3),
            (1, -3, 8, 8),
            "Conv2d: input shape 1x-3x8x8 has a negative size",
            id="negative-input",
        ),
        pytest.param(
            lambda: Unflatten(1, (3, 5)),
            (2, 10),
            "Unflatten: sizes (3, 5) multiply to 15, not to the size 10 of dimension 1",
            id="unflatten",
        ),
    ],
)
def test_rejections_explain_themselves(
    build: Any, shape: tuple[int, ...] | None, message: str
) -> None:
    if shape is None:
        with pytest.raises(ShapeError) as info:
            build()
    else:
        layer = build()
        with pytest.raises(ShapeError) as info:
            layer.output_shape(shape)
    assert str(info.value) == message


def test_shape_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="kernel"):
        Conv2d(1, 1, 5).output_shape((1, 1, 4, 4))


def test_layers_take_pytorchs_positional_order() -> None:
    conv = Conv2d(64, 32, 3, 2, 1, 1, 8, False, "replicate")
    assert (conv.stride, conv.padding, conv.groups, conv.bias, conv.padding_mode) == (
        (2, 2),
        (1, 1),
        8,
        False,
        "replicate",
    )
    up = ConvTranspose2d(8, 4, 3, 2, 1, 1, 2, True, 2)
    assert (up.output_padding, up.groups, up.dilation) == ((1, 1), 2, (2, 2))
    assert MaxPool2d(3).stride == 3
    assert AvgPool2d(3, 2, 1, True, False, 4).divisor_override == 4


def test_layers_are_frozen_hashable_values() -> None:
    conv = Conv2d(64, 32, 3, groups=8)
    assert conv == Conv2d(64, 32, (3, 3), groups=8)
    assert len({conv, Conv2d(64, 32, (3, 3), groups=8)}) == 1
    assert pickle.loads(pickle.dumps(conv)) == conv
    assert repr(convcalc.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2, inplace=False)"
    with pytest.raises(AttributeError, match="frozen"):
        conv.groups = 2  # type: ignore[misc]


def test_layer_types_cover_the_public_classes() -> None:
    names = set(layer_types())
    assert {
        "Conv2d",
        "ConvTranspose3d",
        "MaxUnpool1d",
        "Upsample",
        "CircularPad3d",
        "InstanceNorm3d",
        "Softmax",
        "Identity",
    } <= names
    assert all(name in convcalc.__all__ for name in names)


def test_identity_ignores_its_arguments() -> None:
    assert convcalc.Identity(54, unused_argument1=0.1).output_shape((2, 3)) == (2, 3)


def test_upsample_refuses_an_output_beyond_int64() -> None:
    """PyTorch cannot make the tensor (its size overflows int64); neither can we, cleanly."""
    with pytest.raises(ShapeError, match="beyond what a tensor can have"):
        Upsample(scale_factor=1e308).output_shape((1, 1, 5, 5))
    with pytest.raises(ShapeError, match="beyond what a tensor can have"):
        Upsample(scale_factor=1e18).output_shape((1, 1, 50, 5))


def test_fold_rejects_negative_block_counts_even_when_they_multiply_out() -> None:
    """(-1) * (-1) = 1 block matches L = 1, but PyTorch checks each count."""
    with pytest.raises(ShapeError) as info:
        Fold((1, 1), 3).output_shape((1, 9, 1))
    assert str(info.value) == (
        "Fold: output_size 1x1 is smaller than the kernel 3x3 allows: -1x-1 blocks; use a "
        "larger output_size or a smaller kernel"
    )


# --------------------------------------------------------------------------------------------
# training and eval mode (module.train() / module.eval()); eval is the default


@pytest.mark.parametrize(
    ("build", "shape", "training", "message"),
    [
        pytest.param(
            lambda: BatchNorm2d(3),
            (1, 3, 1, 1),
            True,
            "BatchNorm2d: input 1x3x1x1 has one value per channel, which a training-mode "
            "batch norm cannot normalise; use a larger batch or spatial size",
            id="batchnorm-single-value-training",
        ),
        pytest.param(
            lambda: BatchNorm2d(3, track_running_stats=False),
            (1, 3, 1, 1),
            False,
            "BatchNorm2d: input 1x3x1x1 has one value per channel, which a batch norm "
            "without running statistics (track_running_stats=False), even in eval, cannot "
            "normalise; use a larger batch or spatial size",
            id="batchnorm-single-value-eval-without-running-stats",
        ),
        pytest.param(
            lambda: BatchNorm2d(3, eps=0.0),
            (2, 3, 4, 4),
            True,
            "BatchNorm2d: eps 0.0 must be positive in training mode; use a small positive "
            "eps such as 1e-5",
            id="batchnorm-eps-zero-training",
        ),
        pytest.param(
            lambda: convcalc.BatchNorm1d(3, eps=0.0, track_running_stats=False),
            (2, 3),
            False,
            "BatchNorm1d: eps 0.0 must be positive without running statistics; use a small "
            "positive eps such as 1e-5",
            id="batchnorm-eps-zero-eval-without-running-stats",
        ),
        pytest.param(
            lambda: BatchNorm2d(3, eps=-1.0),
            (2, 3, 4, 4),
            False,
            "BatchNorm2d: eps -1.0 must not be negative; use a small eps such as 1e-5",
            id="batchnorm-eps-negative-eval",
        ),
        pytest.param(
            lambda: convcalc.InstanceNorm2d(3),
            (2, 3, 1, 1),
            False,
            "InstanceNorm2d: input 2x3x1x1 has one spatial element, which an instance norm "
            "without running statistics (track_running_stats=False) cannot normalise; use a "
            "larger spatial size",
            id="instancenorm-single-element-eval",
        ),
        pytest.param(
            lambda: convcalc.InstanceNorm2d(3, track_running_stats=True),
            (2, 3, 1, 1),
            True,
            "InstanceNorm2d: input 2x3x1x1 has one spatial element, which a training-mode "
            "instance norm cannot normalise; use a larger spatial size",
            id="instancenorm-single-element-training",
        ),
        pytest.param(
            lambda: convcalc.Dropout2d(0.5),
            (6,),
            True,
            "Dropout2d: input 6 needs at least 2 dimensions in training mode",
            id="feature-dropout-rank-training",
        ),
        pytest.param(
            lambda: GroupNorm(3, 3),
            (1, 3),
            False,
            "GroupNorm: input 1x3 gives each group a single value, which a group norm cannot "
            "normalise (in either mode); use a larger input or fewer groups",
            id="groupnorm-single-value-any-mode",
        ),
    ],
)
def test_mode_dependent_rejections(
    build: Any, shape: tuple[int, ...], training: bool, message: str
) -> None:
    """Checked against torch 2.13 with ``module.train(training)``."""
    with pytest.raises(ShapeError) as info:
        build().output_shape(shape, training=training)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("build", "shape", "rejected_in_training"),
    [
        pytest.param(lambda: BatchNorm2d(3), (1, 3, 1, 1), True, id="batchnorm-one-value"),
        pytest.param(lambda: BatchNorm2d(3, eps=0.0), (2, 3, 4, 4), True, id="batchnorm-eps-0"),
        pytest.param(
            lambda: convcalc.InstanceNorm2d(3, track_running_stats=True),
            (2, 3, 1, 1),
            True,
            id="instancenorm-running-stats",
        ),
        pytest.param(lambda: convcalc.Dropout2d(0.5), (6,), True, id="dropout2d-1d"),
        pytest.param(lambda: convcalc.FeatureAlphaDropout(0.5), (), True, id="alpha-0d"),
        pytest.param(lambda: convcalc.Dropout(0.5), (1,), False, id="dropout"),
        pytest.param(lambda: Conv2d(3, 8, 3), (1, 3, 5, 5), False, id="conv"),
    ],
)
def test_eval_mode_is_the_default_and_accepts(
    build: Any, shape: tuple[int, ...], rejected_in_training: bool
) -> None:
    """PyTorch 2.13 in eval mode accepts each of these; in training only some."""
    layer = build()
    assert layer.output_shape(shape) == layer.output_shape(shape, training=False)
    assert layer.macs(shape) == layer.macs(shape, training=False)
    if rejected_in_training:
        with pytest.raises(ShapeError):
            layer.output_shape(shape, training=True)
        with pytest.raises(ShapeError):
            layer.macs(shape, training=True)
    else:
        assert layer.output_shape(shape, training=True) == layer.output_shape(shape)


def test_every_layer_takes_the_mode_by_keyword() -> None:
    """The shape check and the MAC count of every class accept ``training=``."""
    import inspect

    for name, cls in layer_types().items():
        for method in (cls.output_shape, cls.macs):
            parameter = inspect.signature(method).parameters.get("training")
            assert parameter is not None, f"{name}.{method.__name__}"
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
            assert parameter.default is False


# --------------------------------------------------------------------------------------------
# layers of the newer torchvision CNNs (ShuffleNetV2, EfficientNet, ConvNeXt)


def test_convnext_block_layers_keep_their_shapes_and_count_their_parameters() -> None:
    """torchvision's CNBlock on 96 channels at 56x56: depthwise conv, Permute to NHWC,
    LayerNorm(96), two Linears, Permute back, layer scale (96, 1, 1), stochastic depth."""
    x = (8, 96, 56, 56)
    nhwc = convcalc.Permute([0, 2, 3, 1]).output_shape(x)
    assert nhwc == (8, 56, 56, 96)
    assert LayerNorm(96, eps=1e-6).output_shape(nhwc) == nhwc
    hidden = Linear(96, 384).output_shape(nhwc)
    assert convcalc.Permute([0, 3, 1, 2]).output_shape(Linear(384, 96).output_shape(hidden)) == x
    scale = convcalc.Scale((96, 1, 1), 1e-6)
    assert scale.output_shape(x) == x
    assert scale.param_count == 96
    assert scale.parameter_shapes == {"weight": (96, 1, 1)}
    assert convcalc.StochasticDepth(0.1, "row").output_shape(x, training=True) == x
    norm = convcalc.LayerNorm2d(96, eps=1e-6)
    assert norm.output_shape(x) == x
    assert norm.param_count == 192


def test_channel_shuffle_keeps_the_shape() -> None:
    """ShuffleNetV2's channel shuffle: groups 2 on 116 channels."""
    assert convcalc.ChannelShuffle(2).output_shape((1, 116, 28, 28)) == (1, 116, 28, 28)
    assert convcalc.ChannelShuffle(2).param_count == 0


def test_new_layers_take_torchvisions_positional_order() -> None:
    assert convcalc.Permute((0, 2, 3, 1)).dims == (0, 2, 3, 1)
    depth = convcalc.StochasticDepth(0.2, "batch")
    assert (depth.p, depth.mode) == (0.2, "batch")
    norm = convcalc.LayerNorm2d([64], 1e-6, True, False)
    assert (norm.normalized_shape, norm.eps, norm.bias, norm.param_count) == (
        (64,),
        1e-6,
        False,
        64,
    )
    assert convcalc.Scale([64, 1, 1], 0.5).init == 0.5


def test_scale_broadcasts_as_pytorch_multiplies() -> None:
    """``weight * x``: trailing dimensions align, sizes of 1 stretch, either way."""
    assert convcalc.Scale((1, 5)).output_shape((2, 3, 1)) == (2, 3, 5)
    assert convcalc.Scale((4, 1, 1)).output_shape((7, 7)) == (4, 7, 7)
    assert convcalc.Scale(()).output_shape((2, 3)) == (2, 3)
    assert convcalc.Scale((3, 1)).output_shape((0, 3, 1)) == (0, 3, 1)


def test_stochastic_depth_is_identity_in_eval() -> None:
    """In eval it returns its input; only a 0-d input in training row mode fails."""
    depth = convcalc.StochasticDepth(0.5, "row")
    assert depth.output_shape(()) == ()
    with pytest.raises(ShapeError) as info:
        depth.output_shape((), training=True)
    assert str(info.value) == (
        "StochasticDepth: mode 'row' drops rows of the batch, but the input is 0-d"
    )


@pytest.mark.parametrize(
    ("build", "shape", "message"),
    [
        pytest.param(
            lambda: convcalc.ChannelShuffle(3),
            (1, 8, 4, 4),
            "ChannelShuffle: input 1x8x4x4 has 8 channels, which do not divide into 3 groups",
            id="channel-shuffle-groups",
        ),
        pytest.param(
            lambda: convcalc.ChannelShuffle(0),
            (1, 8, 4, 4),
            "ChannelShuffle: groups must be positive, got 0",
            id="channel-shuffle-zero",
        ),
        pytest.param(
            lambda: convcalc.ChannelShuffle(2),
            (2, 8),
            "ChannelShuffle: input 2x8 needs more than 2 dimensions (N, C, ...)",
            id="channel-shuffle-rank",
        ),
        pytest.param(
            lambda: convcalc.Permute([0, 2, 1]),
            (1, 2, 3, 4),
            "Permute: dims (0, 2, 1) name 3 dimensions, but the input 1x2x3x4 has 4; list "
            "each dimension once",
            id="permute-length",
        ),
        pytest.param(
            lambda: convcalc.Permute([0, 1, 1, 2]),
            (1, 2, 3, 4),
            "Permute: dims (0, 1, 1, 2) repeat a dimension; list each dimension once",
            id="permute-repeat",
        ),
        pytest.param(
            lambda: convcalc.Permute([0, 4, 1, 2]),
            (1, 2, 3, 4),
            "Permute: dimension 4 is out of range for a 4-d input (use -4 to 3)",
            id="permute-range",
        ),
        pytest.param(
            lambda: convcalc.StochasticDepth(1.5, "row"),
            (2, 3),
            "StochasticDepth: probability p must be between 0 and 1, got 1.5",
            id="stochastic-depth-p",
        ),
        pytest.param(
            lambda: convcalc.StochasticDepth(0.5, "rows"),
            (2, 3),
            "StochasticDepth: mode must be 'batch' or 'row', got 'rows'",
            id="stochastic-depth-mode",
        ),
        pytest.param(
            lambda: convcalc.Scale((96, 1, 1)),
            (8, 64, 56, 56),
            "Scale: weight 96x1x1 does not broadcast to input 8x64x56x56: dimension 1 has "
            "sizes 96 and 64; use size 1 or 64 there",
            id="scale-broadcast",
        ),
        pytest.param(
            lambda: convcalc.LayerNorm2d(96),
            (8, 56, 56, 96),
            "LayerNorm2d: input 8x56x56x96 read channels-last as 8x56x96x56 must end in "
            "normalized_shape 96; use normalized_shape 56",
            id="layernorm2d-channels",
        ),
        pytest.param(
            lambda: convcalc.LayerNorm2d(96),
            (96, 56, 56),
            "LayerNorm2d: expected a 4-d input (N, C, H, W), got 3-d input 96x56x56",
            id="layernorm2d-rank",
        ),
    ],
)
def test_new_layers_explain_their_rejections(
    build: Any, shape: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ShapeError) as info:
        build().output_shape(shape)
    assert str(info.value) == message


def test_scale_refuses_a_negative_size_at_construction() -> None:
    with pytest.raises(ShapeError) as info:
        convcalc.Scale((-1, 3))
    assert str(info.value) == (
        "Scale: weight would have shape (-1, 3) with a negative size; channel, feature and "
        "kernel sizes must be zero or more"
    )


# --------------------------------------------------------------------------------------------
# PyTorch's edges: empty strides, int64 and int32 bounds, huge integers, empty batches


@pytest.mark.parametrize("stride", [(), [], None])
def test_pooling_reads_an_empty_stride_as_the_kernel_size(stride: Any) -> None:
    """PyTorch 2.13: ``MaxPool2d(2, stride=())`` pools like ``MaxPool2d(2)``."""
    assert MaxPool2d(2, stride=stride).output_shape((1, 2, 7, 8)) == (1, 2, 3, 4)
    assert AvgPool2d(2, stride=stride).output_shape((1, 2, 7, 8)) == (1, 2, 3, 4)
    assert MaxPool1d(2, stride=stride).output_shape((1, 2, 7)) == (1, 2, 3)
    assert convcalc.LPPool2d(2.0, 2, stride=stride).output_shape((1, 2, 7, 8)) == (1, 2, 3, 4)


@pytest.mark.parametrize(
    ("build", "shape", "message"),
    [
        pytest.param(
            lambda: convcalc.AdaptiveMaxPool1d(2**63),
            (1, 2, 7),
            "AdaptiveMaxPool1d: output_size 9223372036854775808 is beyond int64",
            id="adaptive-past-int64",
        ),
        pytest.param(
            lambda: convcalc.AdaptiveMaxPool1d(2**62),
            (1, 2, 7),
            "AdaptiveMaxPool1d: output tensor 1x2x4611686018427387904 cannot exist: its byte "
            "size overflows int64; use smaller sizes",
            id="adaptive-bytes",
        ),
        pytest.param(
            lambda: ReLU(),
            (0, 2**62, 2**62),
            "ReLU: input tensor 0x4611686018427387904x4611686018427387904 cannot exist: its "
            "strides overflow int64; use smaller sizes",
            id="input-strides",
        ),
        pytest.param(
            lambda: MaxPool2d(1, stride=2**31),
            (1, 1, 4, 4),
            "MaxPool2d: stride 2147483648x2147483648 is too large: PyTorch's pooling kernel "
            "(int32) takes at most 2147483647; use a smaller stride",
            id="pool-int32",
        ),
        pytest.param(
            lambda: Conv2d(3, 8, 3, stride=10**5000),
            (1, 3, 8, 8),
            "Conv2d: stride <an integer of about 5,000 digits>x<an integer of about 5,000 "
            "digits> is too large: an int64 argument takes at most 9223372036854775807; use "
            "a smaller stride",
            id="huge-integer",
        ),
        pytest.param(
            lambda: ConvTranspose2d(2, 3, 3, padding=4),
            (0, 2, 1, 1),
            "ConvTranspose2d: output -5x-5 from input 1x1 is too small: padding 4x4 removes "
            "more than the layer adds; use less padding",
            id="empty-batch-negative-output",
        ),
    ],
)
def test_bounds_explain_themselves(build: Any, shape: tuple[int, ...], message: str) -> None:
    with pytest.raises(ShapeError) as info:
        build().output_shape(shape)
    assert str(info.value) == message


def test_parameters_past_int64_fail_at_construction() -> None:
    with pytest.raises(ShapeError) as info:
        Linear(2**31, 2**30)
    assert str(info.value) == (
        "Linear: weight tensor 1073741824x2147483648 cannot exist: its byte size overflows "
        "int64; use smaller sizes"
    )
    with pytest.raises(ShapeError, match="about 5,000 digits"):
        Conv2d(3, 10**5000, 3)


def test_tensor_size_error_follows_pytorchs_arithmetic() -> None:
    """Bytes are a uint64 product from the first size on (an overflow before a later 0
    counts), times 4 for float32, within int64; strides count a 0 as 1."""
    from convcalc.layers._base import tensor_size_error

    assert tensor_size_error((2**61 - 1,)) is None
    assert tensor_size_error((2**61,)) == "its byte size overflows int64"
    assert tensor_size_error((2**62, 2**62, 0)) == "its byte size overflows int64"
    assert tensor_size_error((0, 2**62, 2**62)) == "its strides overflow int64"
    assert tensor_size_error((2**63 - 1, 0)) is None
    assert tensor_size_error((2**63,)) == "size 9223372036854775808 is beyond int64"


@pytest.mark.parametrize(
    ("build", "shape", "expected"),
    [
        pytest.param(
            lambda: ConvTranspose2d(2, 3, 3, output_padding=2),
            (0, 2, 5, 5),
            (0, 3, 9, 9),
            id="output-padding-past-stride",
        ),
        pytest.param(
            lambda: ConvTranspose2d(2, 3, 3, dilation=0), (0, 2, 5, 5), (0, 3, 5, 5), id="dil-0"
        ),
        pytest.param(
            lambda: ConvTranspose2d(2, 3, 3, padding=2), (0, 2, 2, 2), (0, 3, 0, 0), id="out-0"
        ),
        pytest.param(
            lambda: ConvTranspose2d(2, 3, 3), (0, 2, 0, 5), (0, 3, 2, 7), id="empty-spatial"
        ),
        pytest.param(lambda: Conv2d(2, 3, 3, dilation=0), (0, 2, 5, 5), (0, 3, 5, 5), id="conv"),
        pytest.param(
            lambda: Conv2d(0, 3, 3, dilation=0), (1, 0, 5, 5), (1, 0, 5, 5), id="conv-no-channels"
        ),
    ],
)
def test_an_empty_batch_takes_pytorchs_empty_path(
    build: Any, shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    """With no samples (or, for Conv, no channels) PyTorch skips the kernels' own checks;
    the same configurations on a batch of 1 are refused."""
    layer = build()
    assert layer.output_shape(shape) == expected
    with pytest.raises(ShapeError):
        layer.output_shape((1, *shape[1:]) if shape[0] == 0 else (1, 2, 5, 5))


@settings(max_examples=300, deadline=None)
@given(
    nd=st.integers(1, 3),
    batch=st.integers(0, 3),
    channels=st.integers(0, 4),
    size=st.integers(0, 12),
    kernel=st.integers(0, 6),
    stride=st.integers(0, 3),
    padding=st.integers(-1, 3),
    dilation=st.integers(0, 3),
    groups=st.sampled_from([1, 2]),
    out_channels=st.sampled_from([0, 2, 4]),
)
def test_convolution_fast_path_agrees_with_the_full_checks(
    nd: int,
    batch: int,
    channels: int,
    size: int,
    kernel: int,
    stride: int,
    padding: int,
    dilation: int,
    groups: int,
    out_channels: int,
) -> None:
    """output_shape works the common case out directly; the full path (every check in
    PyTorch's order) gives the same shape or the same error for every input."""
    cls = (Conv1d, Conv2d, Conv3d)[nd - 1]
    try:
        layer = cls(4, out_channels, kernel, stride, padding, dilation, groups)
    except ShapeError:
        return
    shape = (batch, channels, *(size,) * nd)
    try:
        full: Any = layer._output_shape(shape)
    except ShapeError as exc:
        full = str(exc)
    try:
        ours: Any = layer.output_shape(shape)
    except ShapeError as exc:
        ours = str(exc)
    assert ours == full


def test_convolution_fast_path_answers_the_common_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common case never reaches the full path; a list input does."""

    def full_path(self: Any, shape: Any) -> Any:
        raise AssertionError("the full path ran")

    monkeypatch.setattr(Conv2d, "_output_shape", full_path)
    assert Conv2d(64, 32, 3).output_shape((8, 64, 128, 128)) == (8, 32, 126, 126)
    with pytest.raises(AssertionError, match="the full path ran"):
        Conv2d(64, 32, 3).output_shape([8, 64, 128, 128])


def test_mean_transpose_and_frozen_batch_norm() -> None:
    """MNASNet and ShuffleNetV2 end with ``x.mean([2, 3])``; ShuffleNet's shuffle transposes
    two dimensions; detection backbones use torchvision's FrozenBatchNorm2d (buffers only)."""
    assert convcalc.Mean([2, 3]).output_shape((1, 1280, 7, 7)) == (1, 1280)
    assert convcalc.Mean([2, 3], keepdim=True).output_shape((1, 1280, 7, 7)) == (1, 1280, 1, 1)
    assert convcalc.Mean().output_shape((2, 3)) == ()
    assert convcalc.Mean([], keepdim=True).output_shape((2, 3)) == (1, 1)
    assert convcalc.Transpose(1, 2).output_shape((1, 2, 58, 28, 28)) == (1, 58, 2, 28, 28)
    assert convcalc.Transpose(0, -1).output_shape(()) == ()
    norm = convcalc.FrozenBatchNorm2d(256)
    assert norm.output_shape((2, 256, 50, 50)) == (2, 256, 50, 50)
    assert (norm.param_count, norm.buffer_count) == (0, 1024)
    assert norm.buffer_shapes == {
        "weight": (256,),
        "bias": (256,),
        "running_mean": (256,),
        "running_var": (256,),
    }


@pytest.mark.parametrize(
    ("build", "shape", "message"),
    [
        pytest.param(
            lambda: convcalc.Mean([2, -2]),
            (1, 8, 7, 7),
            "Mean: dim (2, -2) names a dimension twice; list each dimension once",
            id="mean-twice",
        ),
        pytest.param(
            lambda: convcalc.Mean(4),
            (1, 8, 7, 7),
            "Mean: dimension 4 is out of range for a 4-d input (use -4 to 3)",
            id="mean-range",
        ),
        pytest.param(
            lambda: convcalc.Transpose(1, 4),
            (1, 8, 7, 7),
            "Transpose: dimension 4 is out of range for a 4-d input (use -4 to 3)",
            id="transpose-range",
        ),
        pytest.param(
            lambda: convcalc.FrozenBatchNorm2d(256),
            (2, 128, 50, 50),
            "FrozenBatchNorm2d: input 2x128x50x50 does not broadcast with the (1, 256, 1, 1) "
            "statistics: dimension -3 has 128, not 256; use an (N, 256, H, W) input",
            id="frozen-channels",
        ),
    ],
)
def test_reductions_explain_their_rejections(
    build: Any, shape: tuple[int, ...], message: str
) -> None:
    with pytest.raises(ShapeError) as info:
        build().output_shape(shape)
    assert str(info.value) == message


def test_records_written_init_binds_and_refuses_as_the_generic_one() -> None:
    """After enough constructions a class gets an __init__ written for its fields: the
    same values, defaults, checks and messages as before."""
    from convcalc._record import _WRITE_AFTER

    pool: Any = convcalc.LPPool3d  # called wrongly on purpose below

    layers = [convcalc.LPPool3d(2.0, 3, ceil_mode=bool(i % 2)) for i in range(_WRITE_AFTER + 2)]
    assert "__init__" in vars(convcalc.LPPool3d)
    assert layers[-1] == convcalc.LPPool3d(2.0, 3, None, True)
    assert layers[-2] == convcalc.LPPool3d(norm_type=2.0, kernel_size=3)
    cases: tuple[tuple[Any, str], ...] = (
        (lambda: pool(2.0), "LPPool3d() missing required argument 'kernel_size'"),
        (
            lambda: pool(2.0, 3, 1, True, 5),
            "LPPool3d() takes at most 4 positional arguments (5 given)",
        ),
        (
            lambda: pool(2.0, 3, size=1),
            "LPPool3d() got an unexpected keyword argument 'size'",
        ),
        (
            lambda: pool(2.0, 3, kernel_size=1),
            "LPPool3d() got multiple values for argument 'kernel_size'",
        ),
    )
    for build, message in cases:
        with pytest.raises(TypeError) as info:
            build()
        assert str(info.value) == message
    with pytest.raises(ShapeError) as shape_info:
        pool("2", 3)
    assert str(shape_info.value) == "LPPool3d: norm_type must be a number, got '2'"
