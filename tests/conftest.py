"""Shared fixtures and options for the test suite."""

from __future__ import annotations

import os

import pytest

# The trace corpus holds model files to be traced, not tests (and they import torch); the
# torch runners for it and for torchvision's dense models import torch at the top, so the
# doctest collection leaves them out (a suite without torch must still collect).
collect_ignore = ["trace_corpus", "trace_oracle.py", "torchvision_dense.py"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow (live checks of the largest zoo variants)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI sets CONVCALC_RUN_SLOW=1 (.ci/run), so every live check runs there.
    if config.getoption("--run-slow") or os.environ.get("CONVCALC_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
