"""convcalc agrees with PyTorch on output shapes, parameters and rejections.

Two sources of truth: answers recorded from PyTorch by ``scripts/record_fixtures.py`` (checked
by the plain suite, no PyTorch needed), and PyTorch itself on fresh random configurations
when it is installed (skipped cleanly when it is not).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import oracle
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIXTURES = Path(__file__).parent / "fixtures" / "torch_cases.json.gz"
HAS_TORCH = importlib.util.find_spec("torch") is not None
# CI sets this so that a missing PyTorch fails the run instead of skipping the live tests.
REQUIRE_TORCH = os.environ.get("CONVCALC_REQUIRE_TORCH") == "1"


def _load() -> dict[str, Any]:
    with gzip.open(FIXTURES, "rt", encoding="utf-8") as f:
        document: dict[str, Any] = json.load(f)
    return document


_DOCUMENT = _load()
_BY_LAYER: dict[str, list[dict[str, Any]]] = defaultdict(list)
for _record in _DOCUMENT["records"]:
    _BY_LAYER[_record["case"]["layer"]].append(_record)


def _disagreements(records: list[dict[str, Any]]) -> list[str]:
    found = []
    for record in records:
        ours = oracle.run_convcalc(record["case"])
        if ours != record["torch"]:
            found.append(
                f"{json.dumps(record['case'])}\n  torch: {record['torch']}\n  convcalc: {ours}"
            )
    return found


def test_fixtures_cover_every_layer_kind_by_the_thousand() -> None:
    """Thousands of recorded cases per layer family, valid and rejected alike."""
    families: Counter[str] = Counter()
    for record in _DOCUMENT["records"]:
        families[record["case"]["layer"]] += 1
    assert _DOCUMENT["torch_version"].startswith("2.13.0")
    assert len(_DOCUMENT["records"]) == len(oracle.FAMILIES) * _DOCUMENT["count"]
    assert _DOCUMENT["count"] >= 2000
    outcomes = Counter((r["torch"]["ok"], r["torch"].get("stage")) for r in _DOCUMENT["records"])
    assert outcomes[(True, None)] > 0
    assert outcomes[(False, "init")] > 0
    assert outcomes[(False, "forward")] > 0
    modes = Counter(
        (r["case"]["layer"], r["case"].get("training", False))
        for r in _DOCUMENT["records"]
        if r["case"]["layer"].startswith(("BatchNorm", "InstanceNorm", "Dropout"))
    )
    assert all(modes[(layer, False)] > 0 and modes[(layer, True)] > 0 for layer, _ in modes)


@pytest.mark.parametrize("layer", sorted(_BY_LAYER))
def test_recorded_pytorch_answers(layer: str) -> None:
    """Every recorded case: same output shape, parameter shapes, buffers, and rejections at
    the same stage (construction or forward), in the recorded mode (eval unless the case says
    ``"training": true``)."""
    problems = _disagreements(_BY_LAYER[layer])
    assert not problems, f"{len(problems)} disagreements, first ones:\n" + "\n".join(problems[:5])


def test_recorded_edge_cases_are_the_current_ones() -> None:
    """The fixture file holds the answers to exactly the edge cases ``oracle.TARGETED`` lists
    (re-record with ``scripts/record_fixtures.py`` after changing them)."""
    recorded = [r["case"] for r in _DOCUMENT["targeted"]]
    assert recorded == [oracle.encode(case) for case in oracle.TARGETED]


@pytest.mark.parametrize(
    "record",
    _DOCUMENT["targeted"],
    ids=[f"{i}-{r['case']['layer']}" for i, r in enumerate(_DOCUMENT["targeted"])],
)
def test_recorded_edge_cases(record: dict[str, Any]) -> None:
    """Eval and training norms, empty pooling strides, int64 and int32 bounds, integers of
    thousands of digits and the empty-batch path of (transposed) convolutions, as PyTorch
    answered them."""
    assert oracle.run_convcalc(record["case"]) == record["torch"]


def test_pytorch_is_installed_where_required() -> None:
    """With CONVCALC_REQUIRE_TORCH=1 (as in CI) the live tests must run, not skip."""
    if REQUIRE_TORCH:
        assert HAS_TORCH, "CONVCALC_REQUIRE_TORCH=1 but torch is not importable"


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
@pytest.mark.parametrize("family", sorted(oracle.FAMILIES))
@settings(
    max_examples=60, deadline=None, derandomize=False, suppress_health_check=[HealthCheck.too_slow]
)
@given(seed=st.integers(0, 2**32 - 1))
def test_live_against_pytorch(family: str, seed: int) -> None:
    """Fresh random configurations, run through PyTorch itself."""
    if family in oracle.TORCHVISION and not oracle.torchvision_available():
        pytest.skip("torchvision's files are not installed (pip install --no-deps torchvision)")
    case = oracle.FAMILIES[family](random.Random(seed))
    assert oracle.run_convcalc(case) == oracle.run_torch(case), json.dumps(case)
