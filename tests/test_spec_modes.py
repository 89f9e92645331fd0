"""Eval and train mode: training-only entries, weight sharing, and the warnings channel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convcalc import ShapeError, SpecError
from convcalc.network import Mode, SpecWarning, summarize
from convcalc.spec import load_spec

AUX = """\
name: aux
input: [1, 3, 32, 32]
blocks:
  Head:
    params: {classes: 10}
    layers:
      - AdaptiveAvgPool2d: 1
      - Flatten
      - Linear: '${classes}'
layers:
  - Conv2d: [16, 3]
    id: stem
  - Head: {classes: 5}
    train_only: true
  - Linear: 7
    from: stem
    train_only: true
  - AdaptiveAvgPool2d: 1
    from: stem
  - Flatten
  - Linear: 10
"""


def test_train_only_entries_count_parameters_always_and_rows_only_in_train() -> None:
    network = load_spec(AUX)
    evaluated = summarize(network)
    trained = summarize(network, mode="train")
    assert evaluated.mode is Mode.EVAL
    assert trained.mode is Mode.TRAIN
    # conv 3*16*9+16 = 448; head 16*5+5 = 85; side Linear 30*7+7 = 217; classifier 16*10+10
    assert evaluated.totals.params == trained.totals.params == 448 + 85 + 217 + 170
    assert evaluated.totals.idle_params == 85 + 217
    assert trained.totals.idle_params == 0
    assert [r.name for r in evaluated.layer_rows()] == [
        "stem",
        "adaptiveavgpool2d_2",
        "flatten_2",
        "linear_3",
    ]
    assert len(trained.layer_rows()) == 8
    assert trained.totals.macs - evaluated.totals.macs == 16 * 5 + 16 * 30 * 30 * 7
    assert evaluated.output_shape == trained.output_shape == (1, 10)


def test_in_eval_a_training_only_head_need_not_fit_the_input() -> None:
    """PyTorch's Inception v3 runs from 75 pixels in eval, where its auxiliary head, which
    only training runs, needs 299: the head counts what it was built with on 299."""
    from convcalc.spec import load_spec_file

    network = load_spec_file("inception_v3")
    own = summarize(network)
    small = summarize(network, (1, 3, 75, 75))
    assert small.output_shape == (1, 1000)
    assert small.totals.params == own.totals.params == 27_161_264  # torchvision, aux_logits
    assert small.totals.idle_params == own.totals.idle_params > 0
    with pytest.raises(ShapeError, match=r"Mixed_7a|2x2"):
        summarize(network, (1, 3, 74, 74))  # the main path stops here, as in PyTorch
    with pytest.raises(ShapeError, match=r"AuxLogits|InceptionAux"):
        summarize(network, (1, 3, 75, 75), mode="train")


def test_a_training_only_entry_that_fails_on_the_spec_s_own_input_stays_an_error() -> None:
    text = AUX.replace("input: [1, 3, 32, 32]", "input: [1, 3, 8, 8]").replace(
        "  - Linear: 7\n    from: stem", "  - Conv2d: [4, 7]\n    from: stem"
    )
    network = load_spec(text)
    with pytest.raises(ShapeError, match=r"input 6x6 .* kernel 7x7"):
        summarize(network)
    with pytest.raises(ShapeError, match=r"input 5x5 .* kernel 7x7"):
        summarize(network, (1, 3, 7, 7))
    # Where it fits on the spec's own input, another input it does not fit is fine in eval.
    fits = load_spec(text.replace("input: [1, 3, 8, 8]", "input: [1, 3, 16, 16]"))
    assert summarize(fits, (1, 3, 7, 7)).totals.params == summarize(fits).totals.params


def test_mode_is_checked() -> None:
    with pytest.raises(ValueError, match=r"^mode must be 'eval' or 'train', got 'test'$"):
        summarize(load_spec(AUX), mode="test")


def test_train_only_must_be_a_boolean() -> None:
    text = "input: [1, 3, 8, 8]\nlayers:\n  - ReLU:\n    train_only: 1\n"
    with pytest.raises(SpecError) as info:
        load_spec(text, source="net.yaml")
    assert str(info.value) == "net.yaml:4:17: layers[0].train_only: expected true or false, got 1"


WARNED = [
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: [1, 20, 5]\n",
        "net.yaml:3: layers[0] Conv2d: [1, 20, 5] means out_channels=1, kernel_size=20, "
        "stride=5, since in_channels is inferred from the incoming tensor; PyTorch's "
        "Conv2d(1, 20, 5) means in_channels=1, out_channels=20, kernel_size=5: for that, write "
        "Conv2d: [20, 5] or - Conv2d(1, 20, 5)",
        id="conv-both-readings",
    ),
    pytest.param(
        "input: [1, 800]\nlayers:\n  - Linear: [800, 500]\n",
        "net.yaml:3: layers[0] Linear: [800, 500] means out_features=800, bias=500, since "
        "in_features is inferred from the incoming tensor; PyTorch's Linear(800, 500) means "
        "in_features=800, out_features=500: for that, write Linear: [500] or - Linear(800, 500)",
        id="linear-both-readings",
    ),
    pytest.param(
        "input: [1, 800]\nlayers:\n  - Linear: {out_features: 10, bias: 500}\n",
        "net.yaml:3: layers[0] Linear: bias 500 is read as true, as PyTorch reads any nonzero "
        "number; write bias: true",
        id="bias-number",
    ),
    pytest.param(
        "input: [1, 28, 28]\nlayers:\n  - Conv2d: [20, 5]\n  - MaxPool2d: 2\n  - Flatten\n",
        "net.yaml:5: layers[2] Flatten starts at dimension 1, as PyTorch's does, but the "
        "20x12x12 input has no batch dimension, so it gives 20x144, not 2880; give the input a "
        "batch dimension (1x20x12x12) or write Flatten: {start_dim: 0}",
        id="flatten-unbatched",
    ),
    pytest.param(
        "input: [1, 1, 28, 28]\nlayers:\n  - Conv2d: [20, 5]\n  - ReLU\n  - Linear: 500\n",
        "net.yaml:5: layers[2] Linear works on the last dimension (24 of 1x20x24x24); a Flatten "
        "is probably missing before it (it would give 11520 = 20×24×24)",
        id="linear-without-flatten",
    ),
    pytest.param(
        "input: [1, 3, 8, 8]\nlayers:\n  - BatchNorm2d: 3\n",
        "net.yaml:3: layers[0] BatchNorm2d: [3] means eps=3, since num_features is inferred "
        "from the incoming tensor; PyTorch's BatchNorm2d(3) means num_features=3: for that, "
        "write BatchNorm2d or - BatchNorm2d(3)",
        id="batchnorm-eps",
    ),
]


@pytest.mark.parametrize(("text", "message"), WARNED)
def test_accepted_but_doubtful_specs_warn(text: str, message: str) -> None:
    summary = summarize(load_spec(text, source="net.yaml"))
    assert [str(w) for w in summary.warnings] == [message]
    assert json.loads(json.dumps([w.as_dict() for w in summary.warnings]))[0]["line"] == int(
        message.split(":")[1]
    )


CLEAN = [
    pytest.param("input: [1, 64, 8, 8]\nlayers:\n  - Conv2d: [64, 3, 1]\n", id="conv-list"),
    pytest.param("input: [1, 1, 28, 28]\nlayers:\n  - Conv2d(1, 20, 5)\n", id="call-text"),
    pytest.param("input: [1, 800]\nlayers:\n  - Linear: [500, false]\n", id="linear-flag"),
    pytest.param("input: [1, 20, 8, 8]\nlayers:\n  - Flatten\n  - Linear: 5\n", id="flatten"),
    pytest.param("input: [1, 8, 16]\nlayers:\n  - Linear: 5\n", id="tokens"),
    pytest.param("input: [1, 8, 8, 8]\nlayers:\n  - GroupNorm: [2]\n", id="groupnorm"),
]


@pytest.mark.parametrize("text", CLEAN)
def test_plain_specs_do_not_warn(text: str) -> None:
    assert summarize(load_spec(text)).warnings == ()


def test_warning_text_without_a_file() -> None:
    assert str(SpecWarning("something")) == "something"
    assert SpecWarning("x", line=3).as_dict() == {
        "source": None,
        "line": 3,
        "path": "",
        "message": "x",
    }


def test_batchnorm_on_one_value_per_channel_is_refused_only_in_training() -> None:
    text = "input: [1, 8, 1, 1]\nlayers:\n  - BatchNorm2d\n"
    network = load_spec(text, source="net.yaml")
    assert summarize(network).output_shape == (1, 8, 1, 1)
    with pytest.raises(ShapeError) as info:
        summarize(network, mode="train")
    assert str(info.value) == (
        "net.yaml:3: layers[0] BatchNorm2d: input 1x8x1x1 has one value per channel, which a "
        "training-mode batch norm cannot normalise; use a larger batch or spatial size"
    )


def test_cli_mode_set_and_warnings(tmp_path: Path) -> None:
    from test_cli import invoke

    spec = tmp_path / "aux.yaml"
    spec.write_text(AUX)
    evaluated = json.loads(invoke(["net", str(spec), "--format", "json"]).stdout)
    trained = json.loads(invoke(["net", str(spec), "--format", "json", "--mode", "train"]).stdout)
    assert len(trained["layers"]) - len(evaluated["layers"]) == 4  # the heads' layers
    assert evaluated["totals"]["params"] == trained["totals"]["params"] == 920
    lenet = tmp_path / "warned.yaml"
    lenet.write_text("input: [1, 800]\nparams: {n: 10}\nlayers:\n  - Linear: [800, '${n}']\n")
    result = invoke(["net", str(lenet), "--set", "n=500"])
    assert result.stderr == (
        f"Warning: {lenet}:4: layers[0] Linear: [800, 500] means out_features=800, bias=500, "
        "since in_features is inferred from the incoming tensor; PyTorch's Linear(800, 500) "
        "means in_features=800, out_features=500: for that, write Linear: [500] or - "
        "Linear(800, 500)\n"
    )
    exported = invoke(["export", str(lenet), "--set", "n=7", "--mode", "train"]).stdout
    assert "nn.Linear(in_features=800, out_features=800, bias=7)" in exported


def test_a_spec_read_again_for_another_input_keeps_its_head_as_built() -> None:
    """A spec that reads its incoming tensor is read again for another input (Network.at):
    the analyses and the export, which ask for it so, count its training-only head as built
    for the input it was loaded for, as summarize does."""
    from convcalc.analysis import explain_network, receptive_field, valid_inputs
    from convcalc.export import to_pytorch

    network = load_spec(
        "input: [1, 3, 32, 32]\n"
        "layers:\n"
        "  - Conv2d: ['${in_channels * 2}', 3, 2]\n"
        "    id: stem\n"
        "  - Conv2d: [4, 7]\n"
        "    train_only: true\n"
        "  - AdaptiveAvgPool2d: 1\n"
        "    from: stem\n"
    )
    small = (1, 3, 12, 12)  # the head's 7x7 kernel does not fit the stem's 5x5 output
    again = network.at(small)
    assert again.built_for == (1, 3, 32, 32)
    assert again.own_input() == network.own_input() == (1, 3, 32, 32)
    assert summarize(again).totals.params == summarize(network).totals.params
    assert [n.name for n in receptive_field(network, small).nodes] == [
        "stem",
        "adaptiveavgpool2d_1",
    ]
    assert explain_network(network, small).layers[-1].output_shape == (1, 6, 1, 1)
    assert valid_inputs(network, small).axes[0].rule() == "H ≥ 3"
    assert "for the spec's\ninput [1, 3, 32, 32]" in to_pytorch(network, small)
    with pytest.raises(ShapeError, match="kernel 7x7"):
        summarize(network, small, mode="train")
