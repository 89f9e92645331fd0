"""Spec features the segmentation and detection entries use: several outputs, a block frozen
with trainable, and top-level parameters that read the network's input."""

from __future__ import annotations

import pytest

from convcalc import SpecError, load_spec, summarize
from convcalc.export import to_pytorch

PYRAMID = """
input: [1, 3, 64, 64]
layers:
  - Conv2d: {out_channels: 8, kernel_size: 3, stride: 2, padding: 1}
    id: fine
  - Conv2d: {out_channels: 8, kernel_size: 3, stride: 2, padding: 1}
    id: coarse
  - MaxPool2d: {kernel_size: 1, stride: 2}
    id: extra
outputs: [fine, coarse, extra]
"""


def test_outputs_lists_the_returned_tensors_in_order() -> None:
    summary = summarize(load_spec(PYRAMID))
    assert summary.outputs == ((1, 8, 32, 32), (1, 8, 16, 16), (1, 8, 8, 8))
    assert summary.output_shape == (1, 8, 32, 32)
    assert "-> outputs [1, 8, 32, 32], [1, 8, 16, 16], [1, 8, 8, 8]" in str(summary)


def test_one_output_is_the_last_entry() -> None:
    summary = summarize(load_spec(PYRAMID.replace("outputs: [fine, coarse, extra]\n", "")))
    assert summary.outputs == ((1, 8, 8, 8),)


def test_outputs_of_a_chunk_id_are_its_pieces() -> None:
    text = "input: [1, 4, 2]\nlayers:\n  - Chunk: {chunks: 2, dim: 1}\n    id: halves\n"
    summary = summarize(load_spec(text + "outputs: [halves]\n"))
    assert summary.outputs == ((1, 2, 2), (1, 2, 2))


def test_outputs_with_an_unknown_id_names_the_known_ones() -> None:
    with pytest.raises(SpecError) as info:
        load_spec(PYRAMID.replace("[fine, coarse, extra]", "[fine, corse]"))
    assert str(info.value) == (
        "<spec>:10:17: outputs[1]: no earlier entry has id 'corse' (did you mean 'coarse'?); "
        "an entry can only take input from 'input' or earlier ids (fine, coarse, extra)"
    )


def test_outputs_must_be_a_list_of_ids() -> None:
    with pytest.raises(SpecError, match=r"outputs: expected a list of ids, such as \[p2, p3\]"):
        load_spec(PYRAMID.replace("[fine, coarse, extra]", "fine"))
    with pytest.raises(SpecError, match=r"outputs\[0\]: expected an id, got 3"):
        load_spec(PYRAMID.replace("[fine, coarse, extra]", "[3]"))


def test_outputs_chosen_by_a_parameter() -> None:
    text = PYRAMID.replace("input:", "params: {all: false}\ninput:").replace(
        "[fine, coarse, extra]", """'${["fine", "extra"] if all else ["fine"]}'"""
    )
    assert len(summarize(load_spec(text)).outputs) == 1
    assert len(summarize(load_spec(text, params={"all": True})).outputs) == 2


def test_export_returns_a_tuple_for_several_outputs() -> None:
    source = to_pytorch(load_spec(PYRAMID))
    assert "        return (h0, h1, h2,)\n" in source
    assert "def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:" in source


BLOCKS = """
input: [1, 3, 16, 16]
params: {frozen: 1}
blocks:
  Pair:
    layers:
      - Conv2d: [4, 3]
      - Conv2d: [4, 3]
layers:
  - Pair:
    trainable: false
  - Pair:
    trainable: '${frozen < 1}'
  - Conv2d: [4, 1]
"""


def test_trainable_false_on_a_block_freezes_every_layer_in_it() -> None:
    summary = summarize(load_spec(BLOCKS))
    frozen = [r.name for r in summary.layer_rows() if r.params and not r.trainable_params]
    assert frozen == ["pair_1.conv2d_1", "pair_1.conv2d_2", "pair_2.conv2d_3", "pair_2.conv2d_4"]
    assert summary.totals.trainable_params == 4 * 4 + 4
    thawed = summarize(load_spec(BLOCKS, params={"frozen": 0}))
    assert thawed.totals.trainable_params == thawed.totals.params - 112 - 148


def test_trainable_expression_must_give_true_or_false() -> None:
    with pytest.raises(SpecError, match=r"layers\[1\]\.trainable: expected true or false, got 1"):
        load_spec(BLOCKS.replace("'${frozen < 1}'", "'${frozen}'"))


def test_top_level_parameter_reads_the_input() -> None:
    text = """
input: [1, 3, 20, 30]
params:
  size: '${[in_height, in_width]}'
layers:
  - Conv2d: {out_channels: 4, kernel_size: 3, stride: 2}
  - Upsample: {size: '${size}', mode: bilinear, align_corners: false}
"""
    network = load_spec(text)
    assert summarize(network).output_shape == (1, 4, 20, 30)
    assert summarize(network, (2, 3, 41, 17)).output_shape == (2, 4, 41, 17)
