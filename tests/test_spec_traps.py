"""The traps a PyTorch user meets on a first spec, closed: each answer as PyTorch gives it."""

from __future__ import annotations

import pytest

from convcalc import BatchNorm2d, ShapeError
from convcalc.network import summarize
from convcalc.spec import load_spec


def _rows(text: str) -> list[tuple[str, tuple[int, ...], int, int]]:
    summary = summarize(load_spec(text, source="net.yaml"))
    return [(r.type, r.output_shape, r.params, r.macs) for r in summary.layer_rows()]


def test_call_text_gives_the_same_rows_as_the_short_form() -> None:
    call = "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(1, 20, 5)\n  - nn.ReLU(inplace=True)\n"
    short = "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: [20, 5]\n  - ReLU\n"
    assert (
        _rows(call)
        == _rows(short)
        == [
            ("Conv2d", (1, 20, 24, 24), 520, 288_000),
            ("ReLU", (1, 20, 24, 24), 0, 0),
        ]
    )


def test_call_text_binds_pytorch_signature_with_keywords_and_meta_keys() -> None:
    text = (
        "input: [1, 1, 28, 28]\n"
        "layers:\n"
        "  - torch.nn.Conv2d(1, 20, kernel_size=(5, 5), stride=2, bias=False):\n"
        "    id: conv\n"
        "  - nn.Flatten()\n"
        "  - nn.Linear(2880, 500)\n"
        "  - Add:\n"
        "    from: [-1, -1]\n"
    )
    network = load_spec(text)
    assert network.nodes[0].name == "conv"
    assert _rows(text) == [
        ("Conv2d", (1, 20, 12, 12), 500, 72_000),
        ("Flatten", (1, 2880), 0, 0),
        ("Linear", (1, 500), 1_440_500, 1_440_000),
        ("Add", (1, 500), 0, 0),
    ]


def test_yaml_1_2_exponent_is_a_float() -> None:
    text = "input: [1, 3, 8, 8]\nlayers:\n  - BatchNorm2d:\n      eps: 1e-6\n"
    layer = summarize(load_spec(text)).layer_rows()[0].layer
    assert isinstance(layer, BatchNorm2d)
    assert layer.eps == 1e-6


def test_quoted_exponent_stays_a_string() -> None:
    text = "input: [1, 3, 8, 8]\nlayers:\n  - BatchNorm2d: {eps: '1e-6'}\n"
    with pytest.raises(ShapeError) as info:
        summarize(load_spec(text, source="net.yaml"))
    assert str(info.value) == "net.yaml:3: layers[0] BatchNorm2d: eps must be a number, got '1e-6'"


def test_graph_layers_take_from_inside_their_arguments() -> None:
    inside = "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n    \n  - Add: {from: [input, -1]}\n"
    beside = "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - Add:\n    from: [input, -1]\n"
    concat = "input: [1, 3, 8, 8]\nlayers:\n  - ReLU\n  - Concat: {from: [input, -1], dim: 1}\n"
    assert _rows(inside) == _rows(beside)
    assert load_spec(inside).nodes[1].inputs == (-1, 0)
    assert _rows(concat)[-1] == ("Concat", (1, 6, 8, 8), 0, 0)


def test_a_flag_given_a_number_warns_after_the_same_layer_given_a_bool() -> None:
    # Equal arguments (1 == True) on the same input: each node's layer and warning are its
    # own, whichever came first.
    text = (
        "input: [1, 3, 8, 8]\n"
        "layers:\n"
        "  - Conv2d: {out_channels: 3, kernel_size: 1, bias: true}\n"
        "  - Conv2d: {out_channels: 3, kernel_size: 1, bias: true}\n"
        "  - Conv2d: {out_channels: 3, kernel_size: 1, bias: 1}\n"
    )
    summary = summarize(load_spec(text))
    layers = [row.layer for row in summary.layer_rows()]
    assert [type(getattr(layer, "bias", None)) for layer in layers] == [bool, bool, int]
    warnings = summary.warnings
    assert [(w.path, w.message) for w in warnings] == [
        (
            "layers[2]",
            "Conv2d: bias 1 is read as true, as PyTorch reads any nonzero number; write bias: true",
        )
    ]
