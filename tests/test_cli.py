"""The command line, through click's CliRunner: answers, tables, JSON and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from convcalc.cli import ExitCode, cli

GOLDEN = Path(__file__).parent / "golden"


def invoke(args: list[str], exit_code: int = 0, **kwargs: Any) -> Result:
    """Run the CLI and check its exit code; on a mismatch show everything."""
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", **kwargs.pop("env", {})}
    result = runner.invoke(
        cli, args, catch_exceptions=False, env=env, prog_name="convcalc", **kwargs
    )
    assert result.exit_code == exit_code, (
        f"exit {result.exit_code} != {exit_code}\n--- stdout\n{result.stdout}\n"
        f"--- stderr\n{result.stderr}\n--- exception\n{result.exception!r}"
    )
    return result


def invoke_json(args: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(invoke([*args, "--json"]).stdout)
    return data


def test_conv2d_json_seed() -> None:
    data = invoke_json(["conv2d", "--in", "64", "--out", "32", "-k", "3", "-i", "8x64x128x128"])
    assert data["input_shape"] == [8, 64, 128, 128]
    assert data["output_shape"] == [8, 32, 126, 126]
    assert data["weight_shape"] == [32, 64, 3, 3]
    assert data["bias_shape"] == [32]
    assert data["params"] == 18464
    assert data["macs"] == 8 * 32 * 126 * 126 * 64 * 9
    assert data["flops"] == 2 * data["macs"]


def test_conv2d_groups_shrink_the_weight() -> None:
    data = invoke_json(
        ["conv2d", "--in", "64", "--out", "32", "-k", "3", "-g", "8", "-i", "8x64x128x128"]
    )
    assert data["weight_shape"] == [32, 8, 3, 3]
    assert data["params"] == 2336


def test_conv2d_without_input_gives_weights_and_symbols() -> None:
    data = invoke_json(["conv2d", "--in", "64", "--out", "32", "-k", "3"])
    assert data["input_shape"] is None
    assert data["output_shape"] is None
    assert data["macs"] is None
    assert data["weight_shape"] == [32, 64, 3, 3]
    assert data["formulas"][0]["formula"] == "H_out = ⌊(H + 2·0 − 1·(3−1) − 1) / 1⌋ + 1"


def test_conv2d_takes_channels_from_the_input() -> None:
    data = invoke_json(["conv2d", "--out", "128", "-k", "5x3", "-p", "2", "-i", "64x32x32"])
    assert data["weight_shape"] == [128, 64, 5, 3]
    assert data["output_shape"] == [128, 32, 34]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["-s", "1"], [4, 4], id="stride1"),
        pytest.param(["-s", "2"], [2, 2], id="stride2"),
        pytest.param(["-p", "1"], [6, 6], id="padding1"),
        pytest.param(["-d", "2"], [3, 3], id="dilation2"),
    ],
)
def test_conv2d_seed_5x5_with_2x2_kernel(args: list[str], expected: list[int]) -> None:
    data = invoke_json(["conv2d", "--in", "1", "--out", "1", "-k", "2", "-i", "1x1x5x5", *args])
    assert data["output_shape"][2:] == expected


def test_conv2d_table_shows_worked_formula_and_unused_rows() -> None:
    out = invoke(
        ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-s", "2", "-i", "1x3x6x7"]
    ).stdout
    assert "H_out = ⌊(6 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 2" in out
    assert "stride 2 leaves the last input row unused" in out
    assert "W_out = ⌊(7 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 3" in out


def test_conv_transpose_target_finds_output_padding() -> None:
    base = [
        "conv-transpose2d",
        "--in",
        "2",
        "--out",
        "1",
        "-k",
        "3",
        "-s",
        "2",
        "-p",
        "1",
        "-i",
        "1x2x3x3",
    ]
    data = invoke_json([*base, "--target", "5x5"])
    assert data["output_shape"] == [1, 1, 5, 5]
    assert data["output_padding"] == [0, 0]
    data = invoke_json([*base, "--target", "6x5"])
    assert data["output_shape"] == [1, 1, 6, 5]
    assert data["output_padding"] == [1, 0]


def test_conv_transpose_seed() -> None:
    data = invoke_json(
        ["conv-transpose2d", "--in", "32", "--out", "64", "-k", "3", "-i", "8x32x126x126"]
    )
    assert data["output_shape"] == [8, 64, 128, 128]
    assert data["params"] == 18496


def test_conv_transpose_unreachable_target_says_why() -> None:
    result = invoke(
        [
            "conv-transpose2d",
            "--in",
            "2",
            "--out",
            "1",
            "-k",
            "3",
            "-s",
            "2",
            "-p",
            "1",
            "-i",
            "3x3",
            "--target",
            "7x7",
        ],
        exit_code=1,
    )
    assert result.stderr == (
        "Error: ConvTranspose2d: no output_padding reaches output size 7x7 from input 3x3: "
        "reachable sizes range from 5x5 to 6x6; change the stride, padding or kernel size\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["maxpool2d", "-k", "2", "-i", "1x20x24x24"], [1, 20, 12, 12], id="max"),
        pytest.param(
            ["maxpool2d", "-k", "3", "-s", "2", "--ceil-mode", "-i", "1x1x7x8"],
            [1, 1, 3, 4],
            id="ceil",
        ),
        pytest.param(
            ["avgpool2d", "-k", "3", "-s", "2", "-p", "1", "-i", "1x1x5x5"], [1, 1, 3, 3], id="avg"
        ),
        pytest.param(
            ["maxpool1d", "-k", "2", "-s", "2", "-p", "1", "--ceil-mode", "-i", "1x1x5"],
            [1, 1, 3],
            id="ceil-drops",
        ),
        pytest.param(
            ["adaptive-avgpool2d", "-o", "7", "-i", "1x512x14x14"], [1, 512, 7, 7], id="adaptive"
        ),
        pytest.param(
            ["adaptive-maxpool1d", "-o", "8", "-i", "2x3x5"], [2, 3, 8], id="adaptive-max"
        ),
        pytest.param(
            ["upsample", "--scale-factor", "1.5", "-i", "1x3x5x7"], [1, 3, 7, 10], id="upsample"
        ),
        pytest.param(
            ["upsample", "--size", "3x9", "--mode", "bilinear", "-i", "1x3x5x7"],
            [1, 3, 3, 9],
            id="upsample-size",
        ),
        pytest.param(["unfold", "-k", "3", "-i", "2x3x10x12"], [2, 27, 80], id="unfold"),
        pytest.param(
            ["fold", "-o", "4x5", "-k", "2", "-s", "2", "-i", "1x12x4"], [1, 3, 4, 5], id="fold"
        ),
        pytest.param(["pixel-shuffle", "-r", "3", "-i", "2x18x4x5"], [2, 2, 12, 15], id="shuffle"),
        pytest.param(
            ["pixel-unshuffle", "-r", "2", "-i", "2x3x8x6"], [2, 12, 4, 3], id="unshuffle"
        ),
        pytest.param(
            ["linear", "--in", "800", "--out", "500", "-i", "64x800"], [64, 500], id="linear"
        ),
        pytest.param(
            ["conv1d", "--in", "16", "--out", "33", "-k", "3", "-s", "2", "-i", "20x16x50"],
            [20, 33, 24],
            id="conv1d",
        ),
        pytest.param(
            [
                "conv3d",
                "--in",
                "4",
                "--out",
                "8",
                "-k",
                "3",
                "-s",
                "2",
                "-p",
                "1",
                "-i",
                "2x4x9x16x17",
            ],
            [2, 8, 5, 8, 9],
            id="conv3d",
        ),
    ],
)
def test_commands_agree_with_the_spec(args: list[str], expected: list[int]) -> None:
    assert invoke_json(args)["output_shape"] == expected


def test_separable_compares_three_designs() -> None:
    data = invoke_json(["separable", "--in", "64", "--out", "32", "-k", "3", "-i", "8x64x128x128"])
    assert data["standard"]["params"] == 18464
    assert data["grouped"]["params"] == 2336
    assert data["groups"] == 8
    assert data["depthwise_separable"]["params"] == 640 + 2080
    assert data["depthwise_separable"]["pointwise"]["output_shape"] == [8, 32, 126, 126]
    table = invoke(["separable", "--in", "64", "--out", "32", "-k", "3"]).stdout
    assert "depthwise-separable" in table
    assert "2,720" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["conv2d", "--in", "1", "--out", "1", "-k", "5", "-i", "4x4"],
            "Error: Conv2d: input 4x4 padded to 4x4 is smaller than the dilated kernel "
            "5x5; use a smaller kernel or dilation, more padding, or a larger input",
            id="kernel-larger-than-input",
        ),
        pytest.param(
            ["conv2d", "--in", "6", "--out", "4", "-k", "3", "-g", "4"],
            "Error: Conv2d: in_channels 6 is not divisible by groups 4; use groups "
            "that divide both 6 and 4",
            id="groups",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-s", "0", "-i", "8x8"],
            "Error: Conv2d: stride 0x0 must be positive",
            id="stride-0",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-d", "0"],
            "Error: Conv2d: dilation 0x0 must be positive",
            id="dilation-0",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "0"],
            "Error: Conv2d: kernel_size 0x0 must be positive",
            id="kernel-0",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-s", "2", "-p", "same"],
            "Error: Conv2d: padding='same' needs stride 1, got stride 2x2; give the "
            "padding as a number instead",
            id="same-stride-2",
        ),
        pytest.param(
            [
                "conv2d",
                "--in",
                "3",
                "--out",
                "8",
                "-k",
                "3",
                "-p",
                "2",
                "--padding-mode",
                "reflect",
                "-i",
                "3x2x11",
            ],
            "Error: Conv2d: reflect padding (2, 2) must be smaller than the input size "
            "2 of dimension 1; use padding < 2, or padding_mode 'replicate'",
            id="reflect-too-large",
        ),
        pytest.param(
            [
                "conv-transpose1d",
                "--in",
                "4",
                "--out",
                "2",
                "-k",
                "3",
                "-s",
                "2",
                "--output-padding",
                "2",
            ],
            "Error: ConvTranspose1d: output_padding 2 must be smaller than the stride 2 "
            "or the dilation 1 on every axis; use output_padding < 2",
            id="output-padding",
        ),
        pytest.param(
            ["conv2d", "--in", "64", "--out", "32", "-k", "3", "-i", "8x63x128x128"],
            "Error: input 8x63x128x128 has 63 channels, but in_channels is 64; make them agree",
            id="channels-disagree",
        ),
        pytest.param(
            ["linear", "--in", "800", "--out", "500", "-i", "8x799"],
            "Error: Linear: input 8x799 ends in 799 features, but in_features is 800; "
            "use Linear(799, 500)",
            id="linear",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-i", "1x2x3x3x3"],
            "Error: input 1x2x3x3x3 must give 2 spatial sizes (or one for all), "
            "C×spatial, or N×C×spatial",
            id="wrong-rank",
        ),
    ],
)
def test_bad_input_gets_one_clear_line(args: list[str], message: str) -> None:
    result = invoke(args, exit_code=ExitCode.INVALID_INPUT)
    assert result.stderr == message + "\n"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-i", "abc"],
            "Error: Invalid value for '-i' / '--input': 'abc' is not a shape like 128, "
            "1x3x224x224, 1,3,224,224 or [1, 3, 224, 224] (see 'convcalc conv2d --help')",
            id="shape",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-p", "-1"],
            "Error: Invalid value for '-p' / '--padding': '-1' has a negative size "
            "(see 'convcalc conv2d --help')",
            id="negative-padding",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "-k", "3x"],
            "Error: Invalid value for '-k' / '--kernel-size': '3x' is not a size like "
            "3 or 5x3 (see 'convcalc conv2d --help')",
            id="kernel-text",
        ),
        pytest.param(
            ["conv2d", "--in", "3", "--out", "8", "--kernel", "3"],
            "Error: No such option '--kernel'. Did you mean '--kernel-size'? "
            "(see 'convcalc conv2d --help')",
            id="typo-flag",
        ),
        pytest.param(
            ["conv2D"],
            "Error: No such command 'conv2D' (see 'convcalc --help')",
            id="unknown-command",
        ),
        pytest.param(
            ["conv2d", "--out", "8", "-k", "3"],
            "Error: give --in, or an -i shape that includes the channels (CxHxW) "
            "(see 'convcalc conv2d --help')",
            id="no-channels",
        ),
    ],
)
def test_bad_usage_gets_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, args, prog_name="convcalc")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr == message + "\n"


def test_traceback_flag_reraises() -> None:
    from convcalc import ShapeError

    with pytest.raises(ShapeError):
        CliRunner().invoke(
            cli,
            ["--traceback", "conv2d", "--in", "1", "--out", "1", "-k", "5", "-i", "4x4"],
            catch_exceptions=False,
        )


@pytest.mark.parametrize("name", cli.list_commands(click.Context(cli)))
def test_every_command_has_help_with_an_example(name: str) -> None:
    out = invoke([name, "--help"]).stdout
    assert f"convcalc {name}" in out
    assert "Example:" in out


def test_version() -> None:
    assert invoke(["--version"]).stdout.startswith("convcalc ")


def test_golden_conv2d_table(update_golden: bool) -> None:
    """The rendered table at a fixed width, without colour; review diffs like code."""
    out = invoke(
        ["conv2d", "--in", "3", "--out", "8", "-k", "3", "-s", "2", "-i", "1x3x6x7"]
    ).stdout
    golden = GOLDEN / "conv2d_stride2.txt"
    if update_golden:
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# network summaries

LENET_SPEC = """\
name: lenet
input: [64, 1, 28, 28]
layers:
  - Conv2d: [20, 5]
  - ReLU
  - MaxPool2d: 2
  - Conv2d: {out_channels: 50, kernel_size: 5}
  - ReLU
  - MaxPool2d: 2
  - Flatten
  - Linear: 500
  - ReLU
  - Linear: 10
"""


def test_net_from_stdin_shows_inferred_linear_and_totals() -> None:
    out = invoke(["net", "-"], input=LENET_SPEC).stdout
    assert "Linear(800, 500)" in out
    assert "Total params" in out
    assert "431,080" in out


def test_net_json_carries_the_same_numbers() -> None:
    data = json.loads(invoke(["net", "-", "--format", "json"], input=LENET_SPEC).stdout)
    linear = data["layers"][7]
    assert linear["type"] == "Linear"
    assert linear["arguments"]["in_features"] == 800
    assert linear["input_shape"] == [64, 800]
    assert linear["output_shape"] == [64, 500]
    assert data["totals"]["params"] == 431_080
    assert data["totals"]["trainable_params"] == 431_080
    assert data["totals"]["non_trainable_params"] == 0
    assert data["totals"]["macs"] == sum(layer["macs"] for layer in data["layers"])
    assert {"name", "type", "input_shape", "output_shape", "params", "macs"} <= set(linear)


def test_net_reads_a_piped_spec_without_dash() -> None:
    out = invoke(["net", "--format", "csv"], input=LENET_SPEC).stdout
    lines = out.splitlines()
    assert lines[0] == (
        "index,name,type,layer,block,input_shape,output_shape,params,trainable_params,macs"
    )
    assert lines[8] == '7,linear_1,Linear,"Linear(800, 500)",,64x800,64x500,400500,400500,25600000'


def test_net_csv_honours_columns_in_order() -> None:
    out = invoke(["net", "lenet", "--format", "csv", "--columns", "macs,kernel,output"]).stdout
    lines = out.splitlines()
    assert lines[0] == "index,name,type,layer,block,macs,kernel_size,output_shape"
    assert lines[1] == '0,conv2d_1,Conv2d,"Conv2d(1, 20, 5)",,18432000,5x5,64x20x24x24'


def test_net_markdown_and_columns() -> None:
    out = invoke(
        [
            "net",
            "lenet",
            "--format",
            "markdown",
            "--columns",
            "input_size,kernel,macs,params_percent",
        ]
    ).stdout
    assert "| Layer (type:depth-idx) | Input Shape | Kernel Shape | Mult-Adds | Param % |" in out
    assert "| Linear(800, 500): 1-8 | [64, 800] | -- | 25,600,000 | 92.91% |" in out
    assert "| lenet | [64, 1, 28, 28] | -- | -- | -- |" in out
    assert "| MaxPool2d(2): 1-3 | [64, 20, 24, 24] | 2 | -- | -- |" in out
    assert "- Total params: 431,080" in out


def test_net_columns_with_plus_extend_the_defaults() -> None:
    out = invoke(["net", "lenet", "--format", "markdown", "--columns", "+macs"]).stdout
    assert "| Layer (type:depth-idx) | Output Shape | Param # | Mult-Adds |" in out


def test_net_input_override_and_dtype() -> None:
    data = json.loads(
        invoke(["net", "lenet", "-i", "1x1x28x28", "--dtype", "float16", "--format", "json"]).stdout
    )
    assert data["input_shape"] == [1, 1, 28, 28]
    assert data["totals"]["input_bytes"] == 28 * 28 * 2
    assert data["totals"]["param_bytes"] == 431_080 * 2


def test_net_depth_folds_blocks() -> None:
    shallow = invoke(["net", "resnet18", "--depth", "1"]).stdout
    deep = invoke(["net", "resnet18", "--depth", "2"]).stdout
    assert "Stage: 1-5" in shallow
    assert "BasicBlock: 2-1" not in shallow
    assert "BasicBlock: 2-1" in deep


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        pytest.param(
            ["net", "-"],
            "layers:\n  - conv2d: [8, 3]\n",
            "Error: <stdin>:2:5: layers[0]: unknown layer type 'conv2d' (did you mean 'Conv2d'?)",
            id="unknown-layer",
        ),
        pytest.param(
            ["net", "-"],
            LENET_SPEC.replace("Linear: 500", "Linear: {in_features: 500, out_features: 500}"),
            "Error: <stdin>:11: layers[7] Linear: in_features is 500, but the incoming "
            "tensor flattens to 800 (= 50×4×4); leave in_features out to infer it, or "
            "make it 800",
            id="linear-mismatch",
        ),
        pytest.param(
            ["net", "nosuch.yaml"],
            None,
            "Error: nosuch.yaml: no such file, and no zoo entry by that name (the zoo "
            "has: alexnet, convnext, densenet, efficientnet, googlenet, inception_v3, lenet, "
            "mnasnet, mobilenet_v2, mobilenet_v3, regnet, resnet, resnet_fpn, segmentation, "
            "shufflenet_v2, squeezenet, unet, vgg and their variants "
            "(convcalc zoo lists them))",
            id="missing-file",
        ),
        pytest.param(
            ["net", "lenet", "--dtype", "float13"],
            None,
            "Error: unknown dtype 'float13'; use one of bfloat16, bool, double, float, "
            "float16, float32, float64, float8_e4m3fn, float8_e5m2, half, int16, int32, "
            "int64, int8, uint8",
            id="dtype",
        ),
        pytest.param(
            ["zoo", "show", "resnt"],
            None,
            "Error: no zoo entry 'resnt' (did you mean 'resnet'?); the zoo has: "
            "alexnet, convnext, densenet, efficientnet, googlenet, inception_v3, lenet, "
            "mnasnet, mobilenet_v2, mobilenet_v3, regnet, resnet, resnet_fpn, segmentation, "
            "shufflenet_v2, squeezenet, unet, vgg and their variants "
            "(convcalc zoo lists them)",
            id="zoo",
        ),
    ],
)
def test_net_bad_input_gets_one_line(args: list[str], stdin: str | None, message: str) -> None:
    result = invoke(args, exit_code=ExitCode.INVALID_INPUT, input=stdin)
    assert result.stderr == message + "\n"


def test_zoo_lists_and_shows() -> None:
    listing = invoke(["zoo"]).stdout
    assert "resnet50" in listing
    assert invoke(["zoo", "show", "lenet"]).stdout.startswith("# LeNet")


@pytest.mark.parametrize(
    "written", ["1x3x224x224", "1,3,224,224", "[1, 3, 224, 224]", "(1, 3, 224, 224)", "1×3×224×224"]
)
def test_input_shape_spellings(written: str) -> None:
    """-i takes a shape as people copy it: from a CLI, a list, or a torch.Size tuple."""
    net = json.loads(invoke(["net", "resnet18", "-i", written, "--format", "json"]).stdout)
    assert net["input_shape"] == [1, 3, 224, 224]
    layer = json.loads(invoke(["conv2d", "--out", "8", "-k", "3", "-i", written, "--json"]).stdout)
    assert layer["output_shape"] == [1, 8, 222, 222]


def test_help_lists_each_command_once_with_its_aliases() -> None:
    out = invoke(["--help"]).stdout
    section = out.split("Commands:")[1].splitlines()
    names = [line.split()[0] for line in section if line[:2] == "  " and line[2:3] != " "]
    assert names.count("net") == 1
    assert "summary" not in names
    assert "(alias: summary)" in " ".join(out.split())
    assert "Every command works out one layer" not in out
    assert invoke(["summary", "lenet"]).stdout == invoke(["net", "lenet"]).stdout


def test_net_table_fits_the_width_and_ascii_is_pure_ascii() -> None:
    for name in ("resnet50", "mobilenet_v2"):
        for width in (80, 100):
            out = invoke(["net", name], env={"COLUMNS": str(width)}).stdout
            assert max(len(line) for line in out.splitlines()) <= width, (name, width)
        out = invoke(["net", name, "--ascii"], env={"COLUMNS": "80"}).stdout
        assert out.isascii()
        assert "+ " in out
        assert "| " in out


def test_net_json_and_csv_name_the_innermost_block_once() -> None:
    data = json.loads(invoke(["net", "mobilenet_v2", "--format", "json"]).stdout)
    blocks = [layer["block"] for layer in data["layers"]]
    assert blocks[3] == "invertedresidualt1_1.depthwise_1"
    assert blocks[6] == "invertedresidualt1_1"
    assert all(b is None or b.count(b.split(".")[0]) == 1 for b in blocks)
    rows = list(csv.reader(invoke(["net", "mobilenet_v2", "--format", "csv"]).stdout.splitlines()))
    assert rows[4][4] == "invertedresidualt1_1.depthwise_1"


def _complete(words: str) -> list[str]:
    """What bash completion offers for ``words`` (the last one being completed)."""
    parts = words.split(" ")
    env = {
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(parts) - 1),
        "_CONVCALC_COMPLETE": "bash_complete",
    }
    result = CliRunner().invoke(cli, [], env=env, prog_name="convcalc")
    return result.stdout.splitlines()


def test_shell_completion_of_commands_options_zoo_names_and_files() -> None:
    assert "plain,conv-transpose2d" in _complete("convcalc conv-t")
    assert "plain,net" in _complete("convcalc n")
    assert "plain,summary" not in _complete("convcalc s")
    assert _complete("convcalc net resnet1") == [
        "plain,resnet101",
        "plain,resnet152",
        "plain,resnet18",
        "file,resnet1",
    ]
    assert _complete("convcalc zoo show le") == ["plain,lenet"]
    assert "plain,--columns" in _complete("convcalc net --co")
    for shell in ("bash", "zsh", "fish"):
        script = invoke(["completion", shell]).stdout
        assert "_CONVCALC_COMPLETE" in script


def test_ceil_mode_formula_adds_up_as_printed() -> None:
    """Ceil mode is written as the floor plus the window it adds, so the numbers add up."""
    kept = invoke_json(["maxpool2d", "-k", "3", "-s", "2", "--ceil-mode", "-i", "1x1x8x7"])
    assert kept["formulas"][0] == {
        "axis": "H",
        "formula": "H_out = ⌊(8 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 + 1 = 4",
        "note": "ceil mode adds a last, partial window (the + 1 after the floor)",
    }
    assert kept["formulas"][1]["formula"] == "W_out = ⌊(7 + 2·0 − 1·(3−1) − 1) / 2⌋ + 1 = 3"
    assert kept["formulas"][1]["note"] is None
    dropped = invoke_json(
        ["maxpool1d", "-k", "2", "-s", "2", "-p", "1", "--ceil-mode", "-i", "1x1x5"]
    )
    assert dropped["formulas"][0] == {
        "axis": "L",
        "formula": "L_out = ⌊(5 + 2·1 − 1·(2−1) − 1) / 2⌋ + 1 = 3",
        "note": "ceil mode would add a last window, but it would start in the right padding, "
        "so PyTorch drops it",
    }


def test_target_output_padding_is_in_the_title_and_arguments() -> None:
    args = ["conv-transpose2d", "--in", "2", "--out", "1", "-k", "3", "-s", "2", "-p", "1"]
    table = invoke([*args, "-i", "3x3", "--target", "6x6"]).stdout
    assert table.splitlines()[0].rstrip() == (
        "ConvTranspose2d(2, 1, 3, stride=2, padding=1, output_padding=1)"
    )
    data = invoke_json([*args, "-i", "3x3", "--target", "6x5"])
    assert data["arguments"]["output_padding"] == [1, 0]
    assert data["output_padding"] == [1, 0]
    assert data["output_shape"] == [1, 6, 5]


def test_connected_to_names_where_each_layer_reads_from() -> None:
    """Keras's "Connected to": a concat names both of its inputs, the first layer the input."""
    out = invoke(["net", "unet", "--format", "markdown", "--columns", "connected_to"]).stdout
    assert "| Connected To |" in out
    assert "| Concat(dim=1) | convtranspose2d_1, enc3.relu_6 |" in out
    data = json.loads(invoke(["net", "unet", "--format", "json"]).stdout)
    assert data["layers"][0]["inputs"] == ["input"]
    concats = [layer["inputs"] for layer in data["layers"] if layer["type"] == "Concat"]
    assert concats[0] == ["convtranspose2d_1", "enc3.relu_6"]
    rows = list(
        csv.reader(
            invoke(["net", "unet", "--format", "csv", "--columns", "from"]).stdout.splitlines()
        )
    )
    assert rows[0][-1] == "inputs"
    assert rows[1][-1] == "input"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["export", "lenet"], id="export"),
        pytest.param(["draw", "conv2d", "-k", "3", "-i", "5"], id="draw-svg"),
        pytest.param(["draw", "net", "lenet", "--format", "mermaid"], id="draw-mermaid"),
    ],
)
def test_an_output_file_that_cannot_be_written_is_one_sentence(
    args: list[str], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from convcalc.cli import cli

    missing = tmp_path / "missing" / "out.txt"
    result = CliRunner().invoke(cli, [*args, "-o", str(missing)])
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: Could not open file '{missing}': No such file or directory\n")
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path)])  # a directory
    assert result.exit_code in (1, 2), result.output  # 2: export's option refuses it first
    assert result.stderr.startswith("Error: ")
    assert str(tmp_path) in result.stderr
    assert result.stderr.count("\n") == 1
