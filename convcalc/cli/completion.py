"""The completion command: the shell script that completes commands, options, zoo names and
files."""

from __future__ import annotations

import click

from ._common import Command


def completion_command(name: str) -> click.Command:
    @click.command(cls=Command, name=name, short_help="Print the shell completion script.")
    @click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
    def command(shell: str) -> None:
        """Print the script that completes convcalc's commands, options, zoo names and files
        in SHELL. Load it from your shell's start-up file.

        \b
        Example:
          eval "$(convcalc completion bash)"        # in ~/.bashrc
          eval "$(convcalc completion zsh)"         # in ~/.zshrc
          convcalc completion fish > ~/.config/fish/completions/convcalc.fish
        """
        from click.shell_completion import get_completion_class

        from . import cli

        completion = get_completion_class(shell)
        if completion is None:  # pragma: no cover - the choice admits only known shells
            raise click.UsageError(f"no completion for {shell}")
        script = completion(cli, {}, "convcalc", "_CONVCALC_COMPLETE").source()
        click.echo(script)

    return command
