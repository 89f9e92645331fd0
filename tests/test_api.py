"""The public surface and the import layering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import convcalc
import convcalc.layers


def test_all_matches_the_public_names() -> None:
    """``__all__`` lists exactly the public names, sorted, so the surface changes only on
    purpose."""
    public = {
        name
        for name in dir(convcalc)
        if not name.startswith("_") and not isinstance(getattr(convcalc, name), ModuleType)
    }
    assert set(convcalc.__all__) == public | {"__version__"}
    assert list(convcalc.__all__) == sorted(convcalc.__all__)
    for name in convcalc.__all__:
        assert getattr(convcalc, name) is not None


def test_every_layer_is_reachable_from_the_top() -> None:
    for name, cls in convcalc.layers.layer_types().items():
        assert getattr(convcalc, name) is cls


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Conv4d"):
        _ = convcalc.Conv4d


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


@pytest.mark.parametrize(
    "module",
    [
        "convcalc",
        "convcalc.arithmetic",
        "convcalc.layers",
        "convcalc.explain",
        "convcalc.render",
        "convcalc.network",
        "convcalc.export",
        "convcalc.schema",
        "convcalc.analysis",
        "convcalc.draw",
    ],
)
def test_core_modules_import_only_the_standard_library(module: str) -> None:
    loaded = _modules_after(f"import {module}; import convcalc; convcalc.layers.layer_types()")
    assert not loaded & {"click", "rich", "yaml"}


def test_json_path_never_imports_rich() -> None:
    loaded = _modules_after(
        "from click.testing import CliRunner\n"
        "from convcalc.cli import cli\n"
        "CliRunner().invoke(cli, ['conv2d', '--in', '64', '--out', '32', '-k', '3', "
        "'-i', '8x64x128x128', '--json'])"
    )
    assert "convcalc.render" in loaded
    assert not any(name == "rich" or name.startswith("rich.") for name in loaded)


def test_a_conv_command_loads_only_the_convolution_family() -> None:
    loaded = _modules_after(
        "from click.testing import CliRunner\n"
        "from convcalc.cli import cli\n"
        "CliRunner().invoke(cli, ['conv2d', '--in', '64', '--out', '32', '-k', '3', '--json'])"
    )
    assert "convcalc.layers.conv" in loaded
    assert "convcalc.layers.normalization" not in loaded


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "convcalc",
            "conv2d",
            "--in",
            "64",
            "--out",
            "32",
            "-k",
            "3",
            "-i",
            "8x64x128x128",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"output_shape": [8, 32, 126, 126]' in result.stdout


def test_errors_are_value_errors() -> None:
    assert issubclass(convcalc.ShapeError, convcalc.ConvCalcError)
    assert issubclass(convcalc.ShapeError, ValueError)
    assert issubclass(convcalc.SpecError, ValueError)
    error = convcalc.SpecError(
        "unknown layer type 'conv2d'", path="layers[2]", line=7, column=5, source="net.yaml"
    )
    assert str(error) == "net.yaml:7:5: layers[2]: unknown layer type 'conv2d'"


def test_only_the_spec_loader_imports_yaml() -> None:
    loaded = _modules_after("import convcalc.spec")
    assert "yaml" in loaded
    assert not loaded & {"click", "rich"}


def test_net_summary_off_a_terminal_never_imports_rich() -> None:
    loaded = _modules_after(
        "from click.testing import CliRunner\n"
        "from convcalc.cli import cli\n"
        "CliRunner().invoke(cli, ['net', 'resnet18'])"
    )
    assert "yaml" in loaded
    assert not any(name == "rich" or name.startswith("rich.") for name in loaded)


def test_the_suite_collects_without_torch() -> None:
    """pytest's doctest collection imports every module under tests/: one that imports torch
    at its top must be left out in conftest.py (collect_ignore), or the README's test command
    fails on a machine without PyTorch."""
    import ast

    import conftest

    tests = Path(__file__).parent
    ignored = set(conftest.collect_ignore)
    offenders = []
    for path in sorted(tests.glob("*.py")):
        if path.name in ignored:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name == "torch" or name.startswith("torch.") for name in names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_no_module_of_the_package_is_over_600_lines() -> None:
    # The layout the package keeps: a module that grows past this is split by what it does.
    package = Path(convcalc.__file__).parent
    long = {
        str(path.relative_to(package)): count
        for path in sorted(package.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}
