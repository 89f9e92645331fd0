"""The network summary command: net (alias summary)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ._common import (
    INIT,
    Command,
    can_encode,
    complete_spec,
    input_option,
    mode_option,
    output_width,
    set_option,
)

if TYPE_CHECKING:
    from ..analysis import ReceptiveFields
    from ..network import Summary


class _Columns(click.ParamType):  # type: ignore[type-arg]
    """``input_size,output_size,num_params`` in the order given (torchinfo's names, or input,
    kernel, macs...); a leading ``+`` adds them after the default columns."""

    name = "COLUMNS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        from ..render.summary import COLUMN_ALIASES, COLUMNS, DEFAULT_COLUMNS, RF_COLUMNS

        text = str(value).strip()
        chosen = list(DEFAULT_COLUMNS) if text.startswith("+") else []
        for raw in text.lstrip("+").split(","):
            name = raw.strip().lower().replace("-", "_")
            name = COLUMN_ALIASES.get(name, name)
            names = RF_COLUMNS if name in ("rf", "receptive_fields") else (name,)
            for name in names:
                if name not in COLUMNS:
                    self.fail(
                        f"unknown column {raw.strip()!r}; choose from {', '.join(COLUMNS)} "
                        "(rf for the three receptive-field columns)",
                        param,
                        ctx,
                    )
                if name not in chosen:
                    chosen.append(name)
        if all(name in RF_COLUMNS for name in chosen):
            # --columns rf adds the receptive field to the usual columns.
            chosen[:0] = DEFAULT_COLUMNS
        return tuple(chosen)


class _RowSettings(click.ParamType):  # type: ignore[type-arg]
    """``depth,var_names,ascii_only``, as torchinfo's row_settings."""

    name = "SETTINGS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        from ..render.summary import ROW_SETTINGS

        chosen = []
        for raw in str(value).split(","):
            name = raw.strip().lower().replace("-", "_")
            if name not in ROW_SETTINGS:
                self.fail(
                    f"unknown row setting {raw.strip()!r}; choose from {', '.join(ROW_SETTINGS)}",
                    param,
                    ctx,
                )
            chosen.append(name)
        return tuple(chosen)


def net_command(name: str) -> click.Command:
    @click.command(
        cls=Command,
        name=name,
        short_help="Per-layer summary of a network spec or zoo entry (alias: summary).",
    )
    @click.argument("spec", required=False, shell_complete=complete_spec)
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
        help="Columns in this order: input_size, output_size, num_params, params_percent, "
        "kernel_size, groups, mult_adds, trainable (comma-separated; a leading + adds them "
        "to output_size,num_params); rf adds the receptive field's size, jump and start "
        "per axis (receptive_field, rf_jump, rf_start).",
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
    @click.option(
        "--macs",
        type=click.Choice(["torchvision", "torchinfo"]),
        default="torchvision",
        show_default=True,
        help="Whose mult-adds: torchvision's (conv and linear weights) or torchinfo's "
        "(bias and norms too).",
    )
    @click.option(
        "--row-settings",
        type=_RowSettings(),
        default="depth",
        show_default=True,
        help="What the first column shows: depth (the depth-idx), var_names (entry names), "
        "ascii_only.",
    )
    @click.option("--ascii", "ascii_only", is_flag=True, help="Plain ASCII tree and borders.")
    @click.option("--explain", is_flag=True, help="Each layer's formula and every flatten size.")
    @click.option(
        "--valid-inputs", is_flag=True, help="Every input size each axis accepts, and why."
    )
    @mode_option
    @set_option
    @click.option(
        "--class",
        "cls",
        metavar="NAME",
        help="For a .py model file: the nn.Module class, or a function returning one (as "
        "`convcalc trace --class`).",
    )
    @click.option(
        "--init",
        type=INIT,
        default=None,
        help="For a .py model file: constructor keyword arguments, e.g. 'num_classes=10'.",
    )
    def command(
        spec: str | None,
        input_shape: tuple[int, ...] | None,
        depth: int,
        columns: tuple[str, ...] | None,
        fmt: str,
        dtype: str,
        macs: str,
        row_settings: tuple[str, ...],
        ascii_only: bool,
        explain: bool,
        valid_inputs: bool,
        mode: str,
        overrides: tuple[tuple[str, Any], ...],
        cls: str | None,
        init: dict[str, Any] | None,
    ) -> None:
        """Per-layer output shapes, parameters and MACs of a network spec, and its totals.

        SPEC is a YAML or JSON file, - for standard input (or pipe it in), the name of a
        built-in network (see `convcalc zoo`), or a PyTorch model file (.py, with -i; see
        `convcalc trace`). The first size argument of each layer
        (in_channels, in_features, num_features) is inferred from the incoming tensor.

        The table fits the terminal (COLUMNS, else 80 columns when not a terminal): long
        layer texts are abbreviated and shapes wrap; numbers are never cut.

        \b
        Example:
          convcalc net lenet
          convcalc net resnet50 --depth 1 --columns input_size,output_size,mult_adds
          cat my_net.yaml | convcalc net --format json
        """
        from ..network import summarize
        from ..spec import load_spec_file

        if spec is None:
            if sys.stdin.isatty():
                raise click.UsageError(
                    "give a spec file, - for standard input, or a zoo "
                    "name (convcalc zoo lists them)"
                )
            spec = "-"
        from ..render.summary import RF_COLUMNS

        receptive = any(c in RF_COLUMNS for c in columns or ())
        network = None
        if not spec.endswith(".py") and (cls is not None or init is not None):
            option = "--class" if cls is not None else "--init"
            raise click.UsageError(f"{option} is for a PyTorch model file (.py), not a spec")
        if spec.endswith(".py"):
            # A PyTorch model file: traced as `convcalc trace` does, its table printed.
            from ..trace import trace

            if input_shape is None:
                raise click.UsageError(
                    "a .py model needs its input shape, for example -i 1x3x224x224"
                )
            traced = trace(spec, cls=cls, inputs=[input_shape], init=init, mode=mode)
            summary: Summary = traced
            if explain or valid_inputs or receptive:
                network = traced.network  # what convcalc trace --explain ... asks about
                if receptive:  # the network's own rows, so that fields and rows line up
                    summary = summarize(network, input_shape, mode=mode)
        else:
            from ..errors import ShapeError
            from .analysis import input_size_hint

            network = load_spec_file(spec, params=dict(overrides))
            try:
                summary = summarize(network, input_shape, mode=mode)
            except ShapeError as exc:
                raise ShapeError(input_size_hint(network, input_shape, exc)) from None
            for warning in summary.warnings:
                click.echo(f"Warning: {warning}", err=True)
        fields = None
        if receptive and network is not None:
            from ..analysis import receptive_field

            fields = receptive_field(network, summary.input_shape, mode=mode)
            for message in fields.warnings:
                click.echo(f"Warning: {message}", err=True)
        print_summary(
            summary,
            fmt=fmt,
            columns=columns,
            depth=depth,
            dtype=dtype,
            macs=macs,
            row_settings=row_settings,
            ascii_only=ascii_only,
            fields=fields,
        )
        if network is not None:
            from .analysis import net_extras

            net_extras(network, summary, explain=explain, valid_inputs=valid_inputs)

    return command


def print_summary(
    summary: Summary,
    *,
    fmt: str = "table",
    columns: tuple[str, ...] | None = None,
    depth: int = 3,
    dtype: str = "float32",
    macs: str = "torchvision",
    row_settings: tuple[str, ...] = ("depth",),
    ascii_only: bool = False,
    fields: ReceptiveFields | None = None,
) -> None:
    """Print a summary in ``fmt``, as every command that summarises a network does."""
    from ..network import dtype_size

    bytes_per = dtype_size(dtype)
    if fmt == "json":
        from ..render._json import render_json
        from ..render.data import summary_dict

        data = summary_dict(summary, dtype=dtype, dtype_bytes=bytes_per, macs=macs, fields=fields)
        click.echo(render_json(data))
        return
    if fmt == "csv":
        from ..render.data import render_csv

        click.echo(render_csv(summary, columns=columns, macs=macs, fields=fields), nl=False)
        return
    from ..render.summary import DEFAULT_COLUMNS

    chosen = columns or DEFAULT_COLUMNS
    if fmt == "markdown":
        from ..render.data import render_markdown

        text = render_markdown(
            summary,
            columns=chosen,
            depth=depth,
            dtype=dtype,
            dtype_bytes=bytes_per,
            macs=macs,
            row_settings=row_settings,
            fields=fields,
        )
        click.echo(text, nl=False)
        return
    from ..render.summary import summary_lines

    lines = summary_lines(
        summary,
        columns=chosen,
        depth=depth,
        dtype=dtype,
        dtype_bytes=bytes_per,
        width=output_width(),
        ascii_only=ascii_only or not can_encode("│├└─═×…"),
        macs=macs,
        row_settings=row_settings,
        fields=fields,
    )
    # Aligned text with bold headings: click drops the styling when stdout is not a
    # terminal, and hundreds of rows print without rich's layout cost.
    click.echo(
        "\n".join(click.style(line, bold=True) if heading else line for line, heading in lines)
    )
