"""Pure formatting helpers, the JSON writer, and the explanation model behind the tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from convcalc import Conv2d, ConvTranspose2d, Linear, MaxPool2d
from convcalc.explain import compare_separable, describe, explain, input_shape_from
from convcalc.render import (
    format_count,
    format_shape,
    format_si,
    layer_report_dict,
    render_json,
)


def test_format_count() -> None:
    assert format_count(21840) == "21,840"
    assert format_count(7) == "7"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (640, "640"),
        (2_341_011_456, "2.34 G"),
        (4_089_184_256, "4.09 G"),
        (1_500, "1.50 k"),
        (25_557_032, "25.56 M"),
        (3.2e12, "3.20 T"),
    ],
)
def test_format_si(value: float, text: str) -> None:
    assert format_si(value) == text


def test_format_shape() -> None:
    assert format_shape((8, 32, 126, 126)) == "[8, 32, 126, 126]"
    assert format_shape(None) == "—"


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_render_json_round_trips(value: Any) -> None:
    """Whatever the writer prints, the standard JSON reader reads back unchanged."""
    assert json.loads(render_json(value)) == value


def test_describe_shows_required_and_changed_arguments() -> None:
    assert describe(Conv2d(64, 32, 3)) == "Conv2d(64, 32, 3)"
    assert describe(MaxPool2d(2)) == "MaxPool2d(2)"
    assert describe(MaxPool2d(3, 2)) == "MaxPool2d(3, stride=2)"
    assert describe(Linear(800, 500, bias=False)) == "Linear(800, 500, bias=False)"


def test_input_shape_from_reads_the_cli_forms() -> None:
    assert input_shape_from([128], 2, 64) == (64, 128, 128)
    assert input_shape_from([128, 96], 2, 64) == (64, 128, 96)
    assert input_shape_from([3, 224, 224], 2, None) == (3, 224, 224)
    assert input_shape_from([8, 3, 224, 224], 2, 3) == (8, 3, 224, 224)
    assert input_shape_from([5, 7], 2, None, batched_only=True) == (1, 1, 5, 7)


def test_explain_transposed_report_carries_output_padding() -> None:
    report = explain(
        ConvTranspose2d(2, 1, 3, stride=2, padding=1), (1, 2, 3, 3), output_size=(6, 5)
    )
    assert report.output_padding == (1, 0)
    assert report.output_shape == (1, 1, 6, 5)
    data = layer_report_dict(report)
    assert data["output_padding"] == [1, 0]
    assert data["formulas"][0]["formula"] == "H_out = (3 − 1)·2 − 2·1 + 1·(3−1) + 1 + 1 = 6"


def test_explain_notes_ceil_mode_dropping_a_window() -> None:
    report = explain(MaxPool2d(2, 2, 1, ceil_mode=True), (1, 1, 5, 5))
    assert report.output_shape == (1, 1, 3, 3)
    assert report.axes[0].note == (
        "ceil mode would add a last window, but it would start in the right padding, "
        "so PyTorch drops it"
    )
    assert report.axes[0].formula == "H_out = ⌊(5 + 2·1 − 1·(2−1) − 1) / 2⌋ + 1 = 3"


def test_separable_totals() -> None:
    comparison = compare_separable(2, 64, 32, 3, input_shape=(8, 64, 128, 128))
    assert comparison.separable_params == 2720
    assert comparison.separable_macs == (8 * 64 * 126 * 126 * 9 + 8 * 32 * 126 * 126 * 64)
