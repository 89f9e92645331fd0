"""The ``convcalc`` command line: the group, and the table of commands.

Each command family lives in its own module (``conv``, ``pooling``, ``resampling``,
``linear``, ``net``, ``zoo``, ``export``, ``check``, ``completion``), imported only when one
of its commands runs, so a call pays for the command it runs; rich is imported only when a
table is printed.
"""

from __future__ import annotations

import gc
import sys
from importlib import import_module
from typing import Any, NoReturn

import click

from ..errors import ConvCalcError
from ._common import ExitCode

__all__ = ["ExitCode", "cli", "main"]

# command name -> (module, factory); the factory builds the command for its name.
_COMMANDS: dict[str, tuple[str, str]] = {
    **{f"conv{nd}d": ("conv", "conv_command") for nd in (1, 2, 3)},
    **{f"conv-transpose{nd}d": ("conv", "conv_transpose_command") for nd in (1, 2, 3)},
    **{f"maxpool{nd}d": ("pooling", "pool_command") for nd in (1, 2, 3)},
    **{f"avgpool{nd}d": ("pooling", "pool_command") for nd in (1, 2, 3)},
    **{
        f"adaptive-{kind}pool{nd}d": ("pooling", "adaptive_command")
        for kind in ("avg", "max")
        for nd in (1, 2, 3)
    },
    "upsample": ("resampling", "upsample_command"),
    "unfold": ("resampling", "unfold_command"),
    "fold": ("resampling", "fold_command"),
    "pixel-shuffle": ("resampling", "pixel_command"),
    "pixel-unshuffle": ("resampling", "pixel_command"),
    "linear": ("linear", "linear_command"),
    "separable": ("conv", "separable_command"),
    "net": ("net", "net_command"),
    "zoo": ("zoo", "zoo_command"),
    "export": ("export", "export_command"),
    "schema": ("export", "schema_command"),
    "check": ("check", "check_command"),
    "completion": ("completion", "completion_command"),
    "solve": ("analysis", "solve_command"),
    "draw": ("draw", "draw_command"),
    "trace": ("trace", "trace_command"),
}


# Other names for a command; --help lists each command once, with its aliases.
ALIASES = {"summary": "net"}


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = _COMMANDS.get(ALIASES.get(cmd_name, cmd_name))
        if entry is None:
            return None
        module, factory = entry
        built: click.Command = getattr(import_module(f"{__name__}.{module}"), factory)(cmd_name)
        return built

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConvCalcError as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(getattr(exc, "exit_code", ExitCode.INVALID_INPUT))

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
    """Exact PyTorch shapes, parameter counts and MACs for CNNs, without PyTorch.

    The layer commands (conv2d, maxpool2d, linear, ...) work out one layer: its output
    shape, weight and bias shapes, parameter count, multiply-accumulates (MACs, with
    FLOPs = 2 x MACs) and, per spatial axis, the formula with your numbers in it; --json
    prints the same as one JSON object. `net` summarises a whole network, written as a
    YAML spec or taken from the zoo, as torchinfo does.

    \b
    Example:
      convcalc conv2d --in 64 --out 32 -k 3 -i 8x64x128x128
      convcalc conv-transpose2d --in 2 --out 1 -k 3 -s 2 -p 1 -i 3x3 --target 5x5
      convcalc net resnet50 --depth 1
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
