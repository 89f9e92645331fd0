"""convcalc's summary table against torchinfo's, on the same networks.

Each network (the zoo, and specs shaped like torchinfo's own test models, in
tests/torchinfo_models/) is exported to PyTorch and summarised by torchinfo 1.8; at every
depth, the rows (type, depth-idx, input and output shapes, parameter count, kernel,
trainability) and the totals (parameters, torchinfo's mult-adds with ``--macs torchinfo``,
its forward/backward pass size) must be identical. The differences that remain are deliberate
and listed in docs/summary.md: the merge rows (Add, Mul, Concat), which torchinfo cannot see
because they are not modules; and a folded block's Mult-Adds, which convcalc totals over all
its layers where torchinfo sums only its direct leaf children.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import pytest

from convcalc.conventions import forward_backward_elements, total_macs
from convcalc.export import to_pytorch
from convcalc.network import Summary, summarize
from convcalc.render.summary import table_rows
from convcalc.spec import load_spec_file, zoo_names

HERE = Path(__file__).resolve().parent
HAS_TORCHINFO = all(importlib.util.find_spec(m) is not None for m in ("torch", "torchinfo"))
NETWORKS = [*zoo_names(), *sorted(str(p) for p in (HERE / "torchinfo_models").glob("*.yaml"))]
COLUMNS = (
    "input_size",
    "output_size",
    "num_params",
    "params_percent",
    "kernel_size",
    "trainable",
    "mult_adds",
)

pytestmark = [
    pytest.mark.torch,
    pytest.mark.skipif(not HAS_TORCHINFO, reason="needs torch==2.13.0 and torchinfo"),
]


def _torchinfo_rows(name: str, tmp_path: Path) -> tuple[Summary, Any]:
    import torch
    import torchinfo

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    network = load_spec_file(name)
    # torchinfo counts the parameters of the modules that run: a network with training-only
    # entries (GoogLeNet's auxiliary heads) is compared in train mode, where every one runs.
    mode = "train" if any(node.train_only for node in network.nodes) else "eval"
    shape = network.input_shape
    if mode == "train" and shape is not None and len(shape) == 4 and shape[0] == 1:
        # A training-mode BatchNorm on a 1x1 map (Inception v3's aux head) needs more than
        # one value per channel, in PyTorch as in convcalc: a batch of 2.
        shape = (2, *shape[1:])
    summary = summarize(network, shape, mode=mode)
    path = tmp_path / "exported.py"
    path.write_text(to_pytorch(network), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(name))}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Built and run on the meta device: torchinfo's rows need shapes and parameter counts,
    # not values, and the largest zoo entries then take a second or two rather than twenty.
    with torch.device("meta"):
        model = getattr(module, module.__all__[-1])()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stats = torchinfo.summary(
            model,
            input_size=summary.input_shape,
            depth=100,
            verbose=0,
            col_names=("output_size", "num_params"),
            mode=mode,
            device="meta",
        )
    return summary, stats


def _expected(layer: Any, max_depth: int, total: int) -> tuple[Any, ...]:
    reached = layer.depth == max_depth
    percent = layer.params_percent(total, reached).strip()
    return (
        layer.class_name,
        layer.depth,
        layer.depth_index,
        str(layer.input_size) if layer.input_size else "--",
        str(layer.output_size) if layer.output_size else "--",
        layer.num_params_to_str(reached),
        percent,
        str(layer.kernel_size) if layer.kernel_size else "--",
        layer.trainable,
        # A folded block: torchinfo sums its direct leaf children only (a deliberate difference).
        layer.macs_to_str(reached) if layer.is_leaf_layer or not reached else None,
    )


@pytest.mark.parametrize("name", NETWORKS, ids=lambda n: Path(n).stem)
def test_rows_and_totals_equal_torchinfo(name: str, tmp_path: Path) -> None:
    summary, stats = _torchinfo_rows(name, tmp_path)
    deepest = max(layer.depth for layer in stats.summary_list)
    total = stats.total_params
    for depth in range(deepest + 2):
        ours = []
        for row in table_rows(summary, COLUMNS, depth, macs="torchinfo"):
            if row.row is not None and not row.suffix:
                continue  # a merge (Add, Mul, Concat): not a module, so not in torchinfo
            level = 0 if row.row is None else row.row.depth + 1
            index = int(row.suffix.rsplit("-", 1)[1]) if row.suffix else None
            kind = row.row.type if row.row is not None else None
            cells: list[str | None] = [c.strip() for c in row.cells]
            if (row.row is None or row.row.is_block) and level == depth:
                cells[-1] = None
            ours.append((kind, level, index, *cells))
        theirs = [
            _expected(layer, depth, total) for layer in stats.summary_list if layer.depth <= depth
        ]
        # The root row shows the network's name (torchinfo: the class) and no depth-idx.
        theirs = [(None, 0, None, *t[3:]) if t[1] == 0 else t for t in theirs]
        assert ours == theirs, f"depth {depth}"
    assert summary.totals.params == stats.total_params
    assert summary.totals.trainable_params == stats.trainable_params
    assert total_macs(summary, "torchinfo") == stats.total_mult_adds
    assert forward_backward_elements(summary) * 4 == stats.total_output_bytes


def test_comparison_covers_the_zoo_and_torchinfo_style_models() -> None:
    assert len(NETWORKS) >= len(zoo_names()) + 3
