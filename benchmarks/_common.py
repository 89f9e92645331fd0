"""What the benchmark scripts share: finding the command, and timing one process."""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import convcalc

ENV = {**os.environ, "COLUMNS": "120"}


def compile_convcalc() -> None:
    """Byte-compile the package first, as ``pip install`` does, so that start-up is compared
    fairly with the (compiled) dependencies."""
    compileall.compile_dir(str(Path(convcalc.__file__).parent), quiet=1)


def convcalc_command() -> list[str]:
    """The installed ``convcalc`` script, else ``python -m convcalc``."""
    script = Path(sys.executable).with_name("convcalc")
    if script.exists():
        return [str(script)]
    found = shutil.which("convcalc")
    return [found] if found else [sys.executable, "-m", "convcalc"]


def run(argv: list[str], *, tty: bool = False) -> tuple[float, float, float]:
    """Wall seconds, CPU (user + system) seconds and peak resident memory (MB) of one run.

    CPU time is what the process itself costs; wall time also counts whatever else the
    machine was doing, which on a shared virtual machine swings by tens of percent. With
    ``tty`` the output goes to a pseudo-terminal, as in an interactive shell.
    """
    drain = None
    if tty:
        master, slave = os.openpty()
        drain = threading.Thread(target=_drain, args=(master,), daemon=True)
        drain.start()
        stdout: int = slave
    else:
        stdout = subprocess.DEVNULL
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=stdout, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if drain is not None:
        os.close(slave)
        drain.join()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{argv} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
