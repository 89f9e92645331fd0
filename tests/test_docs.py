"""The examples in the README and the formulas reference run as written."""

from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["README.md", "docs/formulas.md"])
def test_documented_examples(path: str) -> None:
    result = doctest.testfile(
        str(ROOT / path),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_cli_reference_is_up_to_date() -> None:
    """docs/cli.md is generated from --help; regenerate it with scripts/cli_reference.py."""
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts" / "cli_reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == module.render()


def _yaml_blocks(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]


def test_spec_format_examples_load_and_summarise() -> None:
    from convcalc.network import summarize
    from convcalc.spec import load_spec

    blocks = _yaml_blocks(ROOT / "docs" / "spec-format.md")
    assert len(blocks) >= 3
    for block in blocks:
        assert summarize(load_spec(block)).totals.params > 0


def test_spec_format_python_examples() -> None:
    result = doctest.testfile(
        str(ROOT / "docs" / "spec-format.md"),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("path", "command"),
    [
        ("README.md", "convcalc net lenet"),
        ("README.md", "convcalc conv2d --in 3 --out 8 -k 3 -s 2 -i 1x3x6x7"),
        ("docs/analysis.md", "convcalc net lenet --columns output,rf"),
    ],
)
def test_console_examples_match_the_program(path: str, command: str) -> None:
    from click.testing import CliRunner

    from convcalc.cli import cli

    text = (ROOT / path).read_text(encoding="utf-8")
    shown = text.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(
        cli, command.split()[1:], env={"COLUMNS": "80"}, prog_name="convcalc"
    )
    assert result.exit_code == 0
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        line.rstrip() for line in shown.splitlines()
    ]


def test_spec_format_states_the_real_limits() -> None:
    from convcalc.spec import LIMITS

    text = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
    for value in LIMITS.values():
        assert (
            f"| {value:,} " in text
            or f"| {value:,} bytes" in text
            or (f"| {value} levels" in text)
            or f"| {value} characters" in text
        ), value
