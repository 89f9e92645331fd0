"""Resampling commands: upsample, unfold, fold, pixel-shuffle and pixel-unshuffle."""

from __future__ import annotations

from typing import Any

import click

from .. import layers as L
from ._common import (
    SCALES,
    SHAPE,
    SIZES,
    Command,
    dilation_option,
    input_option,
    json_option,
    kernel_option,
    padding_option,
    shape_from,
    show,
    stride_option,
)


def upsample_command(name: str) -> click.Command:
    @click.command(cls=Command, name="upsample")
    @click.option("--size", type=SIZES, default=None, help="Output size: 64, or HxW per axis.")
    @click.option("--scale-factor", type=SCALES, default=None, help="Scale: 2, or 2x1.5 per axis.")
    @click.option(
        "--mode",
        type=click.Choice([m.value for m in L.UpsampleMode]),
        default="nearest",
        show_default=True,
    )
    @click.option(
        "--align-corners",
        is_flag=True,
        default=None,
        help="Only for linear, bilinear, bicubic, trilinear.",
    )
    @input_option("Input: NxCxL, NxCxHxW or NxCxDxHxW (no unbatched form).")
    @json_option
    def _upsample(
        size: Any,
        scale_factor: Any,
        mode: str,
        align_corners: bool | None,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
    ) -> None:
        """Upsample: output shape from size or scale_factor.

        The size is given, or int(size * scale_factor) computed in binary floating point.

        \b
        Example:
          convcalc upsample --scale-factor 2 --mode bilinear -i 1x3x5x7
          convcalc upsample --size 3x9 -i 1x3x5x7
        """
        if input_shape is None:
            raise click.UsageError("upsample needs the input shape: add -i NxCxHxW")
        layer = L.Upsample(size, scale_factor, mode, align_corners)
        show(layer, input_shape, as_json)

    return _upsample


def unfold_command(name: str) -> click.Command:
    @click.command(cls=Command, name="unfold")
    @kernel_option
    @dilation_option
    @padding_option
    @stride_option
    @input_option("Input: HxW, CxHxW or NxCxHxW.")
    @json_option
    def _unfold(
        kernel_size: Any,
        dilation: Any,
        padding: Any,
        stride: Any,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
    ) -> None:
        """Unfold (im2col): output shape and block count.

        (N, C, H, W) -> (N, C*kh*kw, L), where L is the number of sliding blocks.

        \b
        Example:
          convcalc unfold -k 3 -i 2x3x10x12
        """
        shape = shape_from(input_shape, 2, None)
        show(L.Unfold(kernel_size, dilation, padding, stride), shape, as_json)

    return _unfold


def fold_command(name: str) -> click.Command:
    @click.command(cls=Command, name="fold")
    @click.option("-o", "--output-size", type=SIZES, required=True, help="Output HxW.")
    @kernel_option
    @dilation_option
    @padding_option
    @stride_option
    @input_option("Input: (C*kh*kw)xL or Nx(C*kh*kw)xL.")
    @json_option
    def _fold(
        output_size: Any,
        kernel_size: Any,
        dilation: Any,
        padding: Any,
        stride: Any,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
    ) -> None:
        """Fold (col2im): output shape, checking the block count.

        (N, C*kh*kw, L) -> (N, C, *output_size).

        \b
        Example:
          convcalc fold -o 4x5 -k 2 -s 2 -i 1x12x4
        """
        layer = L.Fold(output_size, kernel_size, dilation, padding, stride)
        show(layer, input_shape, as_json)

    return _fold


def pixel_command(name: str) -> click.Command:
    shuffle = name == "pixel-shuffle"
    cls = L.PixelShuffle if shuffle else L.PixelUnshuffle

    def run(factor: int, input_shape: tuple[int, ...] | None, as_json: bool) -> None:
        show(cls(factor), input_shape, as_json)

    what = (
        "(*, C*r*r, H, W) -> (*, C, H*r, W*r)"
        if shuffle
        else "(*, C, H*r, W*r) -> (*, C*r*r, H, W)"
    )
    example = "-r 3 -i 2x18x4x5" if shuffle else "-r 2 -i 2x3x8x6"
    return Command(
        name,
        callback=run,
        params=[
            click.Option(
                ["-r", "--upscale-factor" if shuffle else "--downscale-factor", "factor"],
                type=int,
                required=True,
                help="The factor r.",
            ),
            click.Option(
                ["-i", "--input", "input_shape"],
                type=SHAPE,
                default=None,
                help="Input: CxHxW or any leading dims before them.",
            ),
            click.Option(
                ["--json", "as_json"],
                is_flag=True,
                help="Print one JSON object instead of a table.",
            ),
        ],
        short_help=f"{cls.__name__}: output shape.",
        help=f"""Output shape of nn.{cls.__name__}: {what}.

    \b
    Example:
      convcalc {name} {example}
    """,
    )
