"""``convcalc.trace`` agrees with PyTorch on the three trace corpora (issue 9).

- Models in the styles people write (``tests/trace_corpus/models/`` and ``packages/``): the
  output shape(s), parameter count, MACs and every leaf module's output shape, in call order,
  are PyTorch's.
- Bugs users report (``tests/trace_corpus/bugs/``): tracing fails with exit code 1 on the line
  of the file PyTorch fails on, in PyTorch's words; with the file's own fix applied it traces
  and matches PyTorch.
- torchvision's classification CNNs, read from site-packages and traced through their builder
  functions at their published input size.

The expected answers are ``tests/fixtures/trace_corpus.json`` and
``tests/fixtures/torchvision_models.json``, recorded from PyTorch by
``scripts/record_trace_fixtures.py``; ``tests/test_trace_fixtures.py`` checks them against
the corpus files and, live, against PyTorch. Here, with PyTorch installed (marker ``torch``),
a sample is also traced and compared with a fresh PyTorch run.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
import torchvision_models
import trace_corpus_index as index

import convcalc

_TRACE: Any = getattr(convcalc, "trace", None)

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = json.loads((FIXTURES / "trace_corpus.json").read_text(encoding="utf-8"))["entries"]
TORCHVISION = json.loads((FIXTURES / "torchvision_models.json").read_text(encoding="utf-8"))
ENTRIES = {entry.key: entry for entry in index.entries()}
MODELS = sorted(key for key, entry in ENTRIES.items() if entry.kind != "bugs")
BUGS = sorted(key for key, entry in ENTRIES.items() if entry.kind == "bugs")
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _trace(
    path: Path | str,
    cls: str | None,
    inputs: Any,
    init: dict[str, Any] | None = None,
    mode: str = "eval",
) -> Any:
    return _TRACE(
        str(path), cls=cls, inputs=[tuple(s) for s in inputs], init=init or None, mode=mode
    )


def _facts(summary: Any, torch: dict[str, Any], *, macs: bool = True) -> dict[str, Any]:
    """The summary's answers in the fixture's terms (see scripts/record_trace_fixtures.py).

    Leaves are the rows of modules that have no children, in call order. PyTorch's forward
    hooks see only the modules registered in the model, so a row whose name is no registered
    leaf's (a module built inside ``forward``, as in ``nn.ReLU()(x)``) is left out.
    """
    outputs = [list(s) for s in getattr(summary, "outputs", ()) or (summary.output_shape,)]
    facts: dict[str, Any] = {"params": summary.totals.params}
    facts["trainable_params"] = summary.totals.trainable_params
    if macs:
        facts["macs"] = summary.totals.macs
    registered = {name for name, _, _ in torch["leaves"]}
    facts["leaves"] = [
        [row.name, row.type, list(row.output_shape)]
        for row in summary.rows
        if not row.is_block and row.name in registered
    ]
    return facts | {"outputs": outputs}


def _expected(torch: dict[str, Any], *, macs: bool = True) -> dict[str, Any]:
    keys = ["params", "trainable_params", "leaves"] + (["macs"] if macs else [])
    expected = {key: torch[key] for key in keys}
    expected["outputs"] = torch["outputs"] if "outputs" in torch else [torch["output_shape"]]
    return expected


@pytest.mark.parametrize("key", MODELS)
def test_corpus_model_traces_as_pytorch_runs_it(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same answers as PyTorch, and the script around the model does not run: several
    files create directories (``os.makedirs("images")``) or save checkpoints at top level,
    and nothing appears in the working directory."""
    entry = ENTRIES[key]
    monkeypatch.chdir(tmp_path)
    summary = _trace(entry.path, entry.cls, entry.inputs, entry.init, entry.mode)
    torch = CORPUS[key]["torch"]
    assert _facts(summary, torch) == _expected(torch)
    assert list(tmp_path.iterdir()) == []


def _bug_error(entry: index.Entry) -> convcalc.ConvCalcError:
    with pytest.raises(convcalc.ConvCalcError) as caught:
        _trace(entry.path, entry.cls, entry.inputs, entry.init, entry.mode)
    return caught.value


def _fixed_copy(entry: index.Entry, directory: Path) -> tuple[Path, Any]:
    """The bug file with its fixes applied, written under ``directory`` (with a copy of its
    package around it for a package's file), and the inputs to trace it with."""
    source, inputs = index.apply_fixes(entry)
    if entry.package_dir is None:
        fixed = directory / entry.path.name
    else:
        shutil.copytree(entry.package_dir, directory / entry.package_dir.name)
        fixed = directory / entry.path.relative_to(entry.package_dir.parent)
    fixed.write_text(source, encoding="utf-8")
    return fixed, inputs


@pytest.mark.parametrize("key", BUGS)
def test_corpus_bug_names_the_line_pytorch_fails_on(key: str) -> None:
    """Exit code 1 and a message that starts with FILE:LINE, the innermost frame in the user's
    files of PyTorch's traceback (for a package, possibly another of its files)."""
    entry, torch = ENTRIES[key], CORPUS[key]["torch"]
    error = _bug_error(entry)
    assert getattr(error, "exit_code", None) == 1, str(error)
    assert getattr(error, "line", None) == torch["line"], str(error)
    source = getattr(error, "source", None)
    assert source is not None, str(error)
    within_corpus = Path(torch["file"]).parts[1:]  # e.g. ('detnet', 'blocks.py')
    assert Path(source).parts[-len(within_corpus) :] == within_corpus, str(error)
    assert str(error).startswith(f"{source}:{torch['line']}: "), str(error)


@pytest.mark.parametrize("key", BUGS)
def test_corpus_bug_quotes_pytorch(key: str) -> None:
    """The message carries the error PyTorch raises, in PyTorch's words."""
    error = _bug_error(ENTRIES[key])
    assert CORPUS[key]["torch"]["message"] in str(error)


@pytest.mark.parametrize("key", BUGS)
def test_corpus_bug_fix_traces_as_pytorch_runs_it(key: str, tmp_path: Path) -> None:
    """The file's own fix applied, it traces cleanly and agrees with PyTorch's run of the fixed
    file (output, parameters and leaves; MACs are checked on the models)."""
    entry, record = ENTRIES[key], CORPUS[key]
    fixed, inputs = _fixed_copy(entry, tmp_path)
    summary = _trace(fixed, entry.cls, inputs, entry.init, entry.mode)
    assert _facts(summary, record["fixed"], macs=False) == _expected(record["fixed"], macs=False)


# torchvision, read where pip installed it.


def _installed_torchvision() -> Path:
    return torchvision_models.installed_or_skip(TORCHVISION["torchvision_version"])


@pytest.mark.parametrize("name", sorted(TORCHVISION["builders"]))
def test_torchvision_builder_traces_as_pytorch_runs_it(name: str) -> None:
    package_dir = _installed_torchvision()
    record = TORCHVISION["builders"][name]
    path = package_dir / "models" / record["file"]
    summary = _trace(path, name, [record["input_shape"]])
    assert _facts(summary, record["torch"]) == _expected(record["torch"])


@pytest.mark.parametrize("name", ["googlenet", "inception_v3"])
def test_torchvision_train_mode_auxiliary_outputs(name: str) -> None:
    package_dir = _installed_torchvision()
    record = TORCHVISION["builders"][name]
    size = record["input_shape"][-1]
    path = package_dir / "models" / record["file"]
    summary = _trace(path, name, [[2, 3, size, size]], None, "train")
    assert [list(s) for s in summary.outputs] == record["torch"]["train_outputs"]


# Live: trace and PyTorch side by side on a sample, without the fixture in between.

LIVE = [
    "models/unet_pad.py",
    "models/conv_vae.py",
    "bugs/linear_in_features.py",
    "bugs/detnet/model.py",
]


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("key", LIVE)
def test_live_trace_agrees_with_pytorch(key: str, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that numpy is missing
        import trace_oracle

    entry = ENTRIES[key]
    if entry.kind == "bugs":
        torch = trace_oracle.run_entry(entry)
        error = _bug_error(entry)
        assert getattr(error, "line", None) == torch["line"]
        assert torch["message"] in str(error)
        source, inputs = index.apply_fixes(entry)
        torch = trace_oracle.run_entry(entry, source, inputs)
        fixed, inputs = _fixed_copy(entry, tmp_path)
        summary = _trace(fixed, entry.cls, inputs, entry.init, entry.mode)
    else:
        torch = trace_oracle.run_entry(entry)
        summary = _trace(entry.path, entry.cls, entry.inputs, entry.init, entry.mode)
    assert _facts(summary, torch) == _expected(torch)
