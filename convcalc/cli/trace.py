"""The trace command: a PyTorch model's .py file, traced without PyTorch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ._common import INIT, SHAPE, Command, write_output
from .net import _Columns

if TYPE_CHECKING:
    from ..network import Summary


def trace_command(name: str) -> click.Command:
    @click.command(
        cls=Command,
        name=name,
        short_help="Shapes for every line of a PyTorch model's forward, without PyTorch.",
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option(
        "--class",
        "cls",
        metavar="NAME",
        help="The nn.Module class, or a function returning one, to trace (default: the "
        "file's one model class that no other class uses).",
    )
    @click.option(
        "-i",
        "--input",
        "inputs",
        type=SHAPE,
        multiple=True,
        required=True,
        help="Shape of each forward() argument, batch included: 1x3x32x32, 1,3,32,32 or "
        "[1, 3, 32, 32]. Repeat for several arguments.",
    )
    @click.option("--init", type=INIT, default=None, help="Constructor keyword arguments.")
    @click.option("--mode", type=click.Choice(["eval", "train"]), default="eval", show_default=True)
    @click.option(
        "--depth",
        type=click.IntRange(0, 100),
        default=3,
        show_default=True,
        help="Show lines and rows of modules nested this deep.",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "markdown"]),
        default="text",
        show_default=True,
    )
    @click.option(
        "--columns",
        type=_Columns(),
        default=None,
        help="Table columns, as for `convcalc net` (rf adds receptive fields below it).",
    )
    @click.option("--explain", is_flag=True, help="Each layer's formula and every flatten size.")
    @click.option(
        "--valid-inputs", is_flag=True, help="Every input size each axis accepts, and why."
    )
    @click.option(
        "--export",
        type=click.Choice(["spec"]),
        default=None,
        help="Write the model as a YAML spec that `convcalc net` summarises to the same table.",
    )
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="With --export: the file to write (default: standard output).",
    )
    def command(
        file: str,
        cls: str | None,
        inputs: tuple[tuple[int, ...], ...],
        init: dict[str, Any] | None,
        mode: str,
        depth: int,
        fmt: str,
        columns: tuple[str, ...] | None,
        explain: bool,
        valid_inputs: bool,
        export: str | None,
        output: str | None,
    ) -> None:
        """Trace FILE's model: each executed line of forward() with the shapes it makes,
        then the layer table and totals of `convcalc net`.

        Only the file's imports, functions, classes and constant assignments run (as
        importing it would, with torch replaced by convcalc's shape-only stand-in); its
        other top-level statements never run. A line that would fail in PyTorch is an
        error with PyTorch's message and the fix (exit code 1); what convcalc cannot follow
        without real tensors stops with exit code 3.

        --export spec writes the model as a YAML spec (the operations of forward at this
        input size), and --explain, --valid-inputs and --columns rf ask the same questions
        as `convcalc net` does of a spec; an operation a spec cannot express stops them with
        exit code 3, naming its line.

        \b
        Example:
          convcalc trace model.py -i 64x1x28x28
          convcalc trace resnet.py --class resnet18 -i 1x3x224x224 --depth 1
          convcalc trace net.py -i 1x3x32x32 --init 'num_classes=100' --format json
          convcalc trace model.py -i 64x1x28x28 --export spec -o model.yaml
          convcalc trace model.py -i 64x1x28x28 --explain
        """
        from ..errors import TraceError
        from ..trace import trace

        try:
            summary = trace(file, cls=cls, inputs=list(inputs), init=init, mode=mode)
        except TraceError as exc:
            if fmt == "text" and exc.partial is not None:
                from ..render.trace import trace_lines

                # The lines that ran, up to the one that fails; the error follows on stderr.
                click.echo("\n".join(trace_lines(exc.partial, depth=depth)))
            raise
        if output is not None and export is None:
            raise click.UsageError("-o/--output goes with --export spec")
        if export == "spec":
            from ..trace import spec_text

            shapes = " ".join(f"-i {'x'.join(map(str, s))}" for s in inputs)
            chosen = f" --class {cls}" if cls else ""
            text = spec_text(summary, command=f"convcalc trace {file}{chosen} {shapes}")
            if output is None:
                click.echo(text, nl=False)
            else:
                write_output(output, text)
            return
        from ..render.summary import RF_COLUMNS

        receptive = any(c in RF_COLUMNS for c in columns or ())
        # The network first: an operation it cannot hold stops before anything is printed.
        network = summary.network if (explain or valid_inputs or receptive) else None
        table: Summary = summary
        fields = None
        if receptive and network is not None:
            from ..analysis import receptive_field
            from ..network import summarize

            # The network's own rows (the same table, checked when it is built), so that
            # each row finds its field.
            table = summarize(network, summary.input_shape, mode=mode)
            fields = receptive_field(network, summary.input_shape, mode=mode)
            for message in fields.warnings:
                click.echo(f"Warning: {message}", err=True)
        if fmt == "json":
            from ..render._json import render_json
            from ..render.data import summary_dict
            from ..render.trace import trace_dict

            click.echo(render_json(trace_dict(summary, summary_dict(summary))))
            return
        from ..render.trace import trace_lines
        from .net import print_summary

        lines = "\n".join(trace_lines(summary, depth=depth))
        if fmt == "markdown":
            click.echo(f"```text\n{lines}\n```\n")
            print_summary(table, fmt="markdown", depth=depth, columns=columns, fields=fields)
        else:
            click.echo(lines)
            click.echo()
            print_summary(table, depth=depth, columns=columns, fields=fields)
        if network is not None:
            from .analysis import net_extras

            net_extras(network, summary, explain=explain, valid_inputs=valid_inputs)
            if valid_inputs:
                from ..trace._check import sized_operations

                sized = sized_operations(network)
                if sized:
                    click.echo(
                        f"Note: these rules are for the operations as traced at "
                        f"{'x'.join(map(str, summary.input_shape))}; forward gives sizes to "
                        f"{', '.join(sized)}, which may change with the input size (trace at "
                        "that size to see)."
                    )

    return command
