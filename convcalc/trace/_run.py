"""Trace a model file: run its definitions, build the model, call it on shape-only inputs."""

from __future__ import annotations

import ast
import inspect
import io
import sys
import time
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import TraceError, UntraceableError
from . import _state
from ._flow import Flow, set_flow
from ._loader import Loader
from ._module import Module
from ._recorder import Recorder
from ._result import TraceSummary, build_summary, flat_outputs
from ._state import Context, Stop
from ._tensor import Tensor
from .messages import ClassChoice, DroppedName, Message, ModelRaised

__all__ = ["trace"]


def _read(source_or_path: str | Path) -> tuple[Path | None, str, str]:
    if isinstance(source_or_path, Path) or (
        "\n" not in source_or_path and source_or_path.endswith(".py")
    ):
        path = Path(source_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TraceError(
                f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        return path.resolve(), text, str(source_or_path)
    return None, source_or_path, "<source>"


def _error(message: Message) -> TraceError:
    cls = UntraceableError if message.exit_code == 3 else TraceError
    return cls(message.text, source=message.file, line=message.line)


def _raised(exc: BaseException, context: Context, loader: Loader | None) -> TraceError:
    """One sentence for an exception the model's own code raised, at its line."""
    file: str | None = None
    line: int | None = None
    for frame, number in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename in context.files:
            file, line = context.shown(frame.f_code.co_filename), number
    if isinstance(exc, NameError) and loader is not None:
        missing = getattr(exc, "name", None)
        for filename, prepared in loader.prepared.items():
            if missing in prepared.dropped_names:
                dropped = prepared.dropped_names[missing]
                return _error(
                    DroppedName(
                        f"cannot trace: {missing!r} is set by the top-level statement on line "
                        f"{dropped} of {context.shown(filename)}, which convcalc does not run "
                        "(only imports, definitions and constant assignments run)",
                        file,
                        line,
                    )
                )
    if isinstance(exc, RecursionError):
        text = "the model's code recurses without end (RecursionError)"
    else:
        detail = str(exc)
        text = f"the model's code raises {type(exc).__name__}" + (f": {detail}" if detail else "")
    return _error(ModelRaised(text, file, line))


def _check_arguments(built: Module, count: int, context: Context) -> None:
    """One -i for each forward() argument: a wrong count names forward's line and the fix."""
    forward = built.forward
    unfit = _unfit(forward, *range(count))
    if unfit is None:
        return
    signature, _ = unfit
    code = getattr(getattr(forward, "__func__", forward), "__code__", None)
    file = line = None
    if code is not None and code.co_filename in context.files:
        file, line = context.shown(code.co_filename), code.co_firstlineno
    given = f"{count} input shape" + ("s" if count != 1 else "")
    raise TraceError(
        f"{type(built).__name__}.forward{signature} cannot take {given}; give one -i for "
        "each of its tensor arguments",
        source=file,
        line=line,
    )


def _candidates(module: Any, source: str) -> list[str]:
    """Top-level nn.Module subclasses that no other class in the file instantiates or
    extends."""
    tree = ast.parse(source)
    used: set[str] = set()
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    for cls in classes:
        for base in cls.bases:
            if isinstance(base, ast.Name):
                used.add(base.id)
        for node in ast.walk(cls):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id != cls.name
            ):
                used.add(node.func.id)
    found = []
    for cls in classes:
        value = module.__dict__.get(cls.name)
        if isinstance(value, type) and issubclass(value, Module) and cls.name not in used:
            found.append(cls.name)
    return found


def _target(module: Any, source: str, cls: str | None, shown: str) -> Any:
    if cls is not None:
        value = module.__dict__.get(cls)
        if value is None or not callable(value):
            names = sorted(
                n
                for n, v in module.__dict__.items()
                if (isinstance(v, type) and issubclass(v, Module)) or inspect.isfunction(v)
                if getattr(v, "__module__", None) == module.__name__ and not n.startswith("_")
            )
            raise _error(
                ClassChoice(
                    f"no class or function {cls!r} in {shown}; it defines: {', '.join(names)}"
                )
            )
        return value
    found = _candidates(module, source)
    if len(found) == 1:
        return module.__dict__[found[0]]
    if not found:
        raise _error(
            ClassChoice(f"{shown} defines no nn.Module subclass to trace; name one with --class")
        )
    builders = _builders(module, source)
    also = f" (or a function that builds one: {', '.join(builders)})" if builders else ""
    raise _error(
        ClassChoice(
            f"{shown} defines {len(found)} models no other class uses: {', '.join(found)}; "
            f"choose one with --class NAME{also}"
        )
    )


def _builders(module: Any, source: str) -> list[str]:
    """Top-level functions that construct one of the file's module classes."""
    classes = {
        name
        for name, value in module.__dict__.items()
        if isinstance(value, type) and issubclass(value, Module)
    }
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            calls = {
                sub.func.id
                for sub in ast.walk(node)
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name)
            }
            if calls & classes:
                found.append(node.name)
    return found


def _build(target: Any, init: dict[str, Any], context: Context, shown: str, source: str) -> Any:
    """``target(**init)``; a call that does not fit its signature is a mistake in ``init``."""
    unfit = _unfit(target, **init)
    if unfit is not None:
        name = getattr(target, "__name__", "model")
        line = _definition_line(source, name)
        given = ", ".join(f"{k}={v!r}" for k, v in init.items()) or "no arguments"
        raise TraceError(
            f"{name}({given}): {unfit[1]}; give constructor arguments with --init "
            "'name=value, ...'",
            source=shown,
            line=line,
        )
    return target(**init)


def _unfit(target: Any, *args: Any, **kwargs: Any) -> tuple[inspect.Signature, TypeError] | None:
    """The signature of ``target`` and why a call with these arguments would not fit it, if
    it would not (None too where Python cannot describe the signature)."""
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    try:
        signature.bind(*args, **kwargs)
    except TypeError as exc:
        return signature, exc
    return None


def _definition_line(source: str, name: str) -> int | None:
    for node in ast.parse(source).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
            return node.lineno
    return None


def trace(
    source_or_path: str | Path,
    cls: str | None = None,
    inputs: Sequence[Sequence[int]] = (),
    init: dict[str, Any] | None = None,
    mode: str = "eval",
    *,
    max_steps: int = 2_000_000,
    max_seconds: float = 10.0,
) -> TraceSummary:
    """Trace a PyTorch model file (or source text) without PyTorch.

    ``cls`` names the ``nn.Module`` subclass or the function that builds one; by default the
    file's one top-level module class that no other class uses. ``inputs`` gives each
    ``forward`` argument's shape, batch included; ``init`` the constructor's keyword
    arguments; ``mode`` is ``"eval"`` or ``"train"``. Raises :class:`TraceError` (exit code 1)
    where PyTorch would fail, :class:`UntraceableError` (3) where convcalc cannot follow.
    """
    if mode not in ("eval", "train"):
        raise TraceError(f"mode must be 'eval' or 'train', got {mode!r}")
    shapes = [tuple(s) for s in inputs]
    for shape in shapes:
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in shape):
            raise TraceError(f"input shape {list(shape)} must hold sizes of 0 or more")
    path, source, shown = _read(source_or_path)
    context = Context(training=mode == "train", max_steps=max_steps, max_seconds=max_seconds)
    recorder = Recorder(context, {})
    context.recorder = None
    loader: Loader | None = None
    _state.push(context)
    warnings_off = warnings.catch_warnings()
    warnings_off.__enter__()
    warnings.simplefilter("ignore")
    # What the model's code prints (a print(x.shape) in forward) is not the command's output.
    stdout, sys.stdout = sys.stdout, io.StringIO()
    previous = recorder.start()
    alarm = _Alarm(recorder, max_seconds)
    try:
        loader = Loader(context)
        try:
            module = loader.main(path, source, shown)
        except SyntaxError as exc:
            raise TraceError(f"invalid Python: {exc.msg}", source=shown, line=exc.lineno) from None
        target = _target(module, source, cls, shown)
        context.phase = "build"
        built = _build(target, init or {}, context, shown, source)
        if not isinstance(built, Module):
            raise TraceError(
                f"{getattr(target, '__name__', cls)}() returned a {type(built).__name__}, "
                "not an nn.Module",
                source=shown,
            )
        if not shapes:
            raise TraceError("give the shape of each forward() argument (for example -i 1x3x32x32)")
        built.train(mode == "train")
        recorder.names = {id(m): n for n, m in built.named_modules() if n}
        recorder.prepared = loader.prepared
        context.recorder = recorder
        context.phase = "run"
        recorder.recording = True
        arguments = [
            Tensor(s, origin=_state.Origin(shown, 0, f"input {i + 1}"))
            for i, s in enumerate(shapes)
        ]
        _check_arguments(built, len(shapes), context)
        flow = recorder.flow = Flow(recorder)
        for i, argument in enumerate(arguments):
            flow.input(argument, i)
        set_flow(flow)
        output = built(*arguments)
        set_flow(None)
        recorder.flow = None
        recorder.recording = False
        flow.output(output)
        if flat_outputs(output) is None:
            raise UntraceableError(
                f"forward() returned a {type(output).__name__}; convcalc reports tensors and "
                "tuples, lists or dicts of them",
                source=shown,
            )
        name = getattr(target, "__name__", "model")
        return build_summary(
            name, built, shapes, output, recorder, str(module.__name__), flow=flow, mode=mode
        )
    except Stop as stop:
        error = _error(stop.message)
    except (TraceError, UntraceableError):
        raise
    except Exception as exc:  # the model's own code raised: one sentence at its line
        error = _raised(exc, context, loader)
    except SystemExit as exc:  # sys.exit() in the model's code
        located = _raised(exc, context, loader)
        error = UntraceableError(
            "cannot trace: the model's code calls sys.exit()",
            source=located.source,
            line=located.line,
        )
    finally:
        alarm.cancel()
        set_flow(None)
        recorder.flow = None
        sys.stdout = stdout
        sys.settrace(previous)
        warnings_off.__exit__(None, None, None)
        _state.pop()
        if loader is not None:
            loader.release()
    if recorder.recording:
        # The lines run before the failing one, for the command line to show above the error.
        recorder.recording = False
        error.partial = build_summary(
            getattr(target, "__name__", "model"), built, shapes, None, recorder, ""
        )
    raise error


class _Alarm:
    """The time budget for code that runs no Python lines the tracer could stop at (a
    ``time.sleep``, a blocking call): a real-time timer whose signal stops the trace at the
    model's innermost line. Only where POSIX timers exist and on the main thread (signals
    are delivered there); elsewhere the line tracer's own check is the budget."""

    def __init__(self, recorder: Recorder, seconds: float) -> None:
        import math
        import signal
        import threading

        self.signal = signal
        self.armed = False
        self.previous: Any = None
        if (
            not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()
            or not math.isfinite(seconds)
        ):
            return
        # A little after the line tracer's own deadline, so that it reports a busy loop first.
        self.previous = signal.signal(signal.SIGALRM, lambda _, frame: recorder.alarm(frame))
        # A timer the program had set is given back, less the time the trace took.
        self.started = time.monotonic()
        self.timer = signal.setitimer(signal.ITIMER_REAL, seconds + 0.5)
        self.armed = True

    def cancel(self) -> None:
        if self.armed:
            signal = self.signal
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous or signal.SIG_DFL)
            delay, interval = self.timer
            if delay > 0:
                left = max(delay - (time.monotonic() - self.started), 0.001)
                signal.setitimer(signal.ITIMER_REAL, left, interval)
            self.armed = False
