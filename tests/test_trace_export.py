"""A traced model as a network and as a YAML spec (issue 9), and the analysis of it (issue 10).

``convcalc trace --export spec`` writes a spec that ``convcalc net`` summarises to the same
table as ``convcalc net FILE.py``; the trace's ``network`` answers ``--explain``, receptive
fields and valid inputs as the equivalent spec does. What a spec cannot express stops with
exit code 3 at its line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torchvision_models
import trace_corpus_index as index
from click.testing import CliRunner, Result

import convcalc
from convcalc.analysis import receptive_field, valid_inputs
from convcalc.cli import cli
from convcalc.errors import UntraceableError
from convcalc.network import summarize
from convcalc.render.summary import summary_lines
from convcalc.spec import load_spec
from convcalc.trace import spec_text

ENTRIES = {entry.key: entry for entry in index.entries()}
MODELS = sorted(key for key, entry in ENTRIES.items() if entry.kind != "bugs")

# The corpus models a spec cannot express, each with the start of its reason (docs/trace.md
# lists them).
NOT_EXPORTED = {
    "models/attention_pool.py": "attention_pool.py:18: cannot export: .sum() on this line",
    "models/cifar_resnet_option_a.py": "cifar_resnet_option_a.py:42: cannot export: the "
    "indexing on this line",
    "models/module_dict.py": "cannot export: the network's totals differ from the trace's",
    "models/multiscale_split.py": "cannot export: self.gate (ECAGate) runs twice",
    "models/raw_parameters.py": "Scale holds parameters or buffers, which a function call has "
    "nowhere to keep",
    "models/siamese.py": "cannot export: self.cnn (Sequential) runs twice",
    "models/unet_crop.py": "unet_crop.py:23: cannot export: the indexing on this line",
}

LENET = """\
import torch.nn as nn
import torch.nn.functional as F


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.fc1 = nn.Linear(800, 500)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)
"""


def invoke(args: list[str], exit_code: int = 0) -> Result:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == exit_code, (result.stdout, result.stderr, result.exception)
    return result


def _table(summary: Any) -> list[str]:
    return [line for line, _ in summary_lines(summary)]


def _trace(entry: index.Entry) -> Any:
    return convcalc.trace(
        str(entry.path),
        cls=entry.cls,
        inputs=[tuple(s) for s in entry.inputs],
        init=entry.init or None,
        mode=entry.mode,
    )


@pytest.fixture
def lenet(tmp_path: Path) -> Path:
    path = tmp_path / "lenet.py"
    path.write_text(LENET, encoding="utf-8")
    return path


@pytest.mark.parametrize("key", MODELS)
def test_corpus_model_exports_a_spec_with_the_same_table(key: str) -> None:
    """Every corpus model that works: the exported spec gives the trace's table, line for
    line (rows, shapes, parameters, MACs, totals); the others stop with their reason."""
    entry = ENTRIES[key]
    summary = _trace(entry)
    if key in NOT_EXPORTED:
        with pytest.raises(UntraceableError) as caught:
            spec_text(summary)
        assert NOT_EXPORTED[key] in str(caught.value)
        assert caught.value.exit_code == 3
        return
    text = spec_text(summary)
    spec = summarize(load_spec(text), mode=entry.mode)
    assert _table(spec) == _table(summary)
    assert _table(summarize(summary.network, mode=entry.mode)) == _table(summary)


def test_not_exported_lists_only_corpus_models() -> None:
    assert set(NOT_EXPORTED) <= set(MODELS)


TORCHVISION_SAMPLE = [
    "alexnet",
    "convnext_tiny",
    "densenet121",
    "efficientnet_b0",
    "mnasnet0_5",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "regnet_x_400mf",
    "resnet18",
    "resnext50_32x4d",
    "shufflenet_v2_x0_5",
    "squeezenet1_0",
    "vgg11",
]


@pytest.mark.parametrize("name", TORCHVISION_SAMPLE)
def test_torchvision_builder_exports_a_spec_with_the_same_table(name: str) -> None:
    package_dir = torchvision_models.installed_dir()
    if package_dir is None:
        pytest.skip("torchvision is not installed (pip install --no-deps torchvision==0.28.0)")
    fixtures = Path(__file__).parent / "fixtures" / "torchvision_models.json"
    record = json.loads(fixtures.read_text(encoding="utf-8"))["builders"][name]
    path = package_dir / "models" / record["file"]
    summary = convcalc.trace(str(path), cls=name, inputs=[tuple(record["input_shape"])])
    spec = summarize(load_spec(spec_text(summary)))
    assert _table(spec) == _table(summary)
    assert spec.totals.params == record["torch"]["params"]


def test_torchvision_googlenet_does_not_export_its_idle_auxiliary_heads() -> None:
    """In eval mode the auxiliary heads never run, so the trace has no operations for their
    parameters: the export refuses rather than give a spec with fewer parameters."""
    package_dir = torchvision_models.installed_dir()
    if package_dir is None:
        pytest.skip("torchvision is not installed")
    summary = convcalc.trace(
        str(package_dir / "models" / "googlenet.py"), cls="googlenet", inputs=[(1, 3, 224, 224)]
    )
    with pytest.raises(UntraceableError, match="modules it does not call"):
        spec_text(summary)


def test_export_cli_writes_a_spec_net_prints_as_the_model(lenet: Path, tmp_path: Path) -> None:
    out = tmp_path / "lenet.yaml"
    result = invoke(["trace", str(lenet), "-i", "64x1x28x28", "--export", "spec", "-o", str(out)])
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "functional: true" in text
    from_model = invoke(["net", str(lenet), "-i", "64x1x28x28"]).stdout
    from_spec = invoke(["net", str(out)]).stdout
    assert from_spec == from_model
    assert invoke(["trace", str(lenet), "-i", "64x1x28x28", "--export", "spec"]).stdout == text


def test_export_of_what_a_spec_cannot_say_exits_3_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "crop.py"
    path.write_text(
        "import torch.nn as nn\n\n\n"
        "class Crop(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(3, 8, 3)\n\n"
        "    def forward(self, x):\n"
        "        x = self.conv(x)\n"
        "        return x[:, :, 1:-1, 1:-1]\n",
        encoding="utf-8",
    )
    result = invoke(["trace", str(path), "-i", "1x3x16x16", "--export", "spec"], exit_code=3)
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {path}:11: cannot export: the indexing on this line: the spec format has no "
        "entry for it\n"
    )
    invoke(["trace", str(path), "-i", "1x3x16x16", "--explain"], exit_code=3)


def test_exported_spec_reads_blocks_of_the_model_classes() -> None:
    """Submodules become blocks named after their classes; instances that differ get a
    definition each, shown with the class's name."""
    text = spec_text(_trace(ENTRIES["models/cifar_resnet18.py"]))
    assert "\n  BasicBlock:\n    layers:\n" in text
    assert "  BasicBlock_2:\n    type: BasicBlock\n" in text
    assert "- Add:\n" in text


def test_trace_explain_derives_800_as_net_lenet_does(lenet: Path) -> None:
    traced = invoke(["trace", str(lenet), "-i", "64x1x28x28", "--explain"]).stdout
    spec = invoke(["net", "lenet", "--explain"]).stdout
    derivation = [line for line in spec.splitlines() if line.startswith("flatten: 800")]
    assert derivation == [
        "flatten: 800 = 50 × 4 × 4; 4 = ⌊(8 − 2)/2⌋ + 1; 8 = 12 − 5 + 1; "
        "12 = ⌊(24 − 2)/2⌋ + 1; 24 = 28 − 5 + 1"
    ]
    assert derivation[0] in traced.splitlines()
    assert "  H_out = ⌊(28 + 2·0 − 1·(5−1) − 1) / 1⌋ + 1 = 24" in traced.splitlines()


def test_net_of_a_model_file_explains_as_trace_does(lenet: Path) -> None:
    out = invoke(["net", str(lenet), "-i", "64x1x28x28", "--explain"]).stdout
    assert "flatten: 800 = 50 × 4 × 4; 4 = ⌊(8 − 2)/2⌋ + 1; 8 = 12 − 5 + 1; " in out


def _unnamed(lines: list[str]) -> list[str]:
    """Receptive-field lines without the entry names (a block's entries are named by its
    instance in a spec, by the module's path in a trace)."""
    return [line.split(" (", 1)[-1].split(")", 1)[-1].strip() for line in lines]


def test_receptive_fields_of_a_traced_model_are_the_equivalent_spec_s() -> None:
    for key in ("models/cifar_resnet18.py", "models/unet_pad.py", "models/inception_block.py"):
        summary = _trace(ENTRIES[key])
        spec = load_spec(spec_text(summary))
        shape = summary.input_shape
        traced = receptive_field(summary.network, shape).lines()
        assert _unnamed(traced) == _unnamed(receptive_field(spec, shape).lines()), key
        assert len(traced) > 3


def test_trace_columns_rf_prints_the_spec_s_receptive_fields(lenet: Path, tmp_path: Path) -> None:
    out = tmp_path / "lenet.yaml"
    invoke(["trace", str(lenet), "-i", "64x1x28x28", "--export", "spec", "-o", str(out)])
    traced = invoke(["trace", str(lenet), "-i", "64x1x28x28", "--columns", "rf"]).stdout
    spec = invoke(["net", str(out), "--columns", "rf"]).stdout
    # The traced lines, then the same table with the same receptive-field columns.
    assert "RF Size" in spec
    assert "[14, 14]" in spec  # conv2: 14 / 2 / 6.5, as in the zoo lenet
    assert traced.endswith(spec)


def test_valid_inputs_of_a_traced_u_net() -> None:
    """The zoo-style rule of the padded U-Net as traced: checked against the traced graph's
    own summaries size by size."""
    entry = ENTRIES["models/unet_pad.py"]
    summary = _trace(entry)
    network = summary.network
    found = valid_inputs(network, summary.input_shape, high=160)
    rule = found.axes[0]
    ok = []
    for h in range(1, 161):
        try:
            summarize(network, (1, 3, h, 100))
        except convcalc.ConvCalcError:
            continue
        ok.append(h)
    assert [h for h in range(1, 161) if rule.accepts(h)] == ok
    assert 100 in ok


def test_trace_valid_inputs_cli(lenet: Path) -> None:
    out = invoke(["trace", str(lenet), "-i", "64x1x28x28", "--valid-inputs"]).stdout
    assert "Valid input sizes" in out


# The spec side: functional entries and block types.

FUNCTIONAL = """\
name: gated
input: [2, 3, 8, 8]
blocks:
  Pool:
    layers:
      - AdaptiveAvgPool2d: 1
        functional: true
  Body_2:
    type: Body
    layers:
      - Conv2d: [4, 3]
      - ReLU:
        functional: true
layers:
  - Body_2
  - Pool
  - Flatten:
    functional: true
  - Linear: 5
"""


def test_functional_entries_have_no_row_but_count() -> None:
    """A functional entry keeps its row for analysis (flagged) but the table, JSON and CSV
    leave it out; a block of functional entries shows as one row with its totals."""
    from convcalc.render.data import render_csv, summary_dict

    summary = summarize(load_spec(FUNCTIONAL))
    assert [(r.type, r.functional) for r in summary.layer_rows()] == [
        ("Conv2d", False),
        ("ReLU", True),
        ("AdaptiveAvgPool2d", True),
        ("Flatten", True),
        ("Linear", False),
    ]
    table = _table(summary)
    assert [" ".join(line.split()) for line in table if "─" in line] == [
        "├─Body: 1-1 [2, 4, 6, 6] --",
        "│ └─Conv2d(3, 4, 3): 2-1 [2, 4, 6, 6] 112",
        "├─Pool: 1-2 [2, 4, 1, 1] --",
        "├─Linear(4, 5): 1-3 [2, 5] 25",
    ]
    assert [layer["type"] for layer in summary_dict(summary)["layers"]] == ["Conv2d", "Linear"]
    assert len(render_csv(summary).splitlines()) == 3
    # The activations of modules without children: the conv, the pool block, the linear.
    assert summary.totals.activations == 2 * 4 * 6 * 6 + 2 * 4 + 2 * 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "input: [1, 3, 8, 8]\nlayers:\n  - ReLU:\n    functional: 1\n",
            "<spec>:4:17: layers[0].functional: expected true or false, got 1",
        ),
        (
            "input: [1, 3, 8, 8]\nblocks:\n  B:\n    type: 3\n    layers: [ReLU]\nlayers: [B]\n",
            "<spec>:4:11: blocks.B.type: expected a type name for the block's rows, got 3",
        ),
    ],
)
def test_functional_and_type_are_checked(text: str, message: str) -> None:
    with pytest.raises(convcalc.SpecError) as caught:
        load_spec(text)
    assert str(caught.value) == message
