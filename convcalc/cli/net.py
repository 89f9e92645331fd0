"""The network summary command: net (alias summary)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ._common import Command, input_option


class _Columns(click.ParamType):  # type: ignore[type-arg]
    """``input_size,kernel_size,mult_adds`` (torchinfo's names, or input, kernel, macs...)."""

    name = "COLUMNS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        from ..render import COLUMN_ALIASES, COLUMNS, DEFAULT_COLUMNS

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


def net_command(name: str) -> click.Command:
    @click.command(
        cls=Command,
        name=name,
        short_help="Per-layer summary of a network spec (YAML/JSON file, -, or zoo name).",
    )
    @click.argument("spec", required=False)
    @input_option("Input shape, overriding the spec's input: (N)xCxHxW.")
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
        from .. import render
        from ..network import dtype_size, summarize
        from ..spec import load_spec_file

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
