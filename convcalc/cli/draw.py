"""The draw command: a layer as in conv_arithmetic, the padding modes, or a network diagram,
as SVG (PNG where cairosvg is installed), Mermaid or DOT."""

from __future__ import annotations

from typing import Any

import click

from ._common import SHAPE, SIZES, Command, complete_spec, write_output

_LAYERS = {
    **{f"conv{nd}d": f"Conv{nd}d" for nd in (1, 2)},
    **{f"conv-transpose{nd}d": f"ConvTranspose{nd}d" for nd in (1, 2)},
    **{f"maxpool{nd}d": f"MaxPool{nd}d" for nd in (1, 2)},
    **{f"avgpool{nd}d": f"AvgPool{nd}d" for nd in (1, 2)},
}


def echo_grid(
    layer: Any, shape: tuple[int, ...] | None, output_size: tuple[int, ...] | None = None
) -> None:
    """The layer commands' --draw: the picture as text, after the table."""
    from ..draw import layer_text
    from ..errors import ShapeError

    if shape is None:
        raise click.UsageError("--draw needs the input size: add -i")
    nd = layer._nd
    if output_size is not None:  # the output_padding that --target picked
        from ..layers import layer_fields

        fields = layer_fields(layer)
        fields["output_padding"] = layer.output_padding_for(shape, output_size)
        layer = type(layer)(**fields)
    if nd > 2:
        raise ShapeError("--draw shows 1-d and 2-d layers")
    for line in layer_text(layer, shape[-nd:]):
        click.echo(line)


def _write(text: str, output: str | None) -> None:
    """SVG or text to stdout or a file; a ``.png`` file is rendered with cairosvg."""
    if output is None:
        click.echo(text, nl=False)
        return
    if output.lower().endswith(".png"):
        try:
            import cairosvg  # type: ignore[import-untyped,import-not-found,unused-ignore]
        except ImportError:
            raise click.UsageError(
                "writing PNG needs cairosvg (pip install cairosvg); write .svg instead"
            ) from None
        write_output(output, cairosvg.svg2png(bytestring=text.encode()))
    else:
        write_output(output, text)
    click.echo(f"wrote {output}", err=True)


_output = click.option(
    "-o", "--output", default=None, help="Write to this file (.svg, or .png with cairosvg)."
)


def draw_command(name: str) -> click.Command:
    @click.group(name=name, short_help="Pictures: a layer's windows, padding modes, a network.")
    def group() -> None:
        """Draw a layer as in conv_arithmetic (padded input, first and last windows, dilation
        holes, stride step, unread rows and columns, output grid), what each padding mode
        puts in the border, or a network as a shape-flow diagram (SVG, Mermaid or DOT).

        \b
        Example:
          convcalc draw conv2d -k 3 -s 2 -p 1 -i 6x6 -o strided.svg
          convcalc draw conv-transpose2d -k 3 -s 2 -p 1 -i 3x3
          convcalc draw padding-modes
          convcalc draw net resnet18 --depth 2 --format mermaid
        """

    for command_name, layer_type in _LAYERS.items():
        group.add_command(_layer_command(command_name, layer_type))
    group.add_command(_padding_command())
    group.add_command(_net_command())
    return group


def _layer_command(name: str, layer_type: str) -> click.Command:
    params: list[click.Parameter] = [
        click.Option(["-k", "--kernel-size"], type=SIZES, required=True),
        click.Option(["-s", "--stride"], type=SIZES, default=None),
        click.Option(["-p", "--padding"], type=SIZES, default=0, show_default=True),
        click.Option(["-i", "--input", "input_shape"], type=SHAPE, required=True),
    ]
    if not layer_type.startswith("AvgPool"):
        params.append(click.Option(["-d", "--dilation"], type=SIZES, default=1, show_default=True))
    if layer_type.startswith("ConvTranspose"):
        params.append(click.Option(["--output-padding"], type=SIZES, default=0, show_default=True))
    if "Pool" in layer_type:
        params.append(click.Option(["--ceil-mode"], is_flag=True))
    params.append(
        click.Option(
            ["-o", "--output"],
            default=None,
            help="Write to this file (.svg, or .png with cairosvg).",
        )
    )

    def run(input_shape: tuple[int, ...], output: str | None, **arguments: Any) -> None:
        from .. import layers
        from ..draw import layer_svg

        cls = getattr(layers, layer_type)
        nd = int(layer_type[-2])
        if arguments.get("stride") is None:
            arguments.pop("stride")
        layer = cls(**arguments) if "Pool" in layer_type else cls(1, 1, **arguments)
        sizes = input_shape[-nd:] if len(input_shape) >= nd else input_shape * nd
        _write(layer_svg(layer, sizes), output)

    return Command(name, params=params, callback=run, help=f"Draw {layer_type} on an input size.")


def _padding_command() -> click.Command:
    @click.command("padding-modes", cls=Command)
    @click.option("--size", type=click.IntRange(2, 8), default=3, show_default=True)
    @click.option("--pad", type=click.IntRange(1, 7), default=2, show_default=True)
    @_output
    def command(size: int, pad: int, output: str | None) -> None:
        """What zeros, reflect, replicate and circular padding put in the border of a
        numbered grid."""
        from ..draw import padding_modes_svg

        _write(padding_modes_svg(size, pad), output)

    return command


def _net_command() -> click.Command:
    @click.command("net", cls=Command)
    @click.argument("spec", shell_complete=complete_spec)
    @click.option("-i", "--input", "input_shape", type=SHAPE, default=None)
    @click.option("--depth", type=click.IntRange(0, 100), default=1, show_default=True)
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["svg", "mermaid", "dot"]),
        default="svg",
        show_default=True,
    )
    @_output
    def command(
        spec: str, input_shape: tuple[int, ...] | None, depth: int, fmt: str, output: str | None
    ) -> None:
        """A network as boxes (layers, or blocks folded to --depth) with their output shapes
        and parameters, and its skip connections."""
        from ..draw import network_dot, network_mermaid, network_svg
        from ..spec import load_spec_file

        network = load_spec_file(spec)
        draw = {"svg": network_svg, "mermaid": network_mermaid, "dot": network_dot}[fmt]
        _write(draw(network, input_shape, depth), output)

    return command
