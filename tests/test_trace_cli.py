"""The trace command: output, formats and exit codes (0 ok, 1 PyTorch would fail, 2 usage,
3 cannot trace)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from trace_models import BUG_LINEAR, CIFAR_RESNET, FEATURES, LENET_BLITZ

from convcalc.cli import cli


def invoke(args: list[str], exit_code: int = 0) -> Result:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == exit_code, (result.stdout, result.stderr, result.exception)
    return result


@pytest.fixture
def lenet(tmp_path: Path) -> Path:
    path = tmp_path / "lenet.py"
    path.write_text(LENET_BLITZ, encoding="utf-8")
    return path


def test_trace_command_prints_lines_then_the_table(lenet: Path) -> None:
    out = invoke(["trace", str(lenet), "-i", "1x1x32x32"]).stdout
    lines = out.splitlines()
    assert lines[:5] == [
        f"{lenet}:",
        "   16  x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))   # x: [1, 6, 14, 14]",
        "         -> conv1: Conv2d(1, 6, 5) -> [1, 6, 28, 28], 156 params",
        "   17  x = F.max_pool2d(F.relu(self.conv2(x)), 2)        # x: [1, 16, 5, 5]",
        "         -> conv2: Conv2d(6, 16, 5) -> [1, 16, 10, 10], 2,416 params",
    ]
    assert "   22  return x                                          # return: [1, 10]" in lines
    assert "Net: input [1, 1, 32, 32] -> output [1, 10]" in lines
    assert any(line.startswith("Total params:") and line.endswith("61,706") for line in lines)


@pytest.mark.parametrize("shape", ["1x1x32x32", "1,1,32,32", "[1, 1, 32, 32]"])
def test_trace_command_reads_shapes_three_ways(lenet: Path, shape: str) -> None:
    data = json.loads(invoke(["trace", str(lenet), "-i", shape, "--format", "json"]).stdout)
    assert data["input_shape"] == [1, 1, 32, 32]
    assert data["output_shape"] == [1, 10]


def test_trace_command_json(lenet: Path) -> None:
    data = json.loads(invoke(["trace", str(lenet), "-i", "2x1x32x32", "--format", "json"]).stdout)
    assert data["totals"]["params"] == 61706
    assert data["totals"]["macs"] == 2 * 416520
    assert [layer["name"] for layer in data["layers"]] == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert data["lines"][0] == {
        "file": str(lenet),
        "line": 16,
        "code": "x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))",
        "depth": 0,
        "shapes": {"x": [2, 6, 14, 14]},
        "calls": ["conv1"],
    }


def test_trace_command_json_outputs_for_a_tuple(tmp_path: Path) -> None:
    path = tmp_path / "mixer.py"
    path.write_text(FEATURES, encoding="utf-8")
    args = ["trace", str(path), "--class", "Mixer", "-i", "2x3x16x16", "--format", "json"]
    data = json.loads(invoke(args).stdout)
    assert "output_shape" not in data
    assert data["outputs"] == [[2, 10], [2, 16, 16, 16], [2, 2, 8, 16, 16]]


def test_trace_command_init_and_markdown(tmp_path: Path) -> None:
    path = tmp_path / "resnet.py"
    path.write_text(CIFAR_RESNET, encoding="utf-8")
    args = ["trace", str(path), "--class", "ResNet", "-i", "1x3x32x32", "--format", "json"]
    args += ["--init", "block=None, num_blocks=[1, 1, 1]"]
    result = invoke(args, exit_code=1)
    assert result.stderr == (
        f"Error: {path}:46: the model's code raises TypeError: 'NoneType' object is not callable\n"
    )
    out = invoke(
        [
            "trace",
            str(path),
            "--class",
            "resnet20",
            "-i",
            "1x3x32x32",
            "--format",
            "markdown",
            "--depth",
            "1",
        ]
    ).stdout
    assert out.startswith(f"```text\n{path}:\n   51  out = F.relu(self.bn1(self.conv1(x)))")
    assert "```\n\n**resnet20**: input [1, 3, 32, 32] -> output [1, 10]\n\n| Layer" in out


def test_trace_command_bug_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(BUG_LINEAR, encoding="utf-8")
    result = invoke(["trace", str(path), "-i", "64x1x28x28"], exit_code=1)
    assert result.stdout.splitlines()[-2:] == [
        "   15  x = x.view(x.size(0), -1)                    # x: [64, 1568]",
        "   16  return self.fc(x)",
    ]
    json_result = invoke(["trace", str(path), "-i", "64x1x28x28", "--format", "json"], 1)
    assert json_result.stdout == ""
    assert result.stderr == (
        f"Error: {path}:16: self.fc (nn.Linear(1050, 10)) on [64, 1568] = 32×7×7 from the view "
        "on line 15 fails in PyTorch: mat1 and mat2 shapes cannot be multiplied (64x1568 and "
        "1050x10); `nn.Linear(1050, 10)` on line 10 should be `nn.Linear(1568, 10)`\n"
    )


def test_trace_command_untraceable_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(
        "import torch.nn as nn\nimport timm\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.body = timm.create_model('resnet18')\n\n"
        "    def forward(self, x):\n        return self.body(x)\n",
        encoding="utf-8",
    )
    result = invoke(["trace", str(path), "-i", "1x3x8x8"], exit_code=3)
    assert result.stderr == (
        f"Error: {path}:8: timm.create_model is outside what convcalc can trace\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-i", "1xAx3"], "Invalid value for '-i' / '--input': '1xAx3' is not a shape like"),
        (["-i", "1x1x32x32", "--init", "k=print(1)"], "k=print(1) is not a Python literal"),
        (["-i", "1x1x32x32", "--init", "3"], "'3': give every argument as name=value"),
        ([], "Missing option '-i' / '--input'"),
    ],
)
def test_trace_command_usage_errors_exit_2(lenet: Path, args: list[str], message: str) -> None:
    result = invoke(["trace", str(lenet), *args], exit_code=2)
    assert message in result.stderr


def test_readme_trace_example_matches_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's model.py, traced as shown: its lines on stdout, the error on stderr."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Networks\n", 1)[1]
    model = section.split("```python\n", 1)[1].split("```", 1)[0]
    command = "convcalc trace model.py -i 64x1x28x28"
    shown = section.split(f"$ {command}\n", 1)[1].split("```", 1)[0]
    (tmp_path / "model.py").write_text(model, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(command.split()[1:], exit_code=1)
    assert result.stdout + result.stderr == shown


ZOO_LENET = """\
import torch.nn as nn


class lenet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(800, 500)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        return self.fc2(self.relu3(self.fc1(self.flatten(x))))
"""


def test_net_of_a_model_file_prints_the_table_of_the_same_spec(tmp_path: Path) -> None:
    """The built-in LeNet spec and the same network written as a PyTorch module."""
    path = tmp_path / "lenet.py"
    path.write_text(ZOO_LENET, encoding="utf-8")
    from_file = invoke(["net", str(path), "-i", "64x1x28x28"]).stdout
    from_spec = invoke(["net", "lenet"]).stdout
    assert from_file == from_spec
    result = invoke(["net", str(path)], exit_code=2)
    assert "a .py model needs its input shape, for example -i 1x3x224x224" in result.stderr


def test_trace_command_names_a_constructor_argument_mistake(tmp_path: Path) -> None:
    path = tmp_path / "resnet.py"
    path.write_text(CIFAR_RESNET, encoding="utf-8")
    result = invoke(["trace", str(path), "--class", "ResNet", "-i", "1x3x32x32"], exit_code=1)
    assert result.stderr == (
        f"Error: {path}:30: ResNet(no arguments): missing a required argument: 'block'; give "
        "constructor arguments with --init 'name=value, ...'\n"
    )
    args = ["trace", str(path), "--class", "resnet20", "--init", "depth=3", "-i", "1x3x32x32"]
    assert invoke(args, exit_code=1).stderr == (
        f"Error: {path}:66: resnet20(depth=3): got an unexpected keyword argument 'depth'; give "
        "constructor arguments with --init 'name=value, ...'\n"
    )


def test_trace_command_lists_the_models_to_choose_from(tmp_path: Path) -> None:
    path = tmp_path / "resnet.py"
    path.write_text(CIFAR_RESNET, encoding="utf-8")
    assert invoke(["trace", str(path), "-i", "1x3x32x32"], exit_code=1).stderr == (
        f"Error: {path} defines 2 models no other class uses: BasicBlock, ResNet; choose one "
        "with --class NAME (or a function that builds one: resnet20, resnet32)\n"
    )
    args = ["trace", str(path), "--class", "resnet56", "-i", "1x3x32x32"]
    assert invoke(args, exit_code=1).stderr == (
        f"Error: no class or function 'resnet56' in {path}; it defines: BasicBlock, ResNet, "
        "resnet20, resnet32\n"
    )


def test_net_of_a_model_file_takes_class_and_init(tmp_path: Path) -> None:
    """What `convcalc net` tells a user to add (--class) works on `net` as on `trace`."""
    path = tmp_path / "resnet.py"
    path.write_text(CIFAR_RESNET, encoding="utf-8")
    assert (
        "choose one with --class NAME"
        in invoke(["net", str(path), "-i", "1x3x32x32"], exit_code=1).stderr
    )
    traced = invoke(["trace", str(path), "--class", "resnet20", "-i", "1x3x32x32"]).stdout
    table = invoke(["net", str(path), "--class", "resnet20", "-i", "1x3x32x32"]).stdout
    assert table
    assert traced.endswith(table)
    args = ["--class", "ResNet", "--init", "num_blocks=[1, 1, 1]", "-i", "1x3x32x32"]
    args += ["--format", "json"]
    message = "ResNet(num_blocks=[1, 1, 1]): missing a required argument: 'block'"
    assert message in invoke(["net", str(path), *args], exit_code=1).stderr
    result = invoke(["net", "lenet", "--init", "num_classes=10"], exit_code=2)
    assert "--init is for a PyTorch model file (.py), not a spec" in result.stderr


def test_trace_command_names_forward_when_the_inputs_do_not_fit(tmp_path: Path) -> None:
    path = tmp_path / "pair.py"
    path.write_text(
        "import torch.nn as nn\n\n\n"
        "class Pair(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 4, 3)\n\n"
        "    def forward(self, x, y):\n"
        "        return self.conv(x) + y\n",
        encoding="utf-8",
    )
    assert invoke(["trace", str(path), "-i", "1x3x8x8"], exit_code=1).stderr == (
        f"Error: {path}:9: Pair.forward(x, y) cannot take 1 input shape; give one -i for each "
        "of its tensor arguments\n"
    )
    out = invoke(["trace", str(path), "-i", "1x3x8x8", "-i", "1x4x6x6", "--format", "json"])
    assert json.loads(out.stdout)["output_shape"] == [1, 4, 6, 6]
