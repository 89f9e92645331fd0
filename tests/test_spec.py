"""Specs that load: the format's features, the zoo, and the line-numbered errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from convcalc import ShapeError, SpecError
from convcalc.network import summarize
from convcalc.spec import load_spec, load_spec_file, zoo_names, zoo_text

# The spec exactly as the format's documentation gives it.
LENET = """\
name: lenet
input: [64, 1, 28, 28]      # as PyTorch sees the tensor; batch optional
layers:
  - Conv2d: [20, 5]         # positional args are PyTorch's, minus the first size argument
  - ReLU
  - MaxPool2d: 2
  - Conv2d: {out_channels: 50, kernel_size: 5}
  - ReLU
  - MaxPool2d: 2
  - Flatten
  - Linear: 500             # in_features inferred: 800 = 50×4×4
  - ReLU
  - Linear: 10
"""


def test_lenet_spec() -> None:
    summary = summarize(load_spec(LENET, source="lenet.yaml"))
    assert summary.totals.params == 431_080
    linear = summary.layer_rows()[7]
    assert linear.layer is not None
    assert linear.layer.in_features == 800  # type: ignore[union-attr]
    assert summary.output_shape == (64, 10)


def test_input_override_and_unbatched_input() -> None:
    net = load_spec(LENET)
    # Unbatched, Flatten() (start_dim=1) keeps the 50 channels apart, as in PyTorch, and
    # Linear(16, 500) applies to each of them.
    assert summarize(net, (1, 28, 28)).output_shape == (50, 10)
    assert summarize(net, (2, 1, 28, 28)).output_shape == (2, 10)


def test_json_spec() -> None:
    text = '{"input": [1, 3, 8, 8], "layers": [{"Conv2d": [4, 3]}, "ReLU", "Flatten"]}'
    assert summarize(load_spec(text)).output_shape == (1, 144)


def test_lenet_linear_mismatch_names_layer_and_line() -> None:
    bad = LENET.replace(
        "  - Linear: 500             # in_features inferred: 800 = 50×4×4",
        "  - Linear: {in_features: 500, out_features: 500}",
    )
    with pytest.raises(ShapeError) as info:
        summarize(load_spec(bad, source="lenet.yaml"))
    assert str(info.value) == (
        "lenet.yaml:11: layers[7] Linear: in_features is 500, but the incoming tensor "
        "flattens to 800 (= 50×4×4); leave in_features out to infer it, or make it 800"
    )


def test_graph_with_ids_and_relative_from() -> None:
    text = """
input: [1, 8, 16, 16]
layers:
  - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}
    id: a
  - ReLU
  - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}
  - Add:
    from: [-1, a]
  - Concat: {dim: 1}
    from: [-1, input]
  - Mul:
    from: [-1, -1]
"""
    summary = summarize(load_spec(text))
    assert [r.output_shape for r in summary.layer_rows()][-3:] == [
        (1, 8, 16, 16),
        (1, 16, 16, 16),
        (1, 16, 16, 16),
    ]


def test_repeat_and_trainable() -> None:
    text = """
input: [2, 4, 8, 8]
layers:
  - Conv2d: {out_channels: 4, kernel_size: 3, padding: 1}
    repeat: 3
    trainable: false
  - Conv2d: {out_channels: 4, kernel_size: 1}
"""
    summary = summarize(load_spec(text))
    assert len(summary.layer_rows()) == 4
    assert summary.totals.non_trainable_params == 3 * (4 * 4 * 9 + 4)
    assert summary.totals.trainable_params == 4 * 4 + 4


def test_blocks_with_parameters_and_expressions() -> None:
    text = """
input: [1, 16, 32, 32]
blocks:
  Bottleneck:
    params: {planes: null, stride: 1, expansion: 4}
    layers:
      - Conv2d: {out_channels: '${planes}', kernel_size: 1, bias: false}
      - Conv2d: {out_channels: '${planes}', kernel_size: 3, stride: '${stride}', padding: 1}
      - Conv2d: {out_channels: '${planes * expansion}', kernel_size: 1}
        id: main
      - Conv2d: {out_channels: '${planes * expansion}', kernel_size: 1, stride: '${stride}'}
        from: input
      - Add:
        from: [main, -1]
layers:
  - Bottleneck: {planes: 8, stride: 2}
  - Bottleneck: [4]
"""
    net = load_spec(text)
    summary = summarize(net)
    assert summary.output_shape == (1, 16, 16, 16)
    blocks = [r for r in summary.rows if r.is_block]
    assert [b.type for b in blocks] == ["Bottleneck", "Bottleneck"]
    assert blocks[0].params == sum(r.params for r in summary.layer_rows()[:5])


@pytest.mark.parametrize(
    ("expression", "value"),
    [("${w * 4}", 32), ("${(w + 2) // 3}", 3), ("${w / 2}", 4), ("${-w + 10}", 2), ("${w % 3}", 2)],
)
def test_expressions(expression: str, value: int) -> None:
    text = f"""
input: [1, 1, 4]
blocks:
  B:
    params: {{w: 8}}
    layers:
      - Linear: ['{expression}']
layers:
  - B
"""
    assert summarize(load_spec(text)).output_shape == (1, 1, value)


def test_zoo_entries_load() -> None:
    assert "lenet" in zoo_names()
    assert zoo_text("lenet").startswith("# LeNet")
    assert summarize(load_spec_file("lenet")).totals.params == 431_080


def test_missing_file_lists_the_zoo() -> None:
    with pytest.raises(
        SpecError,
        match=r"^nope.yaml: no such file, and no zoo entry by that "
        r"name \(the zoo has: .*lenet",
    ):
        load_spec_file("nope.yaml")


def test_spec_file_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("layers: [" + "ReLU, " * 400_000 + "ReLU]\n")
    with pytest.raises(SpecError, match="larger than 2,000,000 bytes"):
        load_spec_file(str(big))


def test_ten_thousand_layers_load() -> None:
    text = "input: [1, 8, 16, 16]\nlayers:\n" + "  - Conv2d: [8, 3, 1, 1]\n  - ReLU\n" * 5000
    summary = summarize(load_spec(text))
    assert len(summary.layer_rows()) == 10_000
    assert summary.output_shape == (1, 8, 16, 16)
