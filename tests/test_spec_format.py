"""The format's means of writing modern networks: parameters, conditions, repeats from
expressions, the incoming tensor in ${...}, includes, shared modules, several outputs and
inputs, layer types as parameters, and the expression functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from convcalc import SpecError
from convcalc.network import summarize
from convcalc.spec import load_spec, parse_assignment

STAGES = """\
name: stages
input: [1, 64, 56, 56]
params:
  depth: 18
  blocks_per_stage: '${ {18: [2, 2, 2, 2], 34: [3, 4, 6, 3]}[depth] }'
blocks:
  Basic:
    params: {planes: null, stride: 1}
    layers:
      - Conv2d:
          {out_channels: '${planes}', kernel_size: 3, stride: '${stride}', padding: 1, bias: false}
      - BatchNorm2d
      - ReLU
      - Conv2d: {out_channels: '${planes}', kernel_size: 3, padding: 1, bias: false}
      - BatchNorm2d:
        id: main
      - Conv2d: {out_channels: '${planes}', kernel_size: 1, stride: '${stride}', bias: false}
        from: input
        if: '${stride != 1 or in_channels != planes}'
      - BatchNorm2d:
        id: shortcut
        if: '${stride != 1 or in_channels != planes}'
        from: -1
      - Add: {from: [main, shortcut]}
      - ReLU
  Stage:
    params: {planes: null, count: null, stride: 1}
    layers:
      - Basic: {planes: '${planes}', stride: '${stride}'}
      - Basic: '${planes}'
        repeat: '${count - 1}'
layers:
  - Stage: {planes: 64, count: '${blocks_per_stage[0]}'}
  - Stage: {planes: 128, count: '${blocks_per_stage[1]}', stride: 2}
"""


def _params(text: str, **params: Any) -> int:
    return summarize(load_spec(text, params=params)).totals.params


def test_conditions_and_repeats_from_parameters() -> None:
    # torchvision resnet18's layer1 + layer2: 147,968 + 525,568 parameters.
    assert _params(STAGES) == 147_968 + 525_568
    # resnet34's: 3 and 4 blocks.
    assert _params(STAGES, depth=34) == 221_952 + 1_116_416


def test_a_left_out_entry_passes_its_input_on() -> None:
    summary = summarize(load_spec(STAGES))
    types = [row.type for row in summary.layer_rows()]
    # The first stage has no projection shortcut, the second's first block has one.
    assert types.count("Conv2d") == 4 * 2 + 1
    assert summary.output_shape == (1, 128, 28, 28)


def test_repeat_zero_and_override_errors() -> None:
    text = "input: [1, 3, 8, 8]\nparams: {n: 2}\nlayers:\n  - ReLU:\n    repeat: '${n}'\n  - Tanh\n"
    assert [r.type for r in summarize(load_spec(text, params={"n": 0})).layer_rows()] == ["Tanh"]
    with pytest.raises(SpecError) as info:
        load_spec(text, params={"m": 1}, source="net.yaml")
    assert str(info.value) == ("net.yaml: no parameter 'm' to set; the spec's parameters: n")


def test_a_block_sees_no_repeat_index_of_the_entry_using_it() -> None:
    # A block's body sees its parameters and the spec's: the count of a repeated entry that
    # uses it is passed as a parameter, so every use of the block reads the same names.
    body = "blocks:\n  B:\n    params: {i: 0}\n    layers:\n      - Conv2d: ['${8 + %s}', 3]\n"
    uses = "layers:\n  - B: %s\n    repeat: 3\n"
    top = "input: [1, 3, 32, 32]\n"
    passed = load_spec(top + body % "i" + uses % "'${repeat_index}'")
    widths = [row.output_shape[1] for row in summarize(passed).layer_rows()]
    assert widths == [8, 9, 10]
    with pytest.raises(SpecError) as info:
        load_spec(top + body % "repeat_index" + uses % "{}", source="net.yaml")
    assert str(info.value) == (
        "net.yaml:6:18: blocks.B.layers[0].Conv2d[0]: no repeat here gives 'repeat_index' in "
        "${8 + repeat_index}; it counts the copies of an entry with 'repeat:', and a block that "
        "entry repeats takes it as a parameter, as {index: '${repeat_index}'}"
    )


def test_the_incoming_tensor_in_expressions_follows_the_input() -> None:
    text = (
        "input: [1, 64, 8, 8]\n"
        "layers:\n"
        "  - Conv2d: {out_channels: '${in_channels // 2}', kernel_size: 1}\n"
        "  - AvgPool2d: '${in_height // 4}'\n"
    )
    network = load_spec(text)
    assert summarize(network).output_shape == (1, 32, 4, 4)
    # Another input: the spec is read again for it.
    assert summarize(network, (1, 256, 16, 16)).output_shape == (1, 128, 4, 4)
    assert summarize(network, (1, 256, 32, 32)).output_shape == (1, 128, 4, 4)


def test_layer_type_as_a_block_parameter() -> None:
    text = (
        "input: [1, 8, 4, 4]\n"
        "blocks:\n"
        "  ConvAct:\n"
        "    params: {act: ReLU}\n"
        "    layers:\n"
        "      - Conv2d: [8, 1]\n"
        "      - '${act}'\n"
        "layers:\n"
        "  - ConvAct: {act: Hardswish}\n"
        "  - ConvAct\n"
        "  - ConvAct: {act: null}\n"
    )
    types = [r.type for r in summarize(load_spec(text)).layer_rows()]
    assert types == ["Conv2d", "Hardswish", "Conv2d", "ReLU", "Conv2d"]


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        pytest.param("make_divisible(16 * 1.0, 8)", 16, id="mobilenet-16"),
        pytest.param("make_divisible(40 * 0.75, 8)", 32, id="mobilenet-0.75"),
        pytest.param("make_divisible(int(32 * 1.1), 8)", 32, id="efficientnet-b2"),
        pytest.param("int(ceil(3 * 1.2))", 4, id="depth-mult"),
        pytest.param("max(16, min(8, 4))", 16, id="min-max"),
        pytest.param("round(2.5)", 2, id="round-half-even"),
        # regnet_x_1_6gf's second stage: 80 * 2.25 / 8 is 22.5, which torch.round makes 22
        pytest.param("round(80 * 2.25 ** 1 / 8) * 8", 176, id="round-half-even-regnet"),
        pytest.param("2 ** 10", 1024, id="power-int"),
        pytest.param("4 ** 0.5", 2.0, id="power-float"),
        pytest.param("2 ** -2", 0.25, id="power-negative"),
        pytest.param("log(8, 2)", 3.0, id="log-base"),
        pytest.param("round(log(2.718281828459045 ** 3))", 3, id="log-natural"),
        pytest.param("float(78) / 48", 1.625, id="float-division"),
        pytest.param("range(4)", (0, 1, 2, 3), id="range"),
        pytest.param("range(2, 10, 3)", (2, 5, 8), id="range-step"),
        pytest.param("[i * i for i in range(6) if i % 2 if i > 1]", (9, 25), id="comprehension-if"),
        pytest.param("[w for w in [8, 8, 16] if w == 8]", (8, 8), id="comprehension-count"),
        pytest.param("1 if 1 > 2 else 2", 2, id="conditional"),
        pytest.param("[1, 2, 3][-1]", 3, id="index"),
        pytest.param("True", True, id="python-true"),
        pytest.param("False or None", None, id="python-false"),
    ],
)
def test_expression_functions(expression: str, value: Any) -> None:
    text = f"input: [1, 3]\nparams: {{v: '${{{expression}}}'}}\nlayers:\n  - Identity\n"
    from convcalc.spec._expand import _Loader
    from convcalc.spec._yaml import _parse

    loader = _Loader("<spec>")
    loader.load(_parse(text, "<spec>"), "n")
    assert loader.top_values["v"] == value
    assert type(loader.top_values["v"]) is type(value)


def test_include_and_its_cycle(tmp_path: Path) -> None:
    (tmp_path / "blocks.yaml").write_text(
        "blocks:\n  Pair:\n    layers:\n      - Conv2d: [4, 1]\n      - ReLU\n"
    )
    spec = tmp_path / "net.yaml"
    spec.write_text("input: [1, 3, 8, 8]\ninclude: blocks.yaml\nlayers:\n  - Pair\n  - Pair\n")
    assert summarize(load_spec(str(spec))).totals.params == 16 + 20
    (tmp_path / "a.yaml").write_text("include: b.yaml\nblocks: {}\n")
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n")
    spec.write_text("input: [1, 3, 8, 8]\ninclude: a.yaml\nlayers:\n  - ReLU\n")
    with pytest.raises(SpecError) as info:
        load_spec(str(spec))
    assert str(info.value) == (
        f"{tmp_path / 'b.yaml'}:1:11: include[0]: include cycle: net.yaml -> a.yaml -> b.yaml "
        "-> a.yaml; a file cannot include itself, directly or not"
    )


def test_a_shared_module_counts_its_parameters_once() -> None:
    text = (
        "input: [1, 8, 4, 4]\n"
        "layers:\n"
        "  - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}\n"
        "    id: conv\n"
        "  - ReLU\n"
        "  - share: conv\n"
        "  - Add: {from: [conv, -1]}\n"
    )
    summary = summarize(load_spec(text))
    rows = summary.layer_rows()
    assert [(r.type, r.params, r.macs, r.shared_with) for r in rows] == [
        ("Conv2d", 584, 9_216, None),
        ("ReLU", 0, 0, None),
        ("Conv2d", 0, 9_216, "conv"),
        ("Add", 0, 0, None),
    ]
    assert summary.totals.params == 584


def test_chunk_split_and_a_block_with_two_inputs() -> None:
    text = (
        "input: [1, 116, 28, 28]\n"
        "blocks:\n"
        "  Join:\n"
        "    inputs: [left, right]\n"
        "    layers:\n"
        "      - Conv2d: [58, 1]\n"
        "        from: right\n"
        "      - Concat: {from: [left, -1]}\n"
        "layers:\n"
        "  - Chunk: {chunks: 2, dim: 1}\n"
        "    id: halves\n"
        "  - Join:\n"
        "    from: [halves.0, halves.1]\n"
        "  - Split: {split_size_or_sections: [16, 100], dim: 1}\n"
        "    id: parts\n"
        "  - Concat: {from: parts}\n"
    )
    summary = summarize(load_spec(text))
    assert [(r.name, r.output_shape[1]) for r in summary.layer_rows()] == [
        ("halves.0", 58),
        ("halves.1", 58),
        ("join_1.conv2d_1", 58),
        ("join_1.concat_1", 116),
        ("parts.0", 16),
        ("parts.1", 100),
        ("concat_2", 116),
    ]


def test_chunk_taken_whole_by_one_input_layer_is_an_error() -> None:
    text = "input: [1, 4, 2, 2]\nlayers:\n  - Chunk: {chunks: 2, dim: 1}\n  - ReLU\n"
    with pytest.raises(SpecError) as info:
        load_spec(text, source="net.yaml")
    assert str(info.value) == (
        "net.yaml:4:5: layers[1]: the entry before gives 2 tensors (Chunk or Split); take one "
        "with 'from: ID.0' (give that entry an id)"
    )


def test_parse_assignment() -> None:
    assert parse_assignment("depth=101") == ("depth", 101)
    assert parse_assignment("width=1.5") == ("width", 1.5)
    assert parse_assignment("layers=[3, 4, 6, 3]") == ("layers", [3, 4, 6, 3])
    assert parse_assignment("variant=b7") == ("variant", "b7")
    with pytest.raises(SpecError) as info:
        parse_assignment("depth")
    assert str(info.value) == "expected NAME=VALUE, such as depth=101, got 'depth'"


CHECKED = """\
input: [1, 3, 32, 32]
params:
  width: 32
  groups: 4
  per_group: '${width // groups}'
checks:
  - if: '${width % 8 != 0}'
    error: width must be a multiple of 8
  - if: '${groups < 1}'
    error: groups must be positive
blocks:
  Basic:
    params: {dilation: 1, channels: '${in_channels}'}
    checks:
      - if: '${dilation > 1 and channels < 16}'
        error: a dilated Basic needs 16 channels
    layers:
      - Conv2d: ['${width}', 3, 1, '${dilation}', '${dilation}']
layers:
  - Basic
  - Basic: {dilation: 2}
"""


def test_checks_refuse_arguments_where_their_condition_holds() -> None:
    assert summarize(load_spec(CHECKED)).output_shape == (1, 32, 32, 32)  # padding = dilation
    with pytest.raises(SpecError, match=r"^<spec>:7:5: checks\[0\]: width must be a multiple"):
        load_spec(CHECKED, params={"width": 30})
    # Before the parameter's own error (a division by zero in per_group), as a builder
    # checks its arguments before it works with them.
    with pytest.raises(SpecError, match=r"^<spec>:9:5: checks\[1\]: groups must be positive$"):
        load_spec(CHECKED, params={"groups": 0})
    # A block's checks run at each use, reading its parameters and its incoming tensor.
    text = CHECKED.replace("  - Basic\n  - Basic: {dilation: 2}", "  - Basic: {dilation: 2}")
    with pytest.raises(SpecError, match=r"blocks\.Basic\.checks\[0\]: a dilated Basic needs 16"):
        load_spec(text)


def test_a_parameter_error_no_check_covers_is_the_parameter_s() -> None:
    text = CHECKED.replace("per_group: '${width // groups}'", "per_group: '${width // 0}'")
    with pytest.raises(SpecError, match=r"params\.per_group: division by zero"):
        load_spec(text)


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        ("checks: 3", "checks: expected a list of checks such as"),
        ("checks:\n  - {if: true}", r"checks\[0\]: expected a check such as"),
        ("checks:\n  - {if: true, error: 2}", r"checks\[0\]: expected a check such as"),
        ("checks:\n  - {if: true, error: ' '}", r"checks\[0\]: expected a check such as"),
        ("checks:\n  - {if: '${[1]}', error: x}", r"checks\[0\]\.if: expected true or false"),
    ],
)
def test_malformed_checks_are_one_sentence(checks: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        load_spec(f"input: [1, 3]\n{checks}\nlayers:\n  - ReLU\n")


def test_python_s_syntax_warnings_stay_out_of_a_spec_s_output() -> None:
    """``4if a else 2`` parses with a SyntaxWarning that Python prints: not convcalc's."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        network = load_spec(
            "input: [1, 3, 8, 8]\nlayers:\n  - Conv2d: ['${4if 1 else 2}', 1]\n"
            "  - Conv2d(4, 3, 1)\n"
        )
    assert summarize(network).output_shape == (1, 3, 8, 8)
    assert [str(w.message) for w in caught] == []
