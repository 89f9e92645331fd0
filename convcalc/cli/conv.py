"""Convolution commands: conv1d-3d, conv-transpose1d-3d and separable."""

from __future__ import annotations

from typing import Any

import click

from .. import layers as L
from ._common import (
    PADDING,
    SHAPE,
    SIZES,
    Command,
    bias_option,
    channels_from,
    console,
    dilation_option,
    in_option,
    input_option,
    json_option,
    kernel_option,
    out_option,
    padding_option,
    shape_from,
    show,
    spatial,
    stride_option,
)


def conv_command(name: str) -> click.Command:
    nd = int(name[-2])
    sp = spatial(nd)
    example = {
        1: "--in 16 --out 33 -k 3 -s 2 -i 20x16x50",
        2: "--in 64 --out 32 -k 3 -i 8x64x128x128",
        3: "--in 4 --out 8 -k 3 -s 2 -p 1 -i 2x4x9x16x17",
    }[nd]

    @click.command(
        cls=Command,
        name=name,
        short_help=f"Conv{nd}d: output shape, weight shape, params, MACs.",
        help=f"""Output shape, weights, params and MACs of
    a Conv{nd}d.

    The output size per axis is floor((size + 2*padding - dilation*(kernel-1) - 1) / stride) + 1;
    the table shows it with your numbers, and says when the stride leaves input unused.

    \b
    Example:
      convcalc {name} {example}
      convcalc {name} --in 64 --out 32 -k 3 -g 8 --json
    """,
    )
    @in_option
    @out_option
    @kernel_option
    @stride_option
    @click.option(
        "-p",
        "--padding",
        type=PADDING,
        default=0,
        show_default=True,
        help="Padding per side: 1, 1x2, same or valid.",
    )
    @dilation_option
    @click.option("-g", "--groups", type=int, default=1, show_default=True)
    @bias_option
    @click.option(
        "--padding-mode",
        type=click.Choice([m.value for m in L.PaddingMode]),
        default="zeros",
        show_default=True,
    )
    @input_option(f"Input: {sp}, Cx{sp} or NxCx{sp}.")
    @json_option
    @click.option("--draw", is_flag=True, help="Also draw the windows on the input, as text.")
    def command(
        in_channels: int | None,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int,
        bias: bool,
        padding_mode: str,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
        draw: bool,
    ) -> None:
        channels = channels_from(in_channels, input_shape, nd)
        layer = getattr(L, f"Conv{nd}d")(
            channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
        )
        shape = shape_from(input_shape, nd, channels)
        show(layer, shape, as_json)
        if draw:
            from .draw import echo_grid

            echo_grid(layer, shape)

    return command


def conv_transpose_command(name: str) -> click.Command:
    nd = int(name[-2])
    sp = spatial(nd)
    size3, size5 = "x".join(["3"] * nd), "x".join(["5"] * nd)

    @click.command(
        cls=Command,
        name=name,
        short_help=f"ConvTranspose{nd}d: output shape, params, output_padding.",
        help=f"""Output shape, weights, params and MACs of a
    ConvTranspose{nd}d, and the output_padding that reaches a target size.

    The output size per axis is
    (size - 1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1.
    --target picks output_padding the way forward(input, output_size=...) does, or says
    which sizes are reachable.

    \b
    Example:
      convcalc {name} --in 32 --out 64 -k 3 -i 8x32x{"x".join(["126"] * nd)}
      convcalc {name} --in 2 --out 1 -k 3 -s 2 -p 1 -i {size3} --target {size5}
    """,
    )
    @in_option
    @out_option
    @kernel_option
    @stride_option
    @padding_option
    @click.option("--output-padding", type=SIZES, default=0, show_default=True)
    @dilation_option
    @click.option("-g", "--groups", type=int, default=1, show_default=True)
    @bias_option
    @click.option(
        "--target",
        type=SHAPE,
        default=None,
        help=f"Wanted output size ({sp}): prints the output_padding that reaches it.",
    )
    @input_option(f"Input: {sp}, Cx{sp} or NxCx{sp}.")
    @json_option
    @click.option("--draw", is_flag=True, help="Also draw the windows on the input, as text.")
    def command(
        in_channels: int | None,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        output_padding: Any,
        dilation: Any,
        groups: int,
        bias: bool,
        target: tuple[int, ...] | None,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
        draw: bool,
    ) -> None:
        channels = channels_from(in_channels, input_shape, nd)
        layer = getattr(L, f"ConvTranspose{nd}d")(
            channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            output_padding,
            groups,
            bias,
            dilation,
        )
        if target is not None and input_shape is None:
            raise click.UsageError("--target needs the input size: add -i")
        shape = shape_from(input_shape, nd, channels)
        if target is not None and len(target) == 1 and nd > 1:
            target = target * nd
        show(layer, shape, as_json, output_size=target)
        if draw:
            from .draw import echo_grid

            echo_grid(layer, shape, output_size=target)

    return command


def separable_command(name: str) -> click.Command:
    @click.command(
        cls=Command,
        name="separable",
        short_help="Standard vs grouped vs depthwise-separable conv.",
    )
    @in_option
    @out_option
    @kernel_option
    @stride_option
    @click.option("-p", "--padding", type=PADDING, default=0, show_default=True)
    @dilation_option
    @click.option(
        "-g",
        "--groups",
        type=int,
        default=None,
        help="groups of the grouped variant (default: the largest of 8, 4, 2 dividing "
        "both channel counts).",
    )
    @bias_option
    @click.option(
        "--dims",
        type=click.IntRange(1, 3),
        default=2,
        show_default=True,
        help="Spatial dimensions: Conv1d, Conv2d or Conv3d.",
    )
    @input_option("Input: spatial, C x spatial or N x C x spatial.")
    @json_option
    def _separable(
        in_channels: int | None,
        out_channels: int,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        groups: int | None,
        bias: bool,
        dims: int,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
    ) -> None:
        """Standard vs grouped vs depthwise-separable convolution, side by side.

        The same in_channels, out_channels and kernel, three ways.

        Depthwise-separable is a depthwise kxk convolution (groups = in_channels) followed by a
        pointwise 1x1 convolution, as in MobileNet. Shows weight shapes, params and MACs side by
        side.

        \b
        Example:
          convcalc separable --in 64 --out 32 -k 3 -i 8x64x128x128
        """
        from .. import render
        from ..explain import compare_separable

        channels = channels_from(in_channels, input_shape, dims)
        shape = shape_from(input_shape, dims, channels)
        comparison = compare_separable(
            dims,
            channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            bias=bias,
            groups=groups,
            input_shape=shape,
        )
        if as_json:
            click.echo(render.render_json(render.separable_dict(comparison)))
        else:
            console().print(render.render_separable_table(comparison))

    return _separable
