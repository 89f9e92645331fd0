"""The check command: network specs checked as a linter checks code, for editors and CI."""

from __future__ import annotations

import click

from ._common import Command, ExitCode


def check_command(name: str) -> click.Command:
    @click.command(
        cls=Command, name=name, short_help="Check specs; report FILE:LINE:COL: message lines."
    )
    @click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
    @click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary line.")
    def command(files: tuple[str, ...], quiet: bool) -> None:
        """Check network specs and PyTorch model files as a linter does: load each, propagate
        its input through every layer, and print each problem as FILE:LINE:COL: message (the
        form editors and CI annotate). Exit 1 if any file has a problem.

        YAML and JSON files that are not specs (none of name, input, layers, blocks at the
        top level) are skipped, so a pre-commit hook can be given every YAML file. A .py file
        is traced when it has a line '# convcalc: -i SHAPE [--class NAME]'; others are
        skipped.

        \b
        Example:
          convcalc check specs/*.yaml models/*.py
        """
        from ..check import check_file

        problems, checked = 0, 0
        for path in files:
            found = check_file(path)
            if found is None:
                continue
            checked += 1
            for problem in found:
                click.echo(str(problem))
            problems += len(found)
        if not quiet:
            files_text = f"{checked} file{'s' if checked != 1 else ''}"
            found_text = f"{problems} problem{'s' if problems != 1 else ''}"
            click.echo(f"{files_text} checked, {found_text}", err=True)
        if problems:
            raise click.exceptions.Exit(ExitCode.INVALID_INPUT)

    return command
