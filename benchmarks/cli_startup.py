"""How long a convcalc command takes, next to the cost of importing its own dependencies.

    python benchmarks/cli_startup.py            # 40 rounds
    python benchmarks/cli_startup.py --rounds 100
    python benchmarks/cli_startup.py --library-only   # the library's calls per second

In one run, interleaved round by round, it times:

* ``convcalc conv2d ... -i ...`` (a rich table) against the floor
  ``python -c "import click, rich.console, rich.table"`` printing a small table;
* ``convcalc conv2d ... --json`` against ``python -c "import click"``;
* ``convcalc net resnet50 --format json`` against ``import click, yaml, json``;
* ``convcalc net resnet50`` (the table, aligned text) against ``import click, yaml``;

and prints medians and the ratios (each path's target: at most 1.15x the import floor of
the libraries it needs), then the library's throughput in calls per second.
Bytecode for convcalc is compiled first, as ``pip install`` does, so the comparison with the
(compiled) dependencies is fair. A benchmark, not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit

from _common import compile_convcalc, convcalc_command, run

import convcalc

FLOOR_TABLE = (
    "import click, rich.console, rich.table\n"
    "t = rich.table.Table(title='floor', show_header=False)\n"
    "t.add_column('quantity'); t.add_column('value')\n"
    "t.add_row('Output shape', '[8, 32, 126, 126]'); t.add_row('Params', '18,464')\n"
    "rich.console.Console().print(t)\n"
)
FLOOR_CLICK = "import click\n"
FLOOR_NET_JSON = "import click, yaml, json\n"
FLOOR_NET_TABLE = "import click, yaml\n"
ARGS = ["conv2d", "--in", "64", "--out", "32", "-k", "3", "-i", "8x64x128x128"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument(
        "--library-only", action="store_true", help="only the library's calls per second"
    )
    args = parser.parse_args()
    if args.library_only:
        library_throughput()
        return

    compile_convcalc()
    command = convcalc_command()
    cases = {
        "floor: click + rich table": [sys.executable, "-c", FLOOR_TABLE],
        "convcalc conv2d (table)": [*command, *ARGS],
        "floor: import click": [sys.executable, "-c", FLOOR_CLICK],
        "convcalc conv2d --json": [*command, *ARGS, "--json"],
        "floor: click + yaml + json": [sys.executable, "-c", FLOOR_NET_JSON],
        "convcalc net resnet50 --json": [*command, "net", "resnet50", "--format", "json"],
        "floor: click + yaml": [sys.executable, "-c", FLOOR_NET_TABLE],
        "convcalc net resnet50 (table)": [*command, "net", "resnet50"],
    }
    for argv in cases.values():  # warm the file cache
        run(argv)[:2]
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, argv in cases.items():
            w, c, _ = run(argv)
            wall[name].append(w)
            cpu[name].append(c)
    print(
        f"{'command':28} {'wall median':>12} {'wall min':>9} {'CPU median':>11}"
        f"   ({args.rounds} rounds, interleaved)"
    )
    for name in cases:
        print(
            f"{name:30} {statistics.median(wall[name]) * 1e3:9.1f} ms "
            f"{min(wall[name]) * 1e3:6.1f} ms {statistics.median(cpu[name]) * 1e3:8.1f} ms"
        )
    print()
    for label, call, floor in (
        ("table call / click+rich floor", "convcalc conv2d (table)", "floor: click + rich table"),
        ("json call  / click floor     ", "convcalc conv2d --json", "floor: import click"),
        (
            "net json   / click+yaml+json ",
            "convcalc net resnet50 --json",
            "floor: click + yaml + json",
        ),
        ("net table  / click+yaml      ", "convcalc net resnet50 (table)", "floor: click + yaml"),
    ):
        ratio_wall = statistics.median(wall[call]) / statistics.median(wall[floor])
        ratio_cpu = statistics.median(cpu[call]) / statistics.median(cpu[floor])
        print(f"{label}: {ratio_cpu:.3f}x CPU, {ratio_wall:.3f}x wall   (target <= 1.15x)")

    print()
    library_throughput()


def library_throughput(number: int = 50_000, repeat: int = 5) -> None:
    """Calls per second of the library alone, the best of ``repeat`` runs of ``number`` calls,
    by the wall clock and by this process's CPU time (steadier on a shared machine)."""
    layer = convcalc.Conv2d(64, 32, 3)
    shape = (8, 64, 128, 128)
    cases = {
        "Conv2d(64, 32, 3).output_shape((8, 64, 128, 128))": lambda: convcalc.Conv2d(
            64, 32, 3
        ).output_shape(shape),
        "  the output_shape call alone": lambda: layer.output_shape(shape),
        "  the construction alone": lambda: convcalc.Conv2d(64, 32, 3),
        "Conv2d(64, 32, 3, stride=2, padding=1)": lambda: convcalc.Conv2d(
            64, 32, 3, stride=2, padding=1
        ),
        "conv_output_size(128, 3, padding=1)": lambda: convcalc.conv_output_size(128, 3, padding=1),
    }
    print(f"library throughput (best of {repeat} x {number:,} calls):")
    print(f"  {'':52} {'calls/s (wall)':>15} {'calls/s (CPU)':>15}")
    for name, call in cases.items():
        wall = min(timeit.repeat(call, number=number, repeat=repeat))
        cpu = min(timeit.repeat(call, number=number, repeat=repeat, timer=time.process_time))
        print(f"  {name:52} {number / wall:15,.0f} {number / cpu:15,.0f}")
    print("  target: >= 200,000 constructions plus output_shape calls per second")


if __name__ == "__main__":
    main()
