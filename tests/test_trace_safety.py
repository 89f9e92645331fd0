"""What a trace runs, and what it never runs: a model file's top-level statements, loops that
never end, and the real torch."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import convcalc
from convcalc.errors import TraceError, UntraceableError

HAS_TORCH = importlib.util.find_spec("torch") is not None

SCRIPT = """\
import os
import shutil
import socket
import subprocess
import time
from functools import partial

import torch
import torch.nn as nn

SENTINEL = {sentinel!r}
WIDTH = 8
norm = partial(nn.BatchNorm2d, eps=1e-3)


def download():
    shutil.rmtree(SENTINEL)
    return 0


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, WIDTH, 3)
        self.bn = norm(WIDTH)

    def forward(self, x):
        return self.bn(self.conv(x))


shutil.rmtree(SENTINEL)
os.remove(os.path.join(SENTINEL, "keep.txt"))
socket.create_connection(("192.0.2.1", 9), timeout=30)
subprocess.run(["rm", "-rf", SENTINEL])
data = download()
model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(10**9):
    time.sleep(3600)
with open(os.path.join(SENTINEL, "keep.txt"), "w") as f:
    f.write("trained")

if __name__ == "__main__":
    shutil.rmtree(SENTINEL)
"""


def test_trace_never_runs_top_level_statements(tmp_path: Path) -> None:
    sentinel = tmp_path / "data"
    sentinel.mkdir()
    (sentinel / "keep.txt").write_text("untouched", encoding="utf-8")
    path = tmp_path / "train.py"
    path.write_text(SCRIPT.format(sentinel=str(sentinel)), encoding="utf-8")
    start = time.perf_counter()
    summary = convcalc.trace(path, inputs=[(1, 3, 8, 8)])
    assert time.perf_counter() - start < 5
    assert summary.output_shape == (1, 8, 6, 6)
    assert summary.totals.params == 3 * 8 * 9 + 8 + 2 * 8
    assert (sentinel / "keep.txt").read_text(encoding="utf-8") == "untouched"


def test_trace_names_a_dropped_statement_a_definition_needs(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(
        textwrap.dedent(
            """\
            import json
            import torch.nn as nn

            CONFIG = json.load(open("config.json"))


            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(CONFIG["width"], 2)

                def forward(self, x):
                    return self.fc(x)
            """
        ),
        encoding="utf-8",
    )
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(path, inputs=[(1, 4)])
    assert str(info.value) == (
        f"{path}:10: cannot trace: 'CONFIG' is set by the top-level statement on line 4 of "
        f"{path}, which convcalc does not run (only imports, definitions and constant "
        "assignments run)"
    )


LOOPING = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        width = 1
        while width > 0:
            width += 1
        self.fc = nn.Linear(width, 2)

    def forward(self, x):
        return self.fc(x)
"""


@pytest.mark.parametrize(
    ("budget", "what"),
    [
        ({"max_steps": 50_000}, "50,000 lines (a loop that never ends?)"),
        # Steps unbounded, so that the clock is what stops it even on a fast machine.
        (
            {"max_seconds": 0.5, "max_steps": 10**12},
            "0.5 s (a loop that never ends, or a call that waits?)",
        ),
    ],
)
def test_trace_stops_a_constructor_that_never_ends(
    tmp_path: Path, budget: dict[str, float], what: str
) -> None:
    path = tmp_path / "model.py"
    path.write_text(LOOPING, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(path, inputs=[(1, 4)], **budget)  # type: ignore[arg-type]
    assert time.perf_counter() - start < 5
    assert str(info.value) in (
        f"{path}:{line}: cannot trace: the model ran past convcalc's budget of {what}; it "
        "stopped here"
        for line in (8, 9)
    )
    assert info.value.exit_code == 3


def test_trace_stops_a_constructor_that_waits(tmp_path: Path) -> None:
    """A call that runs no Python lines (here an hour's sleep) is stopped by the clock too,
    and the process's own alarm handler is given back afterwards."""
    import signal

    path = tmp_path / "model.py"
    path.write_text(
        "import time\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        time.sleep(3600)\n"
        "        self.fc = nn.Linear(4, 2)\n\n    def forward(self, x):\n"
        "        return self.fc(x)\n",
        encoding="utf-8",
    )
    before = signal.getsignal(signal.SIGALRM)
    start = time.perf_counter()
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(path, inputs=[(1, 4)], max_seconds=0.5)
    assert time.perf_counter() - start < 5
    assert str(info.value) == (
        f"{path}:8: cannot trace: the model ran past convcalc's budget of 0.5 s (a loop that "
        "never ends, or a call that waits?); it stopped here"
    )
    assert signal.getsignal(signal.SIGALRM) == before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_trace_outside_names_work_at_definition_time(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text(
        textwrap.dedent(
            """\
            import numpy as np
            import torch.nn as nn
            from lightning import LightningModule
            from timm.layers import register_notrace_module


            @register_notrace_module
            class Block(nn.Module):
                scale: np.ndarray | None = None

                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(4, 4, 1)

                def forward(self, x):
                    return self.conv(x)


            class Wrapper(LightningModule):
                pass
            """
        ),
        encoding="utf-8",
    )
    summary = convcalc.trace(path, cls="Block", inputs=[(1, 4, 2, 2)])
    assert summary.totals.params == 20
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(path, cls="Wrapper", inputs=[(1, 4, 2, 2)])
    assert str(info.value) == "lightning.LightningModule is outside what convcalc can trace"


def test_trace_reports_a_syntax_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "model.py"
    path.write_text("import torch\n\nclass Net(nn.Module)\n    pass\n", encoding="utf-8")
    with pytest.raises(TraceError) as info:
        convcalc.trace(path, inputs=[(1, 4)])
    assert str(info.value) == f"{path}:3: invalid Python: expected ':'"


def test_trace_never_imports_torch_and_leaves_sys_modules_as_it_was(tmp_path: Path) -> None:
    """Even with PyTorch installed, the real torch is never imported, and no module of the
    traced file stays behind in sys.modules."""
    path = tmp_path / "model.py"
    path.write_text(SCRIPT.format(sentinel=str(tmp_path / "absent")), encoding="utf-8")
    code = textwrap.dedent(
        f"""\
        import sys
        import convcalc
        before = set(sys.modules)
        summary = convcalc.trace({str(path)!r}, inputs=[(1, 3, 8, 8)])
        added = set(sys.modules) - before
        print(summary.output_shape)
        print(sorted(m for m in added if not m.startswith("convcalc")))
        print("torch" in sys.modules)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    assert lines[0] == "(1, 8, 6, 6)"
    assert lines[2] == "False"
    # Only standard-library modules the file imported may appear (shutil, socket, ...).
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in eval(lines[1]))  # noqa: S307


@pytest.mark.torch
@pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed (pip install torch==2.13.0)")
def test_pytorch_is_really_installed_for_the_import_test() -> None:
    """The test above means something only where torch could have been imported."""
    assert importlib.util.find_spec("torch") is not None


def test_trace_imports_siblings_of_a_script_but_only_its_own_package_inside_one(
    tmp_path: Path,
) -> None:
    """A script's sibling file is prepared and run (Python's script directory); a file inside
    a package reaches other files of its folder's parent only through its package, so a
    neighbouring module (an installed library, say) stays a placeholder."""
    (tmp_path / "blocks.py").write_text(
        "import torch.nn as nn\n\n\ndef block(c):\n    return nn.Conv2d(c, c, 3, padding=1)\n",
        encoding="utf-8",
    )
    (tmp_path / "script.py").write_text(
        "import torch.nn as nn\nfrom blocks import block\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.b = block(4)\n\n"
        "    def forward(self, x):\n        return self.b(x)\n",
        encoding="utf-8",
    )
    assert convcalc.trace(tmp_path / "script.py", inputs=[(1, 4, 5, 5)]).totals.params == 148
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "model.py").write_text(
        "import torch.nn as nn\nimport blocks\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.b = blocks.block(4)\n\n"
        "    def forward(self, x):\n        return self.b(x)\n",
        encoding="utf-8",
    )
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(package / "model.py", inputs=[(1, 4, 5, 5)])
    assert (
        str(info.value)
        == f"{package / 'model.py'}:8: blocks.block is outside what convcalc can trace"
    )


def test_trace_package_imports_only_the_standard_library() -> None:
    code = (
        "import sys, convcalc.trace\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('click', 'rich', 'yaml', 'torch', 'numpy')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "name = input('width? ')",
            "cannot trace: input() (a model's code may not wait for input or leave the process)",
        ),
        (
            "breakpoint()",
            "cannot trace: breakpoint() (a model's code may not wait for input or "
            "leave the process)",
        ),
        ("sys.exit(1)", "cannot trace: the model's code calls sys.exit()"),
    ],
)
def test_trace_never_waits_or_exits(tmp_path: Path, statement: str, message: str) -> None:
    path = tmp_path / "model.py"
    path.write_text(
        "import sys\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n"
        f"    def __init__(self):\n        super().__init__()\n        {statement}\n\n"
        "    def forward(self, x):\n        return x\n",
        encoding="utf-8",
    )
    with pytest.raises(UntraceableError) as info:
        convcalc.trace(path, inputs=[(1, 4)])
    assert str(info.value) == f"{path}:8: {message}"


def test_trace_keeps_what_the_model_prints_out_of_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "model.py"
    path.write_text(
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n"
        "    def forward(self, x):\n        print(x.shape)\n        return x\n",
        encoding="utf-8",
    )
    assert convcalc.trace(path, inputs=[(1, 4)]).output_shape == (1, 4)
    assert capsys.readouterr().out == ""
