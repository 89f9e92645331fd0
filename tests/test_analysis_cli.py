"""The solve and draw commands, and net's --explain, --valid-inputs and --columns rf."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from convcalc.cli import cli


def invoke(args: list[str], exit_code: int = 0) -> Result:
    result = CliRunner().invoke(
        cli, args, catch_exceptions=False, env={"COLUMNS": "100", "NO_COLOR": "1"},
        prog_name="convcalc",
    )  # fmt: skip
    assert result.exit_code == exit_code, (
        f"exit {result.exit_code} != {exit_code}\n--- stdout\n{result.stdout}\n"
        f"--- stderr\n{result.stderr}"
    )
    return result


def test_solve_lists_p_equals_1() -> None:
    result = invoke(
        ["solve", "conv2d", "-k", "3", "-s", "2", "-p", "?", "-i", "64", "--target", "32"]
    )
    assert result.stdout == (
        "every axis: 64 -> 32; out = ⌊(64 + 2·p − 1·(3 − 1) − 1) / 2⌋ + 1\n"
        "  padding=1  (output 32)\n"
    )


def test_solve_without_a_solution_says_why_and_exits_1() -> None:
    result = invoke(
        ["solve", "conv2d", "-k", "3", "-s", "2", "-p", "?", "-i", "64x64", "--target", "20x20"],
        exit_code=1,
    )
    assert result.stdout.splitlines()[1] == (
        "  no padding in 0..32 reaches 20 from 64; nearest: 31 (padding=0)"
    )


def test_solve_tensorflow_same_with_stride_2() -> None:
    result = invoke(["solve", "conv2d", "-k", "2", "-s", "2", "-p", "same", "-i", "5x5"])
    assert result.stdout.splitlines()[-1] == (
        "PyTorch: ZeroPad2d(padding=(0, 1, 0, 1)), then Conv2d(..., kernel_size=2, stride=2, "
        "padding=0)"
    )


@pytest.mark.parametrize(
    ("args", "first"),
    [
        pytest.param(
            ["conv-transpose2d", "-k", "3", "-s", "2", "-p", "?", "--output-padding", "?",
             "-i", "16", "--target", "32"],
            "  padding=1, output_padding=1  (output 32)",
            id="transposed",
        ),
        pytest.param(
            ["maxpool2d", "-k", "3", "-s", "2", "--ceil-mode", "?", "-i", "8", "--target", "4"],
            "  ceil_mode=True  (output 4)",
            id="ceil-mode",
        ),
        pytest.param(
            ["conv1d", "-k", "?", "-s", "?", "-i", "224", "--target", "7",
             "--range", "kernel_size=30..40", "--range", "stride=30..40"],
            "  kernel_size=30, stride=30  (output 7)",
            id="ranges",
        ),
        pytest.param(
            ["upsample", "--scale-factor", "?", "-i", "1x3x5x5", "--target", "15"],
            "  scale_factor=3.0  (output 15)",
            id="upsample",
        ),
    ],
)  # fmt: skip
def test_solve_layer_kinds(args: list[str], first: str) -> None:
    assert invoke(["solve", *args]).stdout.splitlines()[1] == first


def test_solve_usage_errors() -> None:
    result = invoke(["solve", "conv2d", "-k", "3", "-p", "x", "-i", "8", "--target", "4"], 2)
    assert result.stderr == (
        "Error: Invalid value for '-p' / '--padding': 'x' is not a size like 3, 5x3, ? or ?x3 "
        "(see 'convcalc solve --help')\n"
    )
    result = invoke(["solve", "conv2d", "-k", "3", "-i", "8", "--target", "4"], 1)
    assert result.stderr == (
        "Error: Conv2d: nothing to solve for; give one or more arguments as '?' (one of "
        "kernel_size, stride, padding, dilation)\n"
    )


def test_net_explain_derives_800() -> None:
    out = invoke(["net", "lenet", "--explain"]).stdout
    assert (
        "flatten: 800 = 50 × 4 × 4; 4 = ⌊(8 − 2)/2⌋ + 1; 8 = 12 − 5 + 1; "
        "12 = ⌊(24 − 2)/2⌋ + 1; 24 = 28 − 5 + 1\n"
    ) in out


def test_net_unet_at_300_names_the_nearest_sizes() -> None:
    result = invoke(["net", "unet", "-i", "1x3x300x300"], exit_code=1)
    assert result.stderr == (
        "Error: zoo:unet:26: layers[8] Concat: tensors 1x64x74x74 and 1x64x75x75 differ in "
        "dimension 2 (74 vs 75); only dimension 1 may differ; H = 300 fails at concat_1 "
        "(75 -> 37 -> 74 vs 75); 296 and 304 work\n"
    )


def test_net_valid_inputs_and_receptive_fields() -> None:
    out = invoke(["net", "unet", "--valid-inputs"]).stdout
    assert "H: H ≥ 8 and H ≡ 0 (mod 8) (128 sizes in 1..1024: 8, 16, 24" in out
    assert "  convtranspose2d_1: 2·⌊H/8⌋\n" in out
    out = invoke(["net", "lenet", "--columns", "+rf"]).stdout
    assert "├─MaxPool2d(2): 1-6          [64, 50, 4, 4]        --   [16, 16]    [4, 4]" in out
    assert "├─Flatten(): 1-7                  [64, 800]        --        all        --" in out


def test_receptive_field_columns_in_every_format() -> None:
    """The rf columns read the same fields in JSON, CSV and Markdown, a block shows its last
    entry's field, and train mode includes the training-only entries."""
    import json

    data = json.loads(invoke(["net", "lenet", "--columns", "rf", "--format", "json"]).stdout)
    fields = {layer["name"]: layer["receptive_field"] for layer in data["layers"]}
    assert fields["maxpool2d_1"] == {
        "H": {"size": 6, "jump": 2, "start": 2.5},
        "W": {"size": 6, "jump": 2, "start": 2.5},
    }
    assert fields["flatten_1"] == {"H": None, "W": None}
    assert (
        "receptive_field"
        not in json.loads(invoke(["net", "lenet", "--format", "json"]).stdout)["layers"][0]
    )
    csv = invoke(["net", "lenet", "--columns", "rf", "--format", "csv"]).stdout.splitlines()
    assert csv[0].endswith(",receptive_field,rf_jump,rf_start")
    assert csv[3].endswith(",6x6,2x2,2.5x2.5")
    markdown = invoke(["net", "lenet", "--columns", "rf", "--format", "markdown"]).stdout
    assert "| RF Size | RF Jump | RF Start |" in markdown
    table = invoke(["net", "resnet18", "--columns", "rf", "--depth", "1"]).stdout
    # layer1's field: the last BasicBlock's output (the stem's 11 grows by 4 3x3 convs at jump 4)
    stage = next(line for line in table.splitlines() if "Stage: 1-5" in line)
    assert stage.split("147,968")[1].split() == ["[43,", "43]", "[4,", "4]", "[0,", "0]"]
    args = ["net", "googlenet", "--columns", "rf", "--depth", "1"]
    assert "InceptionAux" not in invoke(args).stdout
    trained = invoke([*args, "--mode", "train"]).stdout
    aux = [line for line in trained.splitlines() if "InceptionAux" in line]
    assert len(aux) == 2
    assert all(line.endswith(" all           --           --") for line in aux)


def test_draw_commands(tmp_path: Path) -> None:
    svg = invoke(["draw", "conv2d", "-k", "3", "-s", "2", "-p", "1", "-i", "6x6"]).stdout
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"  # noqa: S314 - ours
    target = tmp_path / "modes.svg"
    result = invoke(["draw", "padding-modes", "-o", str(target)])
    assert result.stderr == f"wrote {target}\n"
    assert "circular" in target.read_text(encoding="utf-8")
    mermaid = invoke(["draw", "net", "unet", "--format", "mermaid"]).stdout
    assert mermaid.startswith("flowchart TD\n")
    assert "  n4 --> n8\n" in mermaid  # enc3 -> concat_1, a skip
    result = invoke(["draw", "conv2d", "-k", "3", "-i", "100"], exit_code=1)
    assert result.stderr == "Error: cannot draw more than 64 cells per axis; use a smaller input\n"


def _loaded_after(args: list[str]) -> set[str]:
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom convcalc.cli import cli\n"
        f"CliRunner().invoke(cli, {args!r})\nprint(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["net", "lenet"], id="net"),
        pytest.param(["conv2d", "--in", "3", "--out", "8", "-k", "3", "--json"], id="conv2d"),
    ],
)
def test_commands_without_analysis_do_not_load_it(args: list[str]) -> None:
    loaded: Any = _loaded_after(args)
    assert not {"convcalc.analysis", "convcalc.draw"} & loaded


def test_solve_a_spec_with_question_marks(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(
        "input: [1, 3, 64, 64]\nlayers:\n"
        "  - Conv2d: {out_channels: 8, kernel_size: 3, stride: 2, padding: '?'}\n",
        encoding="utf-8",
    )
    assert invoke(["solve", str(spec), "--target", "32x32"]).stdout == (
        "conv2d_1.padding such that the output is 32x32:\n  padding=1\n"
    )
    result = invoke(["solve", str(spec), "--target", "33x32", "--range", "padding=0..1"], 1)
    assert result.stdout.splitlines()[1] == (
        "  none in the ranges searched; nearest: padding=1 gives 1x8x32x32"
    )


def test_layer_commands_draw_as_text() -> None:
    out = invoke(["conv2d", "--in", "1", "--out", "1", "-k", "3", "-s", "2", "-p", "1",
                  "-i", "6x6", "--draw"]).stdout  # fmt: skip
    assert out.splitlines()[-14:] == [
        "input 6x6, padded:",
        "  F F F _ _ _ _ x",
        "  F F F . . . . x",
        "  F F F . . . . x",
        "  _ . . . . . . x",
        "  _ . . . L L L x",
        "  _ . . . L L L x",
        "  _ . . . L L L x",
        "  x x x x x x x x",
        "output 3x3:",
        "  F . .",
        "  . . .",
        "  . . L",
        ". input  _ padding  x never read  F first window  L last window",
    ]
    out = invoke(["maxpool1d", "-k", "3", "-s", "2", "--ceil-mode", "-i", "6", "--draw"]).stdout
    assert out.splitlines()[-5:] == [
        "input 6, padded:",
        "  F F F . L L l",
        "output 3:",
        "  F . L",
        ". input  o past the input (lower case: a window's taps there)  F first window  "
        "L last window",
    ]
    out = invoke(["conv-transpose1d", "--in", "1", "--out", "1", "-k", "3", "-s", "2", "-p", "1",
                  "-i", "1x3", "--target", "6", "--draw"]).stdout  # fmt: skip
    assert out.splitlines()[-5:] == [
        "input 3, padded:",
        "  F F F . z L L L",
        "output 6:",
        "  F . . . . L",
        ". input  z inserted zero  F first window  L last window",
    ]


def test_net_input_without_its_batch_dimension_says_so() -> None:
    result = invoke(["net", "resnet50", "-i", "1x3x224"], exit_code=1)
    assert result.stderr.endswith(
        "; -i 1x3x224 has 3 dimensions where the spec's input 1x3x224x224 has 4 (is the batch "
        "dimension missing?)\n"
    )


def test_a_question_mark_the_shell_expanded_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bash puts a one-letter file name for an unquoted ?: the message says so."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m").write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["solve", "conv2d", "-k", "m", "-i", "7", "--target", "5"])
    assert result.exit_code == 2
    assert "'m' is not a size like 3, 5x3, ? or ?x3 (the shell put the file name 'm' for an " in (
        result.stderr
    )
    result = CliRunner().invoke(cli, ["solve", "conv2d", "-k", "q", "-i", "7", "--target", "5"])
    assert "the shell" not in result.stderr
