"""The trace corpora and their PyTorch fixtures agree with each other and with PyTorch.

``tests/fixtures/trace_corpus.json`` and ``tests/fixtures/torchvision_models.json`` are written
by ``scripts/record_trace_fixtures.py``. These tests need no tracer: they check that every
corpus file has its entry, recorded with the options its header gives, that every model runs
and every bug fails under PyTorch while its fix works, that torchvision's published figures
match the recorded ones, and (marker ``torch``) that PyTorch still gives the recorded answers.
``tests/test_trace_corpus.py`` holds ``convcalc.trace`` to the same fixtures.
"""

from __future__ import annotations

import importlib.util
import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import torchvision_models
import trace_corpus_index as index

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = json.loads((FIXTURES / "trace_corpus.json").read_text(encoding="utf-8"))
TORCHVISION = json.loads((FIXTURES / "torchvision_models.json").read_text(encoding="utf-8"))
HAS_TORCH = importlib.util.find_spec("torch") is not None
ENTRIES = {entry.key: entry for entry in index.entries()}

# Builders whose default construction differs from the published weights: GoogLeNet is built
# with its two auxiliary classifiers (aux_logits=True) unless weights are loaded, and the
# published 6,624,904 parameters are those of the network without them.
PUBLISHED_PARAMS_DIFFER = {"googlenet": 13_004_888}


def test_every_corpus_file_is_an_entry_with_a_fixture() -> None:
    """Each file of models/ and bugs/, and each package entry file, has a header and a record;
    the fixture holds nothing else."""
    for key in index.corpus_files():
        assert key in ENTRIES, f"{key} has no '# trace:' header"
    assert sorted(ENTRIES) == sorted(CORPUS["entries"])


@pytest.mark.parametrize("key", sorted(ENTRIES))
def test_fixture_was_recorded_with_the_header_options(key: str) -> None:
    entry, record = ENTRIES[key], CORPUS["entries"][key]
    assert record["class"] == entry.cls
    assert record["inputs"] == [list(s) for s in entry.inputs]
    assert record["init"] == json.loads(json.dumps(entry.init))
    assert record["mode"] == entry.mode
    if entry.kind == "bugs":
        _, inputs = index.apply_fixes(entry)
        assert record["fixed_inputs"] == [list(s) for s in inputs]


@pytest.mark.parametrize("text", ["1x3x32x32", "1,3,32,32", "[1, 3, 32, 32]", " 1 x3x 32x32 "])
def test_corpus_header_shapes(text: str) -> None:
    assert index.parse_shape(text) == (1, 3, 32, 32)


def test_corpus_header_options() -> None:
    options = index._parse_trace(
        "--class Net -i 2x3x8x8 -i 2x10 --init 'width=16, blocks=(1, 2), act=\"relu\"' "
        "--mode train",
        "here",
    )
    assert options == {
        "cls": "Net",
        "inputs": [(2, 3, 8, 8), (2, 10)],
        "init": {"width": 16, "blocks": (1, 2), "act": "relu"},
        "mode": "train",
    }
    with pytest.raises(ValueError, match=r"^here: unknown option --classes$"):
        index._parse_trace("--classes Net -i 1x1", "here")
    with pytest.raises(ValueError, match=r"^here: no -i input shape$"):
        index._parse_trace("--class Net", "here")


def test_fixes_replace_whole_lines_keeping_their_indentation() -> None:
    entry = ENTRIES["bugs/view_wrong_n.py"]
    source, inputs = index.apply_fixes(entry)
    old = entry.path.read_text(encoding="utf-8").splitlines()
    new = source.splitlines()
    changed = [i + 1 for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert changed == [fix.line for fix in entry.fixes]
    assert new[18] == "        self.fc1 = nn.Linear(16 * 4 * 4, 120)"
    assert new[25] == "        x = x.view(-1, 16 * 4 * 4)"
    assert inputs == entry.inputs
    assert index.apply_fixes(ENTRIES["bugs/unet_odd_size.py"])[1] == ((1, 3, 96, 96),)


def test_corpus_size() -> None:
    """At least 30 working models (two of them multi-file packages) and 20 bugs."""
    kinds = [entry.kind for entry in ENTRIES.values()]
    assert kinds.count("models") + kinds.count("packages") >= 30
    assert kinds.count("packages") >= 2
    assert kinds.count("bugs") >= 20
    assert any(entry.package_dir for entry in ENTRIES.values() if entry.kind == "bugs")
    assert CORPUS["torch_version"].startswith("2.13.0")


@pytest.mark.parametrize("key", sorted(k for k, e in ENTRIES.items() if e.kind != "bugs"))
def test_models_run_under_pytorch(key: str) -> None:
    torch = CORPUS["entries"][key]["torch"]
    assert torch["ok"], torch
    assert torch["params"] > 0
    assert torch["leaves"]


@pytest.mark.parametrize("key", sorted(k for k, e in ENTRIES.items() if e.kind == "bugs"))
def test_bugs_fail_under_pytorch_and_their_fixes_work(key: str) -> None:
    """PyTorch fails on a line of the bug's own file (or of its package); the file says how to
    fix it, and with the fix applied PyTorch runs it."""
    entry, record = ENTRIES[key], CORPUS["entries"][key]
    torch = record["torch"]
    assert not torch["ok"]
    failing = index.CORPUS / torch["file"]
    assert failing == entry.path or failing.parent == entry.path.parent
    assert 1 <= torch["line"] <= len(failing.read_text(encoding="utf-8").splitlines())
    assert torch["message"]
    lines = entry.path.read_text(encoding="utf-8").splitlines()
    assert entry.fixes, f"{key} has no '# fix:' line"
    for fix in entry.fixes:
        assert fix.inputs is not None or (fix.line is not None and fix.line <= len(lines))
    assert record["fixed"]["ok"], record["fixed"]


def test_torchvision_fixture_covers_every_classification_cnn() -> None:
    builders = TORCHVISION["builders"]
    assert len(builders) >= 60
    assert TORCHVISION["torchvision_version"].startswith("0.28.0")
    assert TORCHVISION["torch_version"].startswith("2.13.0")
    families = {re.match(r"[a-z]+", name).group() for name in builders}  # type: ignore[union-attr]
    assert {"alexnet", "vgg", "resnet", "resnext", "wide", "squeezenet", "densenet"} <= families
    assert {"googlenet", "inception", "mobilenet", "mnasnet", "shufflenet"} <= families
    assert {"efficientnet", "regnet", "convnext"} <= families


@pytest.mark.parametrize("name", sorted(TORCHVISION["builders"]))
def test_torchvision_published_figures(name: str) -> None:
    """The recorded parameter count is the one the Weights enum publishes (GoogLeNet excepted,
    see PUBLISHED_PARAMS_DIFFER), and the conv and linear MACs round to its GMACs."""
    record = TORCHVISION["builders"][name]
    torch = record["torch"]
    expected_params = PUBLISHED_PARAMS_DIFFER.get(name, record["published_params"])
    assert torch["params"] == expected_params
    assert round(torch["macs"] / 1e9, 3) == pytest.approx(record["published_gmacs"], abs=1e-9)
    assert torch["output_shape"] == [1, 1000]


def test_googlenet_and_inception_train_mode_outputs() -> None:
    """In train mode both return a named tuple with the auxiliary logits: (logits, aux2, aux1)
    for GoogLeNet, (logits, aux) for Inception v3."""
    builders = TORCHVISION["builders"]
    assert builders["googlenet"]["torch"]["train_outputs"] == [[2, 1000]] * 3
    assert builders["inception_v3"]["torch"]["train_outputs"] == [[2, 1000]] * 2
    assert builders["inception_v3"]["input_shape"] == [1, 3, 299, 299]


def test_docs_list_every_corpus_file_and_builder() -> None:
    """docs/trace-corpus.md has a table row for each file and each torchvision builder."""
    docs = (Path(__file__).parent.parent / "docs" / "trace-corpus.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`") for line in docs.splitlines() if line[:3] == "| `"
    }
    assert rows == set(ENTRIES) | set(TORCHVISION["builders"])


def _installed_torchvision() -> Path:
    return torchvision_models.installed_or_skip()


def test_torchvision_builders_are_read_from_the_installed_files() -> None:
    """The builder list comes from the installed files' @register_model functions."""
    package_dir = _installed_torchvision()
    version = torchvision_models.installed_version(package_dir)
    assert version.split("+")[0] == TORCHVISION["torchvision_version"].split("+")[0]
    names = [b.name for b in torchvision_models.builders(package_dir)]
    assert sorted(names) == sorted(TORCHVISION["builders"])
    assert len(names) == len(set(names))


# Live: PyTorch itself, on a sample (the whole corpus takes a minute on two cores).

# A model of each kind (tuple output, lazy layers, train mode, a package) and bugs failing in
# forward, in __init__, and fixed by another input or by a changed line.
LIVE_ENTRIES = [
    "models/lenet_blitz.py",
    "models/vae_mlp.py",
    "models/lazy_modules.py",
    "models/aux_head_train.py",
    "packages/cifarzoo/wide_resnet.py",
    "bugs/view_wrong_n.py",
    "bugs/misspelt_kwarg.py",
    "bugs/unet_odd_size.py",
    "bugs/missing_skip_argument.py",
    "bugs/detnet/model.py",
]
LIVE_BUILDERS = ["resnet18", "mobilenet_v3_small", "efficientnet_b0", "regnet_x_400mf", "googlenet"]


def _live() -> Any:
    if not HAS_TORCH:
        pytest.skip("PyTorch is not installed (pip install torch==2.13.0)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that numpy is missing
        import trace_oracle

    return trace_oracle


@pytest.mark.torch
@pytest.mark.parametrize("key", LIVE_ENTRIES)
def test_live_pytorch_gives_the_recorded_corpus_answer(key: str) -> None:
    oracle = _live()
    entry, record = ENTRIES[key], CORPUS["entries"][key]
    assert oracle.run_entry(entry) == record["torch"]
    if entry.kind == "bugs":
        source, inputs = index.apply_fixes(entry)
        assert oracle.run_entry(entry, source, inputs) == record["fixed"]


@pytest.mark.torch
@pytest.mark.parametrize("name", LIVE_BUILDERS)
def test_live_pytorch_gives_the_recorded_torchvision_answer(name: str) -> None:
    oracle = _live()
    package_dir = _installed_torchvision()
    builder = next(b for b in torchvision_models.builders(package_dir) if b.name == name)
    record = TORCHVISION["builders"][name]
    facts = torchvision_models.weights_facts(package_dir, builder)
    assert [1, 3, facts.crop_size, facts.crop_size] == record["input_shape"]
    assert facts.num_params == record["published_params"]
    result = oracle.run_builder(
        package_dir, builder, facts.crop_size, train_outputs="train_outputs" in record["torch"]
    )
    assert result == record["torch"]


@pytest.mark.torch
def test_live_meta_device_shapes_are_the_cpu_shapes() -> None:
    """The fixture is recorded on the meta device; a real CPU forward gives the same facts."""
    oracle = _live()
    package_dir = _installed_torchvision()
    builder = next(b for b in torchvision_models.builders(package_dir) if b.name == "squeezenet1_1")
    assert (
        oracle.run_builder(package_dir, builder, 224, meta=False)
        == (TORCHVISION["builders"]["squeezenet1_1"]["torch"])
    )
