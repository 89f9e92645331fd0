"""What every command module shares: parameter types that parse at the edge (a bad value is
click's usage error, exit 2), the command class, the shared options, and the one function that
prints a layer report."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from ..layers import Layer

__all__ = [
    "PADDING",
    "SCALES",
    "SHAPE",
    "SIZES",
    "Command",
    "ExitCode",
    "bias_option",
    "can_encode",
    "channels_from",
    "complete_spec",
    "complete_zoo",
    "console",
    "dilation_option",
    "in_option",
    "input_option",
    "json_option",
    "kernel_option",
    "out_option",
    "output_width",
    "padding_option",
    "shape_from",
    "show",
    "spatial",
    "stride_option",
]


class ExitCode(IntEnum):
    """Process exit codes: 0 success, 1 bad input (a clear message on stderr), 2 bad usage
    (click's own code for unknown flags and malformed values), 3 a model file convcalc cannot
    trace (``convcalc trace``)."""

    OK = 0
    INVALID_INPUT = 1
    USAGE = 2
    CANNOT_TRACE = 3


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
    """A tensor shape written ``128``, ``3x224x224``, ``1,3,224,224``, ``[1, 3, 224, 224]`` or
    ``(1, 3, 224, 224)``."""

    name = "SHAPE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        from .._shape_text import parse_shape

        try:
            return parse_shape(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


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


class _Init(click.ParamType):  # type: ignore[type-arg]
    """``'num_classes=10, widths=(16, 32)'``: constructor keywords as Python literals."""

    name = "K=V,..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dict):
            return value
        import ast  # only a command given --init pays for it

        try:
            call = ast.parse(f"f({value})", mode="eval").body
        except SyntaxError:
            self.fail(
                f"{value!r} is not a list of keyword arguments like 'k=1, name=\"a\"'", param, ctx
            )
        assert isinstance(call, ast.Call)  # noqa: S101  (what f(...) parses to)
        if call.args:
            self.fail(f"{value!r}: give every argument as name=value", param, ctx)
        result = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                self.fail(f"{value!r}: ** is not allowed; give name=value pairs", param, ctx)
            try:
                result[keyword.arg] = ast.literal_eval(keyword.value)
            except (ValueError, SyntaxError):
                text = ast.unparse(keyword.value)
                self.fail(
                    f"{keyword.arg}={text} is not a Python literal (a number, string, "
                    "tuple, list, dict, True, False or None)",
                    param,
                    ctx,
                )
        return result


SIZES = _Sizes()
PADDING = _Padding()
SHAPE = _Shape()
SCALES = _Scales()
INIT = _Init()


# --------------------------------------------------------------------------------------------
# the command class


class Command(click.Command):
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


def show(
    layer: Layer,
    shape: Sequence[int] | None,
    as_json: bool,
    *,
    output_size: Sequence[int] | None = None,
) -> None:
    """Work the layer out and print the report as a table or as JSON."""
    from .. import render
    from ..explain import explain

    report = explain(layer, shape, output_size=output_size)

    if as_json:
        click.echo(render.render_json(render.layer_report_dict(report)))
    else:
        console().print(render.render_layer_table(report))


def shape_from(
    values: tuple[int, ...] | None, nd: int, in_channels: int | None
) -> tuple[int, ...] | None:
    """``-i`` as the layer sees it (see :func:`convcalc.explain.input_shape_from`)."""
    if values is None:
        return None
    from ..explain import input_shape_from

    return input_shape_from(values, nd, in_channels)


def complete_spec(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion for a SPEC argument: zoo names, then files."""
    from click.shell_completion import CompletionItem

    from ..spec import zoo_names

    names = [CompletionItem(n) for n in zoo_names() if n.startswith(incomplete)]
    return [*names, CompletionItem(incomplete, type="file")]


def complete_zoo(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion for a zoo name."""
    from click.shell_completion import CompletionItem

    from ..spec import zoo_names

    return [CompletionItem(n) for n in zoo_names() if n.startswith(incomplete)]


def write_output(output: str, data: str | bytes) -> None:
    """Write ``data`` to the file ``output``; a path that cannot be written is one sentence
    (exit code 1), not a traceback."""
    try:
        if isinstance(data, bytes):
            with open(output, "wb") as binary:
                binary.write(data)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(data)
    except OSError as exc:
        raise click.FileError(output, hint=exc.strerror or str(exc)) from None


def output_width() -> int:
    """The width a table must fit: ``COLUMNS`` when set, else the terminal's, else 80."""
    import os

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        import shutil

        return shutil.get_terminal_size((80, 24)).columns
    return 80


def can_encode(text: str) -> bool:
    """Whether standard output can show ``text`` (box characters need a Unicode encoding)."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def console() -> Any:
    from rich.console import Console

    return Console()


# --------------------------------------------------------------------------------------------
# shared options


def input_option(help_text: str) -> Callable[[Any], Any]:
    return click.option("-i", "--input", "input_shape", type=SHAPE, default=None, help=help_text)


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object instead of a table."
)
in_option = click.option(
    "--in",
    "in_channels",
    type=int,
    default=None,
    help="in_channels (taken from -i when omitted).",
)
out_option = click.option("--out", "out_channels", type=int, required=True, help="out_channels.")
stride_option = click.option("-s", "--stride", type=SIZES, default=1, show_default=True)
dilation_option = click.option("-d", "--dilation", type=SIZES, default=1, show_default=True)
padding_option = click.option("-p", "--padding", type=SIZES, default=0, show_default=True)
bias_option = click.option("--bias/--no-bias", default=True, show_default=True)
kernel_option = click.option(
    "-k", "--kernel-size", type=SIZES, required=True, help="Kernel size: 3, or 5x3 per axis."
)


def channels_from(in_channels: int | None, input_shape: tuple[int, ...] | None, nd: int) -> int:
    if in_channels is not None:
        return in_channels
    if input_shape is not None and len(input_shape) in (nd + 1, nd + 2):
        return input_shape[-nd - 1]
    raise click.UsageError(
        "give --in, or an -i shape that includes the channels "
        f"({'CxHxW' if nd == 2 else 'C x spatial'})"
    )


def spatial(nd: int) -> str:
    return {1: "L", 2: "HxW", 3: "DxHxW"}[nd]


mode_option = click.option(
    "--mode",
    type=click.Choice(["eval", "train"]),
    default="eval",
    show_default=True,
    help="The forward pass counted: eval (published counts) or train (training-only entries "
    "such as auxiliary heads run; BatchNorm needs more than one value per channel).",
)


class _Assignment(click.ParamType):  # type: ignore[type-arg]
    """``NAME=VALUE``: a spec parameter, its value read as in YAML (``depth=101``)."""

    name = "NAME=VALUE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        from ..errors import SpecError
        from ..spec import parse_assignment

        try:
            return parse_assignment(str(value))
        except SpecError as exc:
            self.fail(str(exc), param, ctx)


set_option = click.option(
    "--set",
    "overrides",
    type=_Assignment(),
    multiple=True,
    help="Set a parameter of the spec's params: (repeatable), e.g. --set depth=101.",
)
