"""The examples in docs/analysis.md run as written."""

from __future__ import annotations

import doctest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_analysis_doc_examples() -> None:
    result = doctest.testfile(
        str(ROOT / "docs" / "analysis.md"),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 10
    assert result.failed == 0


def test_analysis_doc_shows_every_generated_picture() -> None:
    text = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    for picture in sorted((ROOT / "docs" / "pictures").glob("*.svg")):
        assert f"(pictures/{picture.name})" in text
