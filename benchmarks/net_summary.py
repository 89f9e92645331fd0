"""How fast ``convcalc net`` summarises networks, next to torchinfo and to its own imports.

    pip install torch==2.13.0 torchinfo     # for the torchinfo comparison (skipped without)
    python benchmarks/net_summary.py         # 5 rounds

In one run, interleaved round by round, it times (CPU seconds of each process, and its peak
memory):

* ``convcalc net resnet50`` (the table) against torchinfo summarising the same network in
  PyTorch: the module ``convcalc export resnet50`` writes, ``torchinfo.summary(model,
  input_size=(1, 3, 224, 224))``;
* the same command against the import floor of its own dependencies
  (``import click, rich.console, rich.table, yaml`` printing a small table);
* generated specs of 1,000 to 10,000 layers: the whole command, and the in-process time to
  load, summarise and render, whose growth from 1,000 to 10,000 layers shows whether the
  cost is linear.

A benchmark, not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import compile_convcalc, convcalc_command, run

from convcalc.export import to_pytorch
from convcalc.network import summarize
from convcalc.render import render_json, summary_dict, summary_lines
from convcalc.spec import load_spec, load_spec_file

FLOOR = (
    "import click, rich.console, rich.table, yaml\n"
    "t = rich.table.Table(title='floor')\n"
    "t.add_column('Layer'); t.add_column('Output Shape'); t.add_column('Param #')\n"
    "t.add_row('Conv2d: 1-1', '[1, 64, 112, 112]', '9,408')\n"
    "rich.console.Console().print(t)\n"
)
TORCHINFO = (
    "import sys, warnings\n"
    "warnings.simplefilter('ignore')\n"
    "sys.path.insert(0, {folder!r})\n"
    "import torch, torchinfo\n"
    "import resnet50\n"
    "torchinfo.summary(resnet50.Resnet50(), input_size=(1, 3, 224, 224), depth=3)\n"
)


def _generated(layers: int) -> str:
    body = "  - Conv2d: {out_channels: 8, kernel_size: 3, padding: 1}\n  - ReLU\n"
    return "name: generated\ninput: [1, 8, 16, 16]\nlayers:\n" + body * (layers // 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    compile_convcalc()
    command = convcalc_command()
    workdir = Path(tempfile.mkdtemp(prefix="convcalc-bench-"))
    (workdir / "resnet50.py").write_text(to_pytorch(load_spec_file("resnet50")))
    cases = {
        "floor: click+rich+yaml": [sys.executable, "-c", FLOOR],
        "convcalc net resnet50": [*command, "net", "resnet50"],
        "... on a terminal": [*command, "net", "resnet50"],
    }
    has_torchinfo = all(importlib.util.find_spec(m) for m in ("torch", "torchinfo"))
    if has_torchinfo:
        cases["torchinfo resnet50"] = [sys.executable, "-c", TORCHINFO.format(folder=str(workdir))]
    sizes = (1_000, 2_000, 5_000, 10_000)
    for n in sizes:
        path = workdir / f"layers_{n}.yaml"
        path.write_text(_generated(n))
        cases[f"convcalc net {n:,} layers"] = [*command, "net", str(path), "--format", "json"]
    for argv in cases.values():
        run(argv)  # warm the caches
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, argv in cases.items():
            results[name].append(run(argv, tty=name.endswith("terminal")))

    def median(name: str, i: int) -> float:
        return statistics.median(r[i] for r in results[name])

    print(f"{'command':30} {'wall':>9} {'CPU':>9} {'peak RSS':>9}   ({args.rounds} rounds)")
    for name in cases:
        print(
            f"{name:30} {median(name, 0) * 1e3:6.0f} ms {median(name, 1) * 1e3:6.0f} ms "
            f"{median(name, 2):6.0f} MB"
        )
    ours = "convcalc net resnet50"
    print()
    floor = median("floor: click+rich+yaml", 1)
    print(
        f"resnet50 summary / import floor: {median(ours, 1) / floor:.2f}x CPU, "
        f"{median('... on a terminal', 1) / floor:.2f}x on a terminal (target <= 1.3x)"
    )
    if has_torchinfo:
        torchinfo = median("torchinfo resnet50", 0)
        print(
            f"torchinfo / convcalc, resnet50:  {torchinfo / median(ours, 0):.1f}x faster, "
            f"{torchinfo / median('... on a terminal', 0):.1f}x on a terminal "
            "(wall; target >= 20x)"
        )
    else:
        print("torchinfo comparison skipped: pip install torch==2.13.0 torchinfo")
    print("\nin-process load + summarize + render (JSON and table), by spec size, with the")
    print("garbage collector off as the command line runs it:")
    gc.freeze()
    gc.disable()
    per_size = {}
    for n in sizes:
        text = (workdir / f"layers_{n}.yaml").read_text()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            summary = summarize(load_spec(text))
            render_json(summary_dict(summary))
            summary_lines(summary)
            times.append(time.perf_counter() - start)
        per_size[n] = min(times)
        print(
            f"  {n:>6,} layers: {per_size[n] * 1e3:7.1f} ms "
            f"({per_size[n] / n * 1e6:5.1f} us a layer)"
        )
    growth = per_size[sizes[-1]] / per_size[sizes[0]]
    print(
        f"  growth from {sizes[0]:,} to {sizes[-1]:,} layers: {growth:.1f}x "
        f"(linear would be {sizes[-1] / sizes[0]:.0f}x)"
    )
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
