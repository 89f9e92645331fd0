"""Record PyTorch's answers for the ``convcalc trace`` corpora into tests/fixtures/.

    pip install torch==2.13.0 && pip install --no-deps torchvision==0.28.0
    python scripts/record_trace_fixtures.py                 # both files
    python scripts/record_trace_fixtures.py --only corpus   # or: --only torchvision

Writes ``tests/fixtures/trace_corpus.json``: for every file of ``tests/trace_corpus/`` (see its
``# trace:`` header) the output shape(s), parameter count, conv and linear MACs and every leaf
module's output shape from forward hooks, in call order; for a bug file, the line of that file
PyTorch fails on and PyTorch's message, and the same facts for the file with its fixes applied.

Writes ``tests/fixtures/torchvision_models.json``: for every classification CNN builder of the
installed torchvision (read from site-packages, see ``tests/torchvision_models.py``), with
default arguments in eval mode at its published input size: the same facts, computed on the
meta device, next to the parameter count and GMACs its Weights enum publishes.

Output is deterministic (sorted keys, no timings) so a rerun with the same torch is a no-op.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import torchvision_models  # noqa: E402  (lives in tests/, found through the path above)
import trace_corpus_index  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
# Builders whose train-mode result differs in kind: a named tuple with auxiliary logits.
TRAIN_OUTPUTS = ("googlenet", "inception_v3")


def _flat(value: Any) -> bool:
    """A value that fits on one line: a scalar, or a list of scalars and lists of scalars."""
    if isinstance(value, dict):
        return False
    if isinstance(value, list):
        return all(
            not isinstance(v, (dict, list)) or (isinstance(v, list) and _flat_scalars(v))
            for v in value
        )
    return True


def _flat_scalars(value: list[Any]) -> bool:
    return all(not isinstance(v, (dict, list)) for v in value)


def _dumps(value: Any, indent: str = "") -> str:
    """JSON with sorted keys, one leaf record or shape a line: compact and diffable."""
    if _flat(value):
        return json.dumps(value, sort_keys=True)
    inner = indent + " "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {_dumps(value[k], inner)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return "[\n" + ",\n".join(inner + _dumps(v, inner) for v in value) + "\n" + indent + "]"


def _write(path: Path, document: dict[str, Any]) -> None:
    document = json.loads(json.dumps(document))  # tuples (an --init value) become lists
    text = _dumps(document) + "\n"
    if json.loads(text) != document:
        raise RuntimeError("the fixture does not read back as written")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)


def record_corpus(torch_version: str) -> dict[str, Any]:
    import trace_oracle

    entries: dict[str, Any] = {}
    for entry in trace_corpus_index.entries():
        start = time.perf_counter()
        record: dict[str, Any] = {
            "class": entry.cls,
            "inputs": [list(s) for s in entry.inputs],
            "init": entry.init,
            "mode": entry.mode,
            "torch": trace_oracle.run_entry(entry),
        }
        if entry.kind == "bugs":
            source, inputs = trace_corpus_index.apply_fixes(entry)
            record["fixed_inputs"] = [list(s) for s in inputs]
            record["fixed"] = trace_oracle.run_entry(entry, source, inputs)
        entries[entry.key] = record
        outcome = "ok" if record["torch"]["ok"] else f"line {record['torch']['line']}"
        print(f"{entry.key:48} {outcome:10} {time.perf_counter() - start:6.2f} s", file=sys.stderr)
    return {"torch_version": torch_version, "entries": entries}


def record_torchvision(torch_version: str) -> dict[str, Any]:
    import trace_oracle

    package_dir = torchvision_models.installed_dir()
    if package_dir is None:
        raise SystemExit("torchvision is not installed: pip install --no-deps torchvision==0.28.0")
    builders: dict[str, Any] = {}
    for builder in torchvision_models.builders(package_dir):
        start = time.perf_counter()
        facts = torchvision_models.weights_facts(package_dir, builder)
        result = trace_oracle.run_builder(
            package_dir, builder, facts.crop_size, train_outputs=builder.name in TRAIN_OUTPUTS
        )
        builders[builder.name] = {
            "file": builder.file,
            "input_shape": [1, 3, facts.crop_size, facts.crop_size],
            "weights": facts.enum_name,
            "published_params": facts.num_params,
            "published_gmacs": facts.gmacs,
            "torch": result,
        }
        params_ok = "=" if result["params"] == facts.num_params else "!"
        gmacs_ok = "=" if round(result["macs"] / 1e9, 3) == facts.gmacs else "!"
        print(
            f"{builder.name:22} {result['params']:>11,} {params_ok} {facts.num_params:>11,}  "
            f"{result['macs'] / 1e9:9.3f} {gmacs_ok} {facts.gmacs:9.3f} GMACs  "
            f"{time.perf_counter() - start:5.2f} s",
            file=sys.stderr,
        )
    return {
        "torch_version": torch_version,
        "torchvision_version": torchvision_models.installed_version(package_dir),
        "builders": builders,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["corpus", "torchvision"])
    args = parser.parse_args()

    import torch

    torch.set_num_threads(2)
    if args.only in (None, "corpus"):
        _write(FIXTURES / "trace_corpus.json", record_corpus(torch.__version__))
    if args.only in (None, "torchvision"):
        _write(FIXTURES / "torchvision_models.json", record_torchvision(torch.__version__))


if __name__ == "__main__":
    main()
