"""Pooling commands: max/avg pooling and adaptive pooling, 1-3d."""

from __future__ import annotations

from typing import Any

import click

from .. import layers as L
from ._common import SHAPE, SIZES, Command, shape_from, show, spatial


def pool_command(name: str) -> click.Command:
    nd = int(name[-2])
    kind = "max" if name.startswith("max") else "avg"
    cls = getattr(L, f"{kind.capitalize()}Pool{nd}d")
    sp = spatial(nd)
    extra = "dilation, " if kind == "max" else ""

    def run(
        kernel_size: Any,
        stride: Any,
        padding: Any,
        ceil_mode: bool,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
        draw: bool,
        **options: Any,
    ) -> None:
        layer = cls(kernel_size, stride, padding, ceil_mode=ceil_mode, **options)
        shape = shape_from(input_shape, nd, None)
        show(layer, shape, as_json)
        if draw:
            from .draw import echo_grid

            echo_grid(layer, shape)

    params: list[click.Parameter] = [
        click.Option(
            ["-k", "--kernel-size"],
            type=SIZES,
            required=True,
            help="Window size: 3, or 3x2 per axis.",
        ),
        click.Option(
            ["-s", "--stride"], type=SIZES, default=None, help="Stride (default: the kernel size)."
        ),
        click.Option(
            ["-p", "--padding"],
            type=SIZES,
            default=0,
            show_default=True,
            help="Implicit padding per side, at most half the kernel.",
        ),
        click.Option(
            ["--ceil-mode"],
            is_flag=True,
            help="Round the output size up (a last window must start inside).",
        ),
    ]
    if kind == "max":
        params.append(click.Option(["-d", "--dilation"], type=SIZES, default=1, show_default=True))
    else:
        params.append(
            click.Option(
                ["--count-include-pad/--no-count-include-pad"], default=True, show_default=True
            )
        )
        if nd > 1:
            params.append(click.Option(["--divisor-override"], type=int, default=None))
    params += [
        click.Option(
            ["-i", "--input", "input_shape"],
            type=SHAPE,
            default=None,
            help=f"Input: {sp}, Cx{sp} or NxCx{sp}.",
        ),
        click.Option(
            ["--json", "as_json"], is_flag=True, help="Print one JSON object instead of a table."
        ),
        click.Option(["--draw"], is_flag=True, help="Also draw the windows on the input, as text."),
    ]
    title = "MaxPool" if kind == "max" else "AvgPool"
    return Command(
        name,
        callback=run,
        params=params,
        short_help=f"{title}{nd}d: output shape, with ceil mode.",
        help=f"""Output shape of a
    {title}{nd}d: floor (or ceil) of (size + 2*padding - {extra and "dilation*"}(kernel-1) - 1)
    / stride, plus 1.

    In ceil mode a last window that would start in the right padding is dropped, as PyTorch
    does.

    \b
    Example:
      convcalc {name} -k 2 -i 1x20x{"x".join(["24"] * nd)}
      convcalc {name} -k 3 -s 2 --ceil-mode -i {"x".join(["7"] * nd)}
    """,
    )


def adaptive_command(name: str) -> click.Command:
    nd = int(name[-2])
    kind = "Max" if "max" in name else "Avg"
    cls = getattr(L, f"Adaptive{kind}Pool{nd}d")
    sp = spatial(nd)

    def run(output_size: Any, input_shape: tuple[int, ...], as_json: bool) -> None:
        shape = shape_from(input_shape, nd, None)
        show(cls(output_size), shape, as_json)

    return Command(
        name,
        callback=run,
        params=[
            click.Option(
                ["-o", "--output-size"],
                type=SIZES,
                required=True,
                help=f"Output size: 7, or {sp} per axis.",
            ),
            click.Option(
                ["-i", "--input", "input_shape"],
                type=SHAPE,
                required=True,
                help=f"Input: {sp}, Cx{sp} or NxCx{sp}.",
            ),
            click.Option(
                ["--json", "as_json"],
                is_flag=True,
                help="Print one JSON object instead of a table.",
            ),
        ],
        short_help=f"Adaptive{kind}Pool{nd}d: output shape.",
        help=f"""Output shape of an Adaptive{kind}Pool{nd}d: the spatial size is output_size.

    \b
    Example:
      convcalc {name} -o {"x".join(["7"] * nd)} -i 1x512x{"x".join(["14"] * nd)}
    """,
    )
