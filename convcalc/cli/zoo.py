"""The zoo command: list the built-in networks, or show one's YAML."""

from __future__ import annotations

import click

from ._common import Command, complete_zoo


def zoo_command(name: str) -> click.Command:
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
            from ..spec import zoo_names, zoo_text

            for entry in zoo_names():
                first = zoo_text(entry).splitlines()[0].lstrip("# ").strip()
                click.echo(f"{entry:14} {first}")

    @zoo.command(name="show", cls=Command)
    @click.argument("name", shell_complete=complete_zoo)
    def show(name: str) -> None:
        """Print the YAML of a built-in network.

        \b
        Example:
          convcalc zoo show lenet > my_lenet.yaml
        """
        from ..spec import zoo_text

        click.echo(zoo_text(name), nl=False)

    return zoo
