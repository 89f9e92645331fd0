"""How long ``convcalc net NAME`` takes for every zoo entry, as a ratio of ``convcalc net lenet``.

    python benchmarks/zoo_ratio.py                        # 15 rounds, tables and JSON
    python benchmarks/zoo_ratio.py --rounds 30 --formats table
    python benchmarks/zoo_ratio.py --only resnet50,efficientnet_b7 --json

In one run, interleaved round by round, it times ``convcalc net NAME`` (the table, and with
``--formats table,json`` also ``--format json``) for every name ``convcalc zoo`` lists, so
families added later are included, next to ``convcalc net lenet`` in the same format. Each
round runs the entries in a fresh shuffled order (from a fixed seed) with LeNet before every
few of them. It prints, largest first, each entry's median CPU time (user + system of the
process, steadier than the wall clock on a shared machine) divided by LeNet's median, the
same ratio by the wall clock, and the layer count; the target is at most 1.5x for every
entry. ``--json`` prints the same figures as one JSON object instead.

Then, in this process (with the garbage collector off, as the command line runs):

* ``load_spec_file("resnet50")`` and ``summarize`` of the loaded network, calls per second;
* the library's ``Conv2d(...).output_shape(...)`` calls per second, as
  ``benchmarks/cli_startup.py --library-only`` prints them (``--skip-library`` leaves it out).

``benchmarks/net_summary.py`` times generated specs of 1,000 to 10,000 layers, and
``benchmarks/cli_startup.py`` each path against the import floor of its own libraries.
Bytecode for convcalc is compiled first, as ``pip install`` does. A benchmark, not a test: the
numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from typing import Any

from _common import compile_convcalc, convcalc_command, run
from cli_startup import library_throughput

from convcalc.network import summarize
from convcalc.spec import load_spec_file, zoo_names

BASELINE = "lenet"
TARGET = 1.5
FORMATS = ("table", "json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--formats",
        default="table,json",
        help="output formats of `convcalc net` to time, comma-separated (table, json)",
    )
    parser.add_argument("--only", default="", help="zoo names to time, comma-separated")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--skip-library", action="store_true", help="leave out the in-process throughput"
    )
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or any(f not in FORMATS for f in formats):
        parser.error(f"--formats takes {', '.join(FORMATS)}")
    names = [n.strip() for n in args.only.split(",") if n.strip()] or zoo_names()
    unknown = sorted(set(names) - set(zoo_names()))
    if unknown:
        parser.error(f"not zoo names: {', '.join(unknown)}")
    names = [n for n in names if n != BASELINE]

    compile_convcalc()
    command = convcalc_command()

    def argv(name: str, fmt: str) -> list[str]:
        return [*command, "net", name, *(["--format", "json"] if fmt == "json" else [])]

    cases = [(name, fmt) for fmt in formats for name in [BASELINE, *names]]
    for case in cases:  # warm the file cache; a failing entry stops the run here
        run(argv(*case))
    wall: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    cpu: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    order = random.Random(0)  # noqa: S311 - an order for timing, not a secret
    every = 6  # LeNet runs before every this many entries
    for _ in range(args.rounds):
        for fmt in formats:
            shuffled = list(names)
            order.shuffle(shuffled)
            for i, name in enumerate(shuffled):
                todo = [BASELINE, name] if i % every == 0 else [name]
                for each in todo:
                    w, c, _ = run(argv(each, fmt))
                    wall[each, fmt].append(w)
                    cpu[each, fmt].append(c)

    layers = {name: len(load_spec_file(name).nodes) for name in [BASELINE, *names]}
    results: dict[str, Any] = {"rounds": args.rounds, "target": TARGET, "formats": {}}
    for fmt in formats:
        base_cpu = statistics.median(cpu[BASELINE, fmt])
        base_wall = statistics.median(wall[BASELINE, fmt])
        rows: list[dict[str, Any]] = [
            {
                "name": name,
                "layers": layers[name],
                "cpu_ms": statistics.median(cpu[name, fmt]) * 1e3,
                "wall_ms": statistics.median(wall[name, fmt]) * 1e3,
                "ratio_cpu": statistics.median(cpu[name, fmt]) / base_cpu,
                "ratio_wall": statistics.median(wall[name, fmt]) / base_wall,
            }
            for name in names
        ]
        rows.sort(key=lambda row: (-row["ratio_cpu"], row["name"]))
        results["formats"][fmt] = {
            "baseline": {
                "name": BASELINE,
                "layers": layers[BASELINE],
                "cpu_ms": base_cpu * 1e3,
                "wall_ms": base_wall * 1e3,
            },
            "entries": rows,
        }
    in_process = _in_process()
    results["in_process"] = in_process
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print_tables(results, formats)
        print()
        print("in process, garbage collector off (calls per second, best of 5 by CPU time):")
        for label, value in in_process.items():
            print(f"  {label:34} {value:10,.0f}")
    if not args.skip_library and not args.json:
        print()
        library_throughput()


def _print_tables(results: dict[str, Any], formats: list[str]) -> None:
    for fmt in formats:
        data = results["formats"][fmt]
        base = data["baseline"]
        flag = " --format json" if fmt == "json" else ""
        print(
            f"convcalc net NAME{flag} / convcalc net lenet{flag}: medians of "
            f"{results['rounds']} interleaved rounds"
        )
        print(
            f"  baseline lenet: {base['cpu_ms']:.1f} ms CPU, {base['wall_ms']:.1f} ms wall, "
            f"{base['layers']} layers"
        )
        print(
            f"  {'name':22} {'layers':>6} {'CPU ms':>8} {'wall ms':>8} "
            f"{'ratio CPU':>10} {'ratio wall':>11}"
        )
        for row in data["entries"]:
            mark = "  over" if row["ratio_cpu"] > TARGET else ""
            print(
                f"  {row['name']:22} {row['layers']:6} {row['cpu_ms']:8.1f} "
                f"{row['wall_ms']:8.1f} {row['ratio_cpu']:9.2f}x {row['ratio_wall']:10.2f}x{mark}"
            )
        largest = data["entries"][0] if data["entries"] else None
        if largest is not None:
            print(
                f"  largest: {largest['name']} at {largest['ratio_cpu']:.2f}x CPU "
                f"(target <= {TARGET}x)"
            )
        print()


def _in_process(repeat: int = 5) -> dict[str, float]:
    """Calls per second of loading and of summarising resnet50, by this process's CPU time."""
    gc.freeze()
    gc.disable()
    network = load_spec_file("resnet50")
    figures = {}
    for label, call, number in (
        ("load_spec_file('resnet50')", lambda: load_spec_file("resnet50"), 20),
        ("summarize(resnet50)", lambda: summarize(network), 50),
    ):
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            for _ in range(number):
                call()
            best = min(best, time.process_time() - start)
        figures[label] = number / best
    gc.enable()
    return figures


if __name__ == "__main__":
    main()
