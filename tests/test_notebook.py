"""A summary in places other than the terminal: print(), and a real Jupyter notebook run."""

from __future__ import annotations

import importlib.util

import pytest

from convcalc.network import summarize
from convcalc.spec import load_spec_file

HAS_JUPYTER = all(
    importlib.util.find_spec(m) is not None for m in ("nbclient", "nbformat", "ipykernel")
)


def test_str_of_a_summary_is_the_table() -> None:
    summary = summarize(load_spec_file("lenet"))
    text = str(summary)
    assert text.splitlines()[0] == "lenet: input [64, 1, 28, 28] -> output [64, 10]"
    assert "├─Linear(800, 500): 1-8           [64, 500]   400,500" in text
    assert "Total params:" in text


def test_html_and_markdown_reprs() -> None:
    summary = summarize(load_spec_file("lenet"))
    html = summary._repr_html_()
    assert html.startswith('<div class="convcalc-summary">')
    assert "<code>Linear(800, 500)</code>: 1-8</td>" in html
    assert '<td style="text-align:right">400,500</td>' in html
    assert "| Linear(800, 500): 1-8 | [64, 500] | 400,500 |" in summary._repr_markdown_()


@pytest.mark.skipif(not HAS_JUPYTER, reason="needs nbclient, nbformat and ipykernel")
def test_a_notebook_shows_the_html_table() -> None:
    """Run a notebook whose last cell evaluates a summary, as a user's would; its output
    carries the HTML table (and the plain table for front ends without HTML)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    notebook.cells = [
        nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
            "from convcalc import summarize\n"
            "from convcalc.spec import load_spec_file\n"
            "summarize(load_spec_file('resnet18'))"
        )
    ]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["execute_result"]
    data = outputs[0]["data"]
    assert '<div class="convcalc-summary">' in data["text/html"]
    assert "<code>BasicBlock</code>: 1-5</td>" in data["text/html"]
    assert "Total params" in data["text/html"]
    assert "11,689,512" in data["text/html"]
    assert "| Layer (type:depth-idx) | Output Shape | Param # |" in data["text/markdown"]
