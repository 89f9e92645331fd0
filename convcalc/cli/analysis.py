"""Understanding commands: solve (a layer's unknown arguments) and the net options --explain,
--valid-inputs and --columns rf, which the net command hands to :func:`net_extras`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ._common import SHAPE, Command, ExitCode

if TYPE_CHECKING:
    from ..network import Network, Summary

_LAYERS = {
    **{f"conv{nd}d": f"Conv{nd}d" for nd in (1, 2, 3)},
    **{f"conv-transpose{nd}d": f"ConvTranspose{nd}d" for nd in (1, 2, 3)},
    **{f"maxpool{nd}d": f"MaxPool{nd}d" for nd in (1, 2, 3)},
    **{f"avgpool{nd}d": f"AvgPool{nd}d" for nd in (1, 2, 3)},
    "upsample": "Upsample",
}


class _Unknowns(click.ParamType):  # type: ignore[type-arg]
    """``3``, ``5x3``, ``?`` or ``?x3``: sizes where ``?`` marks what to solve for."""

    name = "N|NxM|?"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        parts = value.lower().replace(",", "x").split("x")
        out: list[Any] = []
        for part in parts:
            part = part.strip()
            if part == "?":
                out.append("?")
                continue
            if part in ("same", "valid") and len(parts) == 1:
                return part
            if part in ("true", "false") and len(parts) == 1:
                return part == "true"
            try:
                number = float(part) if "." in part else int(part)
            except ValueError:
                import os

                globbed = len(value) == 1 and os.path.exists(value)
                self.fail(
                    f"{value!r} is not a size like 3, 5x3, ? or ?x3"
                    + (
                        f" (the shell put the file name {value!r} for an unquoted ?: write '?')"
                        if globbed
                        else ""
                    ),
                    param,
                    ctx,
                )
            if number < 0:
                self.fail(f"{value!r} has a negative size", param, ctx)
            out.append(number)
        return out[0] if len(out) == 1 else tuple(out)


class _Range(click.ParamType):  # type: ignore[type-arg]
    """``padding=0..64``."""

    name = "NAME=LO..HI"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        name, _, bounds = str(value).partition("=")
        low, _, high = bounds.partition("..")
        try:
            return name.strip().replace("-", "_"), (int(low), int(high))
        except ValueError:
            self.fail(f"{value!r} is not a range like padding=0..64", param, ctx)


UNKNOWNS = _Unknowns()


def solve_command(name: str) -> click.Command:
    @click.command(
        cls=Command, name=name, short_help="Which padding, kernel, stride... reach a size."
    )
    @click.argument("layer", metavar="LAYER|SPEC")
    @click.option("-k", "--kernel-size", type=UNKNOWNS, default=None, help="3, 5x3 or ?.")
    @click.option("-s", "--stride", type=UNKNOWNS, default=None, help="Stride, or ?.")
    @click.option(
        "-p", "--padding", type=UNKNOWNS, default=None, help="Padding, ?, or same/valid (TF)."
    )
    @click.option("-d", "--dilation", type=UNKNOWNS, default=None, help="Dilation, or ?.")
    @click.option("--output-padding", type=UNKNOWNS, default=None, help="Transposed only.")
    @click.option("--ceil-mode", type=UNKNOWNS, default=None, help="true, false or ? (pooling).")
    @click.option("--scale-factor", type=UNKNOWNS, default=None, help="? (upsample).")
    @click.option("--in", "in_channels", type=int, default=None, hidden=True)
    @click.option("--out", "out_channels", type=int, default=None, hidden=True)
    @click.option(
        "-i", "--input", "input_shape", type=SHAPE, default=None, help="Input size: 64 or 64x64."
    )
    @click.option("--at", default=None, help="With a SPEC: the node to reach --target at.")
    @click.option("--target", type=SHAPE, default=None, help="Output size to reach: 32 or 32x32.")
    @click.option(
        "--range",
        "ranges",
        type=_Range(),
        multiple=True,
        help="Search range, e.g. padding=0..64 (default padding 0..32, kernel 1..32, ...).",
    )
    def command(layer: str, input_shape: tuple[int, ...] | None, target: tuple[int, ...] | None,
                ranges: tuple[tuple[str, tuple[int, int]], ...], in_channels: int | None,
                out_channels: int | None, at: str | None, **arguments: Any) -> None:  # fmt: skip
        """Every value of the arguments given as ? that takes the input to --target, ranked
        (smallest padding, then kernel, stride, dilation), each checked by the layer's own
        arithmetic; or why none does, and the nearest sizes. --padding same (or valid) gives
        TensorFlow's padding for any stride, and its PyTorch spelling.

        LAYER is a layer command (conv2d, conv-transpose2d, maxpool2d, avgpool2d, upsample,
        1-3d); or give a network SPEC (file or zoo name) with arguments written '?', and the
        values that make its output (or the node --at) reach --target are listed. Quote ?
        where the shell expands it (zsh, or a directory with a one-letter file): -p '?'.

        \b
        Example:
          convcalc solve conv2d -k 3 -s 2 -p ? -i 64x64 --target 32x32
          convcalc solve conv2d -k ? -s ? -i 224 --target 7
          convcalc solve conv-transpose2d -k 3 -s 2 -p ? --output-padding ? -i 16 --target 32
          convcalc solve conv2d -k 5 -s 2 -p same -i 5x5
          convcalc solve my_net.yaml --target 1x10
        """
        del in_channels, out_channels  # channels never change a spatial size
        if layer not in _LAYERS:
            lines, solved = _solve_spec(layer, input_shape, target, at, dict(ranges), arguments)
        elif input_shape is None:
            raise click.UsageError("give -i, the input size")
        else:
            lines, solved = solve_lines(
                _LAYERS[layer], input_shape, target, dict(ranges), arguments
            )
        for line in lines:
            click.echo(line)
        if not solved:
            click.get_current_context().exit(ExitCode.INVALID_INPUT)

    return command


def _solve_spec(
    spec: str,
    input_shape: tuple[int, ...] | None,
    target: tuple[int, ...] | None,
    at: str | None,
    ranges: dict[str, tuple[int, int]],
    arguments: dict[str, Any],
) -> tuple[list[str], bool]:
    from ..analysis import solve_network
    from ..spec import load_spec_file

    if any(v is not None for v in arguments.values()):
        raise click.UsageError("with a SPEC, write the unknown arguments as '?' in the spec")
    if target is None:
        raise click.UsageError("give --target, the shape to reach")
    result = solve_network(
        load_spec_file(spec), target, at=at, ranges=ranges, input_shape=input_shape
    )
    return result.lines(), bool(result.solutions)


def solve_lines(
    layer_type: str,
    input_shape: Sequence[int],
    target: Sequence[int] | None,
    ranges: dict[str, tuple[int, int]],
    arguments: dict[str, Any],
) -> tuple[list[str], bool]:
    """The solve command's output, and whether every axis has a solution."""
    from ..analysis import solve, tf_padding_layers
    from ..errors import ShapeError

    given = {k: v for k, v in arguments.items() if v is not None}
    if layer_type == "Upsample":  # N x C x spatial, or the spatial sizes alone
        sizes = tuple(input_shape[2:]) if len(input_shape) >= 3 else tuple(input_shape)
    else:
        nd = int(layer_type[-2])
        sizes = tuple(input_shape[-nd:]) if len(input_shape) >= nd else (input_shape[0],) * nd
    if given.get("padding") in ("same", "valid"):
        mode = given.pop("padding")
        if "?" in str(given):
            raise ShapeError("with --padding same or valid, give every other argument")
        pad, resolved, plan = tf_padding_layers(layer_type, sizes, mode=mode, **given)
        conv = f"{layer_type}(..., {', '.join(f'{k}={v}' for k, v in resolved.items())})"
        lines = plan.lines()[:-1]
        lines.append(f"PyTorch: {conv}" if pad is None else f"PyTorch: {pad!r}, then {conv}")
        return lines, True
    if target is None:
        raise ShapeError("give --target, the output size to reach (or --padding same)")
    result = solve(layer_type, sizes, tuple(target), ranges=ranges, **given)
    return result.lines(), result.solved


# --------------------------------------------------------------------------------------------
# net --explain, --valid-inputs, --columns rf


def net_extras(
    network: Network,
    summary: Summary,
    *,
    explain: bool = False,
    valid_inputs: bool = False,
) -> None:
    """Print what the net command's understanding options ask for, after its table."""
    shape = summary.input_shape
    lines: list[str] = []
    if explain:
        from ..analysis import explain_network

        lines += ["", *explain_network(network, shape, mode=summary.mode.value).lines()]
    if valid_inputs:
        from ..analysis import valid_inputs as find

        lines += ["", "Valid input sizes (each axis, the others as given):"]
        lines += find(network, shape).lines()
    for line in lines:
        click.echo(line)


def input_size_hint(network: Network, input_shape: Sequence[int] | None, error: Exception) -> str:
    """The net command's error, with the nearest input sizes that work when a size is at fault."""
    if input_shape is None:
        return str(error)
    declared = network.input_shape
    if declared is not None and len(declared) != len(input_shape):
        given, spec = "x".join(map(str, input_shape)), "x".join(map(str, declared))
        missing = " (is the batch dimension missing?)" if len(input_shape) < len(declared) else ""
        return (
            f"{error}; -i {given} has {len(input_shape)} dimensions where the spec's input "
            f"{spec} has {len(declared)}{missing}"
        )
    from ..analysis import input_size_error

    hint = input_size_error(network, input_shape)
    return f"{error}; {hint}" if hint else str(error)
