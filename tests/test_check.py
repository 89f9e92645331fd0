"""convcalc check: specs checked as a linter checks code, and its pre-commit hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from convcalc.check import Problem, check_file
from convcalc.cli import cli

ROOT = Path(__file__).resolve().parent.parent

GOOD = "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: [20, 5]\n  - Flatten\n  - Linear: 10\n"
WRONG_FEATURES = (
    "input: [1, 1, 28, 28]\n"
    "layers:\n"
    "  - Conv2d: [20, 5]\n"
    "  - Flatten\n"
    "  - Linear: {in_features: 500, out_features: 10}\n"
)
TYPO = "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: {out_channels: 4, kernal_size: 3}\n"


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_check_file_locates_a_layer_failure_at_its_entry(tmp_path: Path) -> None:
    path = _write(tmp_path, "net.yaml", WRONG_FEATURES)
    assert check_file(path) == [
        Problem(
            path,
            5,
            5,
            "layers[2] Linear: in_features is 500, but the incoming tensor flattens to 11520 "
            "(= 20×24×24); leave in_features out to infer it, or make it 11520",
        )
    ]


def test_check_file_locates_a_spec_error_at_its_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "net.yaml", TYPO)
    [problem] = check_file(path) or []
    column = TYPO.splitlines()[2].index("kernal_size") + 1  # at the misspelt key itself
    assert (problem.line, problem.column) == (3, column)
    assert str(problem) == (
        f"{path}:3:{column}: layers[0].Conv2d.kernal_size: Conv2d has no argument "
        "'kernal_size' (did you mean 'kernel_size'?)"
    )


def test_check_file_passes_a_sound_spec_and_skips_other_yaml(tmp_path: Path) -> None:
    assert check_file(_write(tmp_path, "good.yaml", GOOD)) == []
    assert check_file(_write(tmp_path, "ci.yaml", "jobs:\n  test: {runs-on: linux}\n")) is None
    for name in ("lenet", "resnet", "unet"):
        assert check_file(str(ROOT / "convcalc" / "zoo" / f"{name}.yaml")) == []


def test_check_command_prints_editor_lines_and_exits_1(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", WRONG_FEATURES)
    good = _write(tmp_path, "good.yaml", GOOD)
    result = CliRunner().invoke(cli, ["check", good, bad], prog_name="convcalc")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}:5:5: layers[2] Linear: in_features is 500, but the incoming tensor flattens to "
        "11520 (= 20×24×24); leave in_features out to infer it, or make it 11520"
    ]
    assert result.stderr == "2 files checked, 1 problem\n"
    result = CliRunner().invoke(cli, ["check", good], prog_name="convcalc")
    assert (result.exit_code, result.stdout) == (0, "")


MODEL = """\
# convcalc: -i 64x1x28x28
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 32, 3, padding=1)
        self.fc = nn.Linear(1050, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(self.conv(x), 4)
        return self.fc(x.flatten(1))
"""


def test_check_traces_a_model_file_that_says_how(tmp_path: Path) -> None:
    path = _write(tmp_path, "model.py", MODEL)
    assert check_file(path) == [
        Problem(
            path,
            13,
            9,
            "self.fc (nn.Linear(1050, 10)) on [64, 1568] = 32×7×7 from the flatten on line 13 "
            "fails in PyTorch: mat1 and mat2 shapes cannot be multiplied (64x1568 and "
            "1050x10); `nn.Linear(1050, 10)` on line 9 should be `nn.Linear(1568, 10)`",
        )
    ]
    fixed = _write(
        tmp_path, "fixed.py", MODEL.replace("nn.Linear(1050, 10)", "nn.Linear(1568, 10)")
    )
    assert check_file(fixed) == []
    assert check_file(_write(tmp_path, "helpers.py", "def f():\n    return 1\n")) is None
    bad = _write(tmp_path, "bad.py", "# convcalc: -i 64xone\n")
    assert check_file(bad) == [
        Problem(
            bad,
            1,
            1,
            "'# convcalc:' -i: '64xone' is not a shape like 128, 1x3x224x224, 1,3,224,224 or "
            "[1, 3, 224, 224]",
        )
    ]


def test_pre_commit_hook_definition() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "convcalc-check"
    assert hook["entry"] == "convcalc check"
    assert hook["language"] == "python"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.skipif(
    shutil.which("pre-commit", path=os.path.dirname(sys.executable)) is None,
    reason="needs pre-commit (in the test extra)",
)
def test_pre_commit_runs_the_hook_on_a_project(tmp_path: Path) -> None:
    """pre-commit installs convcalc from this repository and runs the hook on a project with
    a broken spec, a sound one and an unrelated YAML file."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.yaml").write_text(WRONG_FEATURES, encoding="utf-8")
    (project / "good.yaml").write_text(GOOD, encoding="utf-8")
    (project / "ci.yaml").write_text("jobs: {}\n", encoding="utf-8")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_GLOBAL": "/dev/null",
    }
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True, env=env)
    subprocess.run([*git, "add", "."], cwd=project, check=True, env=env)
    pre_commit = os.path.join(os.path.dirname(sys.executable), "pre-commit")
    result = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "convcalc-check", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "bad.yaml:5:5: layers[2] Linear: in_features is 500, but the incoming tensor flattens"
        in result.stdout
    )
    assert "good.yaml:" not in result.stdout
    assert "ci.yaml:" not in result.stdout
