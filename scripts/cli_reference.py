"""Write docs/cli.md from the commands' own --help text.

python scripts/cli_reference.py          # rewrite docs/cli.md
python scripts/cli_reference.py --check  # exit 1 if docs/cli.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from convcalc.cli import cli

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

INTRO = """\
# Command-line reference

Generated from the commands' own `--help` by `scripts/cli_reference.py`; a test keeps it in
step with the code.

Conventions shared by every command:

- Sizes are written `3` (every axis) or `5x3` (one per axis); shapes `128`, `128x128`,
  `CxHxW` or `NxCxHxW`. Spatial sizes alone take the channel count from `--in` (or 1).
- Without `-i` a command still prints the weight shape, the parameter count and the formula
  in symbols; MACs need the input.
- `--json` prints one JSON object: `input_shape`, `output_shape`, `weight_shape`,
  `bias_shape` (lists, `null` where absent), `params`, `macs`, `flops`, `arguments`,
  `formulas`, and `output_padding` for a transposed convolution with `--target`.
- Exit codes: 0 success; 1 a configuration PyTorch would reject (one line on stderr);
  2 a malformed command line (one line on stderr); 3 a model file `convcalc trace` cannot
  follow. `convcalc --traceback COMMAND ...` shows the Python traceback instead.
- Shell completion of commands, options, zoo names and files: add
  `eval "$(convcalc completion bash)"` to `~/.bashrc` (or `zsh` to `~/.zshrc`), or run
  `convcalc completion fish > ~/.config/fish/completions/convcalc.fish`.
- Tables are laid out for the terminal's width (`COLUMNS`, else 80 columns when the output is
  not a terminal); this page is generated at 80 columns.
"""


def render() -> str:
    runner = CliRunner()
    parts = [INTRO]
    ctx = click.Context(cli, info_name="convcalc")
    names = ["", *cli.list_commands(ctx)]
    for name in names:
        args = [name, "--help"] if name else ["--help"]
        result = runner.invoke(cli, args, prog_name="convcalc", env={"COLUMNS": "80"})
        title = f"convcalc {name}".strip()
        parts.append(f"## `{title}`\n\n```text\n{result.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run python scripts/cli_reference.py", file=sys.stderr)
            sys.exit(1)
        return
    OUTPUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
