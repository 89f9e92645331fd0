"""The ``convcalc`` command line: one command per layer kind, each a thin shell around
:func:`convcalc.explain.explain` and :mod:`convcalc.render`.

Commands are built on first use (``_Group.get_command``), so a call pays only for the
command it runs; rich is imported only when a table is printed.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import layers as L
from .errors import ConvCalcError

if TYPE_CHECKING:
    from .layers import Layer

__all__ = ["ExitCode", "cli", "main"]


class ExitCode(IntEnum):
    """Process exit codes: 0 success, 1 bad input (a clear message on stderr), 2 bad usage
    (click's own code for unknown flags and malformed values)."""

    OK = 0
    INVALID_INPUT = 1
    USAGE = 2


# --------------------------------------------------------------------------------------------
# parameter types: parse at the edge, fail with click's usage error (exit 2)


class _Sizes(click.ParamType):  # type: ignore[type-arg]
    """``3`` -> 3, ``5x3`` (or ``5,3``) -> (5, 3)."""

    name = "N|NxM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (int, tuple)):
            return value
        parts = str(value).lower().replace(",", "x").split("x")
        try:
            numbers = tuple(int(p) for p in parts)
        except ValueError:
            self.fail(f"{value!r} is not a size like 3 or 5x3", param, ctx)
        if any(n < 0 for n in numbers):
            self.fail(f"{value!r} has a negative size", param, ctx)
        return numbers[0] if len(numbers) == 1 else numbers


class _Padding(_Sizes):
    """Sizes, or ``same`` / ``valid``."""

    name = "N|NxM|same|valid"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower() in ("same", "valid"):
            return value.lower()
        return super().convert(value, param, ctx)


class _Shape(click.ParamType):  # type: ignore[type-arg]
    """A tensor shape written ``128``, ``128x128``, ``3x224x224`` or ``8x3x224x224``."""

    name = "SHAPE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        parts = str(value).lower().replace("×", "x").replace(",", "x").split("x")
        try:
            shape = tuple(int(p) for p in parts)
        except ValueError:
            self.fail(f"{value!r} is not a shape like 128, 128x128 or 8x3x224x224", param, ctx)
        if any(n < 0 for n in shape):
            self.fail(f"{value!r} has a negative size", param, ctx)
        return shape


class _Scales(click.ParamType):  # type: ignore[type-arg]
    """``2`` or ``2x1.5``: one scale factor per spatial axis."""

    name = "S|SxS"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float | tuple[float, ...]:
        if isinstance(value, (float, tuple)):
            return value
        try:
            scales = tuple(float(p) for p in str(value).lower().split("x"))
        except ValueError:
            self.fail(f"{value!r} is not a scale factor like 2 or 2x1.5", param, ctx)
        return scales[0] if len(scales) == 1 else scales


SIZES = _Sizes()
PADDING = _Padding()
SHAPE = _Shape()
SCALES = _Scales()


# --------------------------------------------------------------------------------------------
# the group: lazy commands, one place that maps errors to exit codes


class _Command(click.Command):
    """A click command whose parser does not look for spelling suggestions on every short
    option.

    click's parser tries each ``-k`` as a long option first and, on the way to the short-option
    path, builds a "no such option" error with suggestions, importing :mod:`difflib` (about a
    fifth of a call's own cost here). An unknown short option still gets suggestions: click
    raises its own error from the short-option path.
    """

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        match_long = getattr(parser, "_match_long_opt", None)
        long_options = getattr(parser, "_long_opt", None)
        if match_long is None or long_options is None:
            return parser

        def match(opt: str, explicit_value: str | None, state: Any) -> None:
            if len(opt) == 2 and opt not in long_options:
                raise click.NoSuchOption(opt, ctx=ctx)
            match_long(opt, explicit_value, state)

        parser._match_long_opt = match  # type: ignore[method-assign]
        return parser


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_FACTORIES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        factory = _FACTORIES.get(cmd_name)
        return factory(cmd_name) if factory else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConvCalcError as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(ExitCode.INVALID_INPUT)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run standalone, but report a usage error in one line on stderr (exit 2) rather than
        click's usage block."""
        if kwargs.get("standalone_mode", True) is False:
            return super().main(*args, **kwargs)
        try:
            # Without standalone mode click returns the code of a ctx.exit() instead of exiting.
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
            sys.exit(code if isinstance(code, int) else ExitCode.OK)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(ExitCode.USAGE)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "convcalc"
            message = exc.format_message().rstrip(".")
            click.echo(f"Error: {message} (see '{command} --help')", err=True)
            sys.exit(ExitCode.USAGE)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(ExitCode.INVALID_INPUT)
        except BrokenPipeError:
            sys.exit(ExitCode.OK)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--traceback", is_flag=True, help="Show the Python traceback of an error.")
@click.version_option(package_name="convcalc", message="%(prog)s %(version)s")
def cli(traceback: bool) -> None:
    """Exact PyTorch shapes, parameter counts and MACs for CNN layers, without PyTorch.

    Every command works out one layer: its output shape, weight and bias shapes, parameter
    count, multiply-accumulates (MACs, with FLOPs = 2 x MACs) and, per spatial axis, the
    formula with your numbers in it. --json prints the same as one JSON object.

    \b
    Example:
      convcalc conv2d --in 64 --out 32 -k 3 -i 8x64x128x128
      convcalc conv-transpose2d --in 2 --out 1 -k 3 -s 2 -p 1 -i 3x3 --target 5x5
      convcalc separable --in 64 --out 32 -k 3 -i 128x128
    """


def main() -> NoReturn:
    """The console-script entry point."""
    # A short-lived process whose objects all live until it exits: the cyclic garbage
    # collector would only walk them again and again (a 10,000-layer spec makes a million),
    # turning linear work super-linear. Reference counting still frees everything else, and
    # the spec loader's limits bound what one command can allocate.
    gc.freeze()
    gc.disable()
    sys.exit(cli(prog_name="convcalc"))


def _show(
    layer: Layer,
    shape: Sequence[int] | None,
    as_json: bool,
    *,
    output_size: Sequence[int] | None = None,
) -> None:
    """Work the layer out and print the report as a table or as JSON."""
    from . import render
    from .explain import explain

    report = explain(layer, shape, output_size=output_size)

    if as_json:
        click.echo(render.render_json(render.layer_report_dict(report)))
    else:
        _console().print(render.render_layer_table(report))


def _shape_from(
    values: tuple[int, ...] | None, nd: int, in_channels: int | None
) -> tuple[int, ...] | None:
    """``-i`` as the layer sees it (see :func:`convcalc.explain.input_shape_from`)."""
    if values is None:
        return None
    from .explain import input_shape_from

    return input_shape_from(values, nd, in_channels)


def _console() -> Any:
    from rich.console import Console

    return Console()


# --------------------------------------------------------------------------------------------
# shared options


def _input_option(help_text: str) -> Callable[[Any], Any]:
    return click.option("-i", "--input", "input_shape", type=SHAPE, default=None, help=help_text)


_json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of a table."
)
_in_option = click.option(
    "--in",
    "in_channels",
    type=int,
    default=None,
    help="in_channels (taken from -i when omitted).",
)
_out_option = click.option("--out", "out_channels", type=int, required=True, help="out_channels.")
_stride_option = click.option("-s", "--stride", type=SIZES, default=1, show_default=True)
_dilation_option = click.option("-d", "--dilation", type=SIZES, default=1, show_default=True)
_padding_option = click.option("-p", "--padding", type=SIZES, default=0, show_default=True)
_bias_option = click.option("--bias/--no-bias", default=True, show_default=True)
_kernel_option = click.option(
    "-k", "--kernel-size", type=SIZES, required=True, help="Kernel size: 3, or 5x3 per axis."
)


def _channels(in_channels: int | None, input_shape: tuple[int, ...] | None, nd: int) -> int:
    if in_channels is not None:
        return in_channels
    if input_shape is not None and len(input_shape) in (nd + 1, nd + 2):
        return input_shape[-nd - 1]
    raise click.UsageError(
        "give --in, or an -i shape that includes the channels "
        f"({'CxHxW' if nd == 2 else 'C x spatial'})"
    )


def _spatial(nd: int) -> str:
    return {1: "L", 2: "HxW", 3: "DxHxW"}[nd]


# --------------------------------------------------------------------------------------------
# command factories (built on demand)


def _conv_command(name: str) -> click.Command:
    nd = int(name[-2])
    sp = _spatial(nd)
    example = {
        1: "--in 16 --out 33 -k 3 -s 2 -i 20x16x50",
        2: "--in 64 --out 32 -k 3 -i 8x64x128x128",
        3: "--in 4 --out 8 -k 3 -s 2 -p 1 -i 2x4x9x16x17",
    }[nd]

    @click.command(
        cls=_Command,
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
    @_in_option
    @_out_option
    @_kernel_option
    @_stride_option
    @click.option(
        "-p",
        "--padding",
        type=PADDING,
        default=0,
        show_default=True,
        help="Padding per side: 1, 1x2, same or valid.",
    )
    @_dilation_option
    @click.option("-g", "--groups", type=int, default=1, show_default=True)
    @_bias_option
    @click.option(
        "--padding-mode",
        type=click.Choice([m.value for m in L.PaddingMode]),
        default="zeros",
        show_default=True,
    )
    @_input_option(f"Input: {sp}, Cx{sp} or NxCx{sp}.")
    @_json_option
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
    ) -> None:
        channels = _channels(in_channels, input_shape, nd)
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
        shape = _shape_from(input_shape, nd, channels)
        _show(layer, shape, as_json)

    return command


def _conv_transpose_command(name: str) -> click.Command:
    nd = int(name[-2])
    sp = _spatial(nd)
    size3, size5 = "x".join(["3"] * nd), "x".join(["5"] * nd)

    @click.command(
        cls=_Command,
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
    @_in_option
    @_out_option
    @_kernel_option
    @_stride_option
    @_padding_option
    @click.option("--output-padding", type=SIZES, default=0, show_default=True)
    @_dilation_option
    @click.option("-g", "--groups", type=int, default=1, show_default=True)
    @_bias_option
    @click.option(
        "--target",
        type=SHAPE,
        default=None,
        help=f"Wanted output size ({sp}): prints the output_padding that reaches it.",
    )
    @_input_option(f"Input: {sp}, Cx{sp} or NxCx{sp}.")
    @_json_option
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
    ) -> None:
        channels = _channels(in_channels, input_shape, nd)
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
        shape = _shape_from(input_shape, nd, channels)
        if target is not None and len(target) == 1 and nd > 1:
            target = target * nd
        _show(layer, shape, as_json, output_size=target)

    return command


def _pool_command(name: str) -> click.Command:
    nd = int(name[-2])
    kind = "max" if name.startswith("max") else "avg"
    cls = getattr(L, f"{kind.capitalize()}Pool{nd}d")
    sp = _spatial(nd)
    extra = "dilation, " if kind == "max" else ""

    def run(
        kernel_size: Any,
        stride: Any,
        padding: Any,
        ceil_mode: bool,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
        **options: Any,
    ) -> None:
        layer = cls(kernel_size, stride, padding, ceil_mode=ceil_mode, **options)
        shape = _shape_from(input_shape, nd, None)
        _show(layer, shape, as_json)

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
    ]
    title = "MaxPool" if kind == "max" else "AvgPool"
    return _Command(
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


def _adaptive_command(name: str) -> click.Command:
    nd = int(name[-2])
    kind = "Max" if "max" in name else "Avg"
    cls = getattr(L, f"Adaptive{kind}Pool{nd}d")
    sp = _spatial(nd)

    def run(output_size: Any, input_shape: tuple[int, ...], as_json: bool) -> None:
        shape = _shape_from(input_shape, nd, None)
        _show(cls(output_size), shape, as_json)

    return _Command(
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


def _upsample_command(name: str) -> click.Command:
    @click.command(cls=_Command, name="upsample")
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
    @_input_option("Input: NxCxL, NxCxHxW or NxCxDxHxW (no unbatched form).")
    @_json_option
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
        _show(layer, input_shape, as_json)

    return _upsample


def _unfold_command(name: str) -> click.Command:
    @click.command(cls=_Command, name="unfold")
    @_kernel_option
    @_dilation_option
    @_padding_option
    @_stride_option
    @_input_option("Input: HxW, CxHxW or NxCxHxW.")
    @_json_option
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
        shape = _shape_from(input_shape, 2, None)
        _show(L.Unfold(kernel_size, dilation, padding, stride), shape, as_json)

    return _unfold


def _fold_command(name: str) -> click.Command:
    @click.command(cls=_Command, name="fold")
    @click.option("-o", "--output-size", type=SIZES, required=True, help="Output HxW.")
    @_kernel_option
    @_dilation_option
    @_padding_option
    @_stride_option
    @_input_option("Input: (C*kh*kw)xL or Nx(C*kh*kw)xL.")
    @_json_option
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
        _show(layer, input_shape, as_json)

    return _fold


def _pixel_command(name: str) -> click.Command:
    shuffle = name == "pixel-shuffle"
    cls = L.PixelShuffle if shuffle else L.PixelUnshuffle

    def run(factor: int, input_shape: tuple[int, ...] | None, as_json: bool) -> None:
        _show(cls(factor), input_shape, as_json)

    what = (
        "(*, C*r*r, H, W) -> (*, C, H*r, W*r)"
        if shuffle
        else "(*, C, H*r, W*r) -> (*, C*r*r, H, W)"
    )
    example = "-r 3 -i 2x18x4x5" if shuffle else "-r 2 -i 2x3x8x6"
    return _Command(
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


def _linear_command(name: str) -> click.Command:
    @click.command(cls=_Command, name="linear")
    @click.option(
        "--in",
        "in_features",
        type=int,
        default=None,
        help="in_features (taken from -i when omitted).",
    )
    @click.option("--out", "out_features", type=int, required=True, help="out_features.")
    @_bias_option
    @_input_option("Input: any shape ending in in_features, e.g. 64x800.")
    @_json_option
    def _linear(
        in_features: int | None,
        out_features: int,
        bias: bool,
        input_shape: tuple[int, ...] | None,
        as_json: bool,
    ) -> None:
        """Linear: output shape, weight shape, params, MACs.

        (*, in_features) -> (*, out_features).

        \b
        Example:
          convcalc linear --in 800 --out 500 -i 64x800
        """
        if in_features is None:
            if not input_shape:
                raise click.UsageError("give --in, or -i whose last size is in_features")
            in_features = input_shape[-1]
        _show(L.Linear(in_features, out_features, bias), input_shape, as_json)

    return _linear


def _separable_command(name: str) -> click.Command:
    @click.command(
        cls=_Command,
        name="separable",
        short_help="Standard vs grouped vs depthwise-separable conv.",
    )
    @_in_option
    @_out_option
    @_kernel_option
    @_stride_option
    @click.option("-p", "--padding", type=PADDING, default=0, show_default=True)
    @_dilation_option
    @click.option(
        "-g",
        "--groups",
        type=int,
        default=None,
        help="groups of the grouped variant (default: the largest of 8, 4, 2 dividing "
        "both channel counts).",
    )
    @_bias_option
    @click.option(
        "--dims",
        type=click.IntRange(1, 3),
        default=2,
        show_default=True,
        help="Spatial dimensions: Conv1d, Conv2d or Conv3d.",
    )
    @_input_option("Input: spatial, C x spatial or N x C x spatial.")
    @_json_option
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
        from . import render
        from .explain import compare_separable

        channels = _channels(in_channels, input_shape, dims)
        shape = _shape_from(input_shape, dims, channels)
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
            _console().print(render.render_separable_table(comparison))

    return _separable


class _Columns(click.ParamType):  # type: ignore[type-arg]
    """``input_size,kernel_size,mult_adds`` (torchinfo's names, or input, kernel, macs...)."""

    name = "COLUMNS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        from .render import COLUMN_ALIASES, COLUMNS, DEFAULT_COLUMNS

        chosen = list(DEFAULT_COLUMNS)
        for raw in str(value).split(","):
            name = raw.strip().lower().replace("-", "_")
            name = COLUMN_ALIASES.get(name, name)
            if name not in COLUMNS:
                self.fail(
                    f"unknown column {raw.strip()!r}; choose from {', '.join(COLUMNS)}", param, ctx
                )
            if name not in chosen:
                chosen.append(name)
        return tuple(c for c in COLUMNS if c in chosen)


def _net_command(name: str) -> click.Command:
    @click.command(
        cls=_Command,
        name=name,
        short_help="Per-layer summary of a network spec (YAML/JSON file, -, or zoo name).",
    )
    @click.argument("spec", required=False)
    @_input_option("Input shape, overriding the spec's input: (N)xCxHxW.")
    @click.option(
        "--depth",
        type=click.IntRange(0, 100),
        default=3,
        show_default=True,
        help="Show blocks nested this deep.",
    )
    @click.option(
        "--columns",
        type=_Columns(),
        default=None,
        help="Extra columns: input_size, kernel_size, groups, mult_adds, "
        "params_percent, trainable (comma-separated).",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json", "csv", "markdown"]),
        default="table",
        show_default=True,
    )
    @click.option(
        "--dtype",
        default="float32",
        show_default=True,
        help="Element type for the sizes: float32, float16, bfloat16, int8, ...",
    )
    def command(
        spec: str | None,
        input_shape: tuple[int, ...] | None,
        depth: int,
        columns: tuple[str, ...] | None,
        fmt: str,
        dtype: str,
    ) -> None:
        """Per-layer output shapes, parameters and MACs of a network spec, and its totals.

        SPEC is a YAML or JSON file, - for standard input (or pipe it in), or the name of a
        built-in network (see `convcalc zoo`). The first size argument of each layer
        (in_channels, in_features, num_features) is inferred from the incoming tensor.

        \b
        Example:
          convcalc net lenet
          convcalc net resnet50 --depth 1 --columns input_size,mult_adds
          cat my_net.yaml | convcalc net --format json
        """
        from . import render
        from .network import dtype_size, summarize
        from .spec import load_spec_file

        if spec is None:
            if sys.stdin.isatty():
                raise click.UsageError(
                    "give a spec file, - for standard input, or a zoo "
                    "name (convcalc zoo lists them)"
                )
            spec = "-"
        bytes_per = dtype_size(dtype)
        summary = summarize(load_spec_file(spec), input_shape)
        chosen = columns or render.DEFAULT_COLUMNS
        if fmt == "json":
            click.echo(
                render.render_json(render.summary_dict(summary, dtype=dtype, dtype_bytes=bytes_per))
            )
        elif fmt == "csv":
            click.echo(render.render_csv(summary), nl=False)
        elif fmt == "markdown":
            click.echo(
                render.render_markdown(
                    summary, columns=chosen, depth=depth, dtype=dtype, dtype_bytes=bytes_per
                ),
                nl=False,
            )
        else:
            options: dict[str, Any] = {
                "columns": chosen,
                "depth": depth,
                "dtype": dtype,
                "dtype_bytes": bytes_per,
            }
            # Aligned text with bold headings: click drops the styling when stdout is not a
            # terminal, and hundreds of rows print without rich's layout cost.
            lines = render.summary_lines(summary, **options)
            click.echo(
                "\n".join(
                    click.style(line, bold=True) if heading else line for line, heading in lines
                )
            )

    return command


def _zoo_command(name: str) -> click.Command:
    @click.group(
        name=name,
        invoke_without_command=True,
        short_help="List the built-in networks, or show one's YAML.",
    )
    @click.pass_context
    def zoo(ctx: click.Context) -> None:
        """The built-in networks: `convcalc net NAME` summarises one.

        \b
        Example:
          convcalc zoo
          convcalc zoo show resnet18
        """
        if ctx.invoked_subcommand is None:
            from .spec import zoo_names, zoo_text

            for entry in zoo_names():
                first = zoo_text(entry).splitlines()[0].lstrip("# ").strip()
                click.echo(f"{entry:14} {first}")

    @zoo.command(name="show", cls=_Command)
    @click.argument("name")
    def show(name: str) -> None:
        """Print the YAML of a built-in network.

        \b
        Example:
          convcalc zoo show lenet > my_lenet.yaml
        """
        from .spec import zoo_text

        click.echo(zoo_text(name), nl=False)

    return zoo


def _export_command(name: str) -> click.Command:
    @click.command(
        cls=_Command,
        name=name,
        short_help="Write a spec as a PyTorch module, every inferred number filled in.",
    )
    @click.argument("spec")
    @click.option(
        "--to",
        "target",
        type=click.Choice(["pytorch"]),
        default="pytorch",
        show_default=True,
        help="What to write.",
    )
    @_input_option("Input shape, overriding the spec's input.")
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to this file instead of standard output.",
    )
    def command(
        spec: str, target: str, input_shape: tuple[int, ...] | None, output: str | None
    ) -> None:
        """Write SPEC (a file, - or a zoo name) as a self-contained PyTorch nn.Module.

        Every layer gets its full constructor, inferred sizes included, and forward follows
        the graph. `python model.py` builds it and prints its output shape and parameter
        count.

        \b
        Example:
          convcalc export resnet18 --to pytorch -o resnet18.py
        """
        from pathlib import Path

        from .export import to_pytorch
        from .spec import load_spec_file

        source = to_pytorch(load_spec_file(spec), input_shape)
        if output is None:
            click.echo(source, nl=False)
        else:
            Path(output).write_text(source, encoding="utf-8")

    return command


def _schema_command(name: str) -> click.Command:
    @click.command(
        cls=_Command, name=name, short_help="Print a JSON Schema of the spec format (for editors)."
    )
    def command() -> None:
        """Print a JSON Schema of the network spec format.

        Point an editor's YAML support at it to validate and complete specs.

        \b
        Example:
          convcalc schema > convcalc-spec.schema.json
        """
        from . import render
        from .schema import spec_schema

        click.echo(render.render_json(spec_schema()))

    return command


_FACTORIES: dict[str, Callable[[str], click.Command]] = {
    **{f"conv{nd}d": _conv_command for nd in (1, 2, 3)},
    **{f"conv-transpose{nd}d": _conv_transpose_command for nd in (1, 2, 3)},
    **{f"maxpool{nd}d": _pool_command for nd in (1, 2, 3)},
    **{f"avgpool{nd}d": _pool_command for nd in (1, 2, 3)},
    **{
        f"adaptive-{kind}pool{nd}d": _adaptive_command
        for kind in ("avg", "max")
        for nd in (1, 2, 3)
    },
    "upsample": _upsample_command,
    "unfold": _unfold_command,
    "fold": _fold_command,
    "pixel-shuffle": _pixel_command,
    "pixel-unshuffle": _pixel_command,
    "linear": _linear_command,
    "separable": _separable_command,
    "net": _net_command,
    "summary": _net_command,
    "zoo": _zoo_command,
    "export": _export_command,
    "schema": _schema_command,
}
