"""Commands that write a spec in another form: export (PyTorch) and schema (JSON Schema)."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    Command,
    complete_spec,
    input_option,
    mode_option,
    set_option,
    write_output,
)


def export_command(name: str) -> click.Command:
    @click.command(
        cls=Command,
        name=name,
        short_help="Write a spec as a PyTorch module, every inferred number filled in.",
    )
    @click.argument("spec", shell_complete=complete_spec)
    @click.option(
        "--to",
        "target",
        type=click.Choice(["pytorch"]),
        default="pytorch",
        show_default=True,
        help="What to write.",
    )
    @input_option("Input shape, overriding the spec's input.")
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="Write to this file instead of standard output.",
    )
    @mode_option
    @set_option
    def command(
        spec: str,
        target: str,
        input_shape: tuple[int, ...] | None,
        output: str | None,
        mode: str,
        overrides: tuple[tuple[str, Any], ...],
    ) -> None:
        """Write SPEC (a file, - or a zoo name) as a self-contained PyTorch nn.Module.

        Every layer gets its full constructor, inferred sizes included, and forward follows
        the graph. `python model.py` builds it and prints its output shape and parameter
        count.

        \b
        Example:
          convcalc export resnet18 --to pytorch -o resnet18.py
        """
        from ..export import to_pytorch
        from ..spec import load_spec_file

        network = load_spec_file(spec, params=dict(overrides))
        source = to_pytorch(network, input_shape, mode=mode)
        if output is None:
            click.echo(source, nl=False)
        else:
            write_output(output, source)

    return command


def schema_command(name: str) -> click.Command:
    @click.command(
        cls=Command, name=name, short_help="Print a JSON Schema of the spec format (for editors)."
    )
    def command() -> None:
        """Print a JSON Schema of the network spec format.

        Point an editor's YAML support at it to validate and complete specs.

        \b
        Example:
          convcalc schema > convcalc-spec.schema.json
        """
        from .. import render
        from ..schema import spec_schema

        click.echo(render.render_json(spec_schema()))

    return command
