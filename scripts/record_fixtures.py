"""Record PyTorch's answers for random layer configurations into tests/fixtures/.

    pip install torch==2.13.0
    python scripts/record_fixtures.py            # 2,000 cases per layer family
    python scripts/record_fixtures.py --count 500 --seed 7
    python scripts/record_fixtures.py --only BatchNorm2d,Dropout2d   # re-record these only

Each case builds the real ``torch.nn`` module and runs a real eager CPU forward pass (see
``tests/oracle.py``). Besides the random cases, the hand-picked edge cases of
``oracle.TARGETED`` are recorded every time. The plain test suite replays the file without
PyTorch.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import oracle  # noqa: E402  (lives in tests/, found through the path above)

OUTPUT = ROOT / "tests" / "fixtures" / "torch_cases.json.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="cases per layer family")
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument(
        "--only",
        help="comma-separated families to re-record; the others are kept from --output "
        "(same count and seed)",
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    families = list(oracle.FAMILIES)
    kept: dict[str, list[dict[str, object]]] = {}
    if args.only:
        families = args.only.split(",")
        unknown = sorted(set(families) - set(oracle.FAMILIES))
        if unknown:
            raise SystemExit(f"unknown families: {', '.join(unknown)}")
        with gzip.open(args.output, "rt", encoding="utf-8") as f:
            previous = json.load(f)
        if (previous["count"], previous["seed"]) != (args.count, args.seed):
            raise SystemExit(
                f"{args.output} has count {previous['count']} and seed {previous['seed']}; "
                "re-record everything to change them"
            )
        for record in previous["records"]:
            kept.setdefault(record["case"]["layer"], []).append(record)
    records = []
    for family in oracle.FAMILIES:
        if family not in families:
            if family not in kept:
                raise SystemExit(f"{family} is not recorded yet: add it to --only")
            records.extend(kept[family])
            continue
        start = time.perf_counter()
        cases = oracle.generate(family, args.count, args.seed)
        for case in cases:
            records.append({"case": case, "torch": oracle.run_torch(case)})
        valid = sum(r["torch"]["ok"] for r in records[-len(cases) :])
        print(
            f"{family:20} {len(cases):6} cases {valid:6} valid "
            f"{time.perf_counter() - start:6.1f} s",
            file=sys.stderr,
        )
    targeted = [
        {"case": oracle.encode(case), "torch": oracle.run_torch(case)} for case in oracle.TARGETED
    ]
    print(f"{'edge cases':20} {len(targeted):6} cases", file=sys.stderr)
    document = {
        "torch_version": torch.__version__,
        "seed": args.seed,
        "count": args.count,
        "records": records,
        "targeted": targeted,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.output, "wt", encoding="utf-8") as f:
        json.dump(document, f, separators=(",", ":"))
    print(f"wrote {len(records)} records to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
