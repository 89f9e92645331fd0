"""Block definitions: ``blocks:`` of the spec and of the files it includes (``include:``)."""

from __future__ import annotations

import errno
import os
import re
from typing import Any

from ..errors import SpecError
from ..network import MERGES, PIECES
from ._common import LIMITS, _Checker, _describe, _Map, _Seq
from ._expr import TENSOR_NAMES
from ._yaml import _parse

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CHECKS = "expected a list of checks such as {if: '${depth < 1}', error: depth must be positive}"
_BLOCK_KEYS = ("params", "inputs", "checks", "layers", "type", "description")
_INCLUDED_KEYS = ("include", "blocks", "description")
_MAX_FILES = 64


class _Block:
    def __init__(
        self,
        name: str,
        params: _Map,
        required: set[str],
        inputs: tuple[str, ...],
        layers: _Seq,
        path: str,
        source: str,
        type: str | None = None,
        checks: _Seq | None = None,
    ) -> None:
        self.type = type  # the type its rows show (the module class), if not its name
        self.checks = checks  # checks: [{if: ..., error: ...}], run at each use
        self.name = name
        self.params = params
        self.required = required
        self.inputs = inputs
        self.layers = layers
        self.path = path
        self.source = source


# Paths as strings, written as pathlib writes them: pathlib costs a command a few
# milliseconds to import, so only an unusual path (``a//b``, ``./a``) pays for it.
_NORMAL_PATH = re.compile(r"/?([^/]+/)*[^/]+")


def _joined(base: str | None, item: str) -> str:
    """``str(Path(base) / item)``, or ``str(Path(item))`` without a base."""
    joined = os.path.join(base, item) if base else item
    if os.sep == "/" and _NORMAL_PATH.fullmatch(joined) and "/./" not in f"/{joined}/":
        return joined
    from pathlib import Path

    return str(Path(base) / item if base else Path(item))


def _resolved(file: str) -> str:
    """``str(Path(file).resolve())``, or ``file`` where a symbolic link loops."""
    resolved = os.path.realpath(file)
    try:
        os.stat(resolved)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return file
    return resolved


def _name(file: str) -> str:
    """``Path(file).name``."""
    from pathlib import Path  # only a cycle, an error, pays for it

    return Path(file).name


class _BlockReader(_Checker):
    """Reads ``blocks:`` and ``include:``; the loader builds on it."""

    def __init__(self, source: str, types: dict[str, Any]) -> None:
        super().__init__(source)
        self.types = types
        self.blocks: dict[str, _Block] = {}
        self.files = 0

    def read_includes(self, data: _Map, base: str | None, stack: tuple[str, ...]) -> None:
        """Read the blocks of every file ``data`` includes, depth first."""
        if "include" not in data:
            return
        raw = data["include"]
        paths = raw if isinstance(raw, _Seq) else [raw]
        for j, item in enumerate(paths):
            where = "include" + (f"[{j}]" if isinstance(raw, _Seq) else "")
            container, key = (raw, j) if isinstance(raw, _Seq) else (data, "include")
            if not isinstance(item, str) or not item:
                raise self.fail(
                    f"expected the path of a YAML file of blocks, got {_describe(item)}",
                    where,
                    container,
                    key,
                )
            if "\0" in item:
                raise self.fail("a path cannot hold a NUL character (\\0)", where, container, key)
            file = _joined(base, item)
            resolved = _resolved(file)
            if resolved in stack:
                chain = " -> ".join(_name(p) for p in (*stack, resolved))
                raise self.fail(
                    f"include cycle: {chain}; a file cannot include itself, directly or not",
                    where,
                    container,
                    key,
                )
            self.files += 1
            if self.files > _MAX_FILES:
                raise self.fail(f"more than {_MAX_FILES} included files", where, container, key)
            text = self._read(file, where, container, key)
            outer = self.source
            # A zoo file's include is named as the zoo names its files: zoo:_resnet.
            zoo = outer.startswith("zoo:") and os.path.dirname(file) == base
            self.source = f"zoo:{os.path.splitext(os.path.basename(file))[0]}" if zoo else file
            try:
                included = _parse(text, self.source)
                if not isinstance(included, _Map):
                    raise self.error(
                        "an included file is a mapping with 'blocks:' (and 'include:')", "", 1, 1
                    )
                self.keys(included, _INCLUDED_KEYS, "")
                self.read_includes(included, os.path.dirname(file), (*stack, resolved))
                if "blocks" in included:
                    self.read_blocks(included["blocks"], included)
            finally:
                self.source = outer

    def _read(self, file: str, where: str, container: Any, key: Any) -> str:
        try:
            if os.stat(file).st_size > LIMITS["bytes"]:
                raise self.fail(
                    f"{file} is larger than {LIMITS['bytes']:,} bytes", where, container, key
                )
            with open(file, encoding="utf-8") as text:
                return text.read()
        except SpecError:
            raise
        except FileNotFoundError:
            raise self.fail(f"no such file: {file}", where, container, key) from None
        except UnicodeDecodeError:
            raise self.fail(f"{file} is not UTF-8 text", where, container, key) from None
        except OSError as exc:
            raise self.fail(f"cannot read {file}: {exc.strerror}", where, container, key) from None

    def read_blocks(self, blocks: Any, data: _Map) -> None:
        if not isinstance(blocks, _Map):
            raise self.fail("expected a mapping of block names to blocks", "blocks", data, "blocks")
        for name, block in blocks.items():
            path = f"blocks.{name}"
            if not _NAME.fullmatch(name):
                raise self.fail("a block name must be an identifier", path, blocks, name)
            if name in self.types or name in MERGES or name in PIECES:
                raise self.fail(f"block name {name!r} is already a layer type", path, blocks, name)
            if name in self.blocks:
                first = self.blocks[name]
                raise self.fail(
                    f"block {name!r} is defined twice (first in {first.source}); rename one",
                    path,
                    blocks,
                    name,
                )
            if not isinstance(block, _Map):
                raise self.fail(
                    "expected a mapping with 'layers:' (and 'params:')", path, blocks, name
                )
            self.keys(block, _BLOCK_KEYS, path)
            params, required = self._params(block, path)
            inputs = self._inputs(block, path)
            layers = block.get("layers")
            if not isinstance(layers, _Seq) or not layers:
                raise self.fail(
                    "expected a non-empty list of layers",
                    f"{path}.layers",
                    block,
                    "layers" if "layers" in block else None,
                )
            shown = block.get("type")
            if shown is not None and (not isinstance(shown, str) or not _NAME.fullmatch(shown)):
                raise self.fail(
                    f"expected a type name for the block's rows, got {_describe(shown)}",
                    f"{path}.type",
                    block,
                    "type",
                )
            checks = self.checks_of(block, path)
            self.blocks[name] = _Block(
                name,
                params,
                required,
                inputs,
                layers,
                path,
                self.source,
                shown,
                checks,
            )

    def checks_of(self, container: _Map, path: str) -> _Seq | None:
        """A spec's or a block's ``checks:``, a list (run by the loader), if it has one."""
        if "checks" not in container:
            return None
        checks = container["checks"]
        if not isinstance(checks, _Seq):
            where = f"{path}.checks" if path else "checks"
            raise self.fail(_CHECKS, where, container, "checks")
        return checks

    def _params(self, block: _Map, path: str) -> tuple[_Map, set[str]]:
        required: set[str] = set()
        raw = block.get("params", None)
        if raw is None:
            raw = _Map()
            raw.marks, raw.keymarks, raw.line, raw.column = {}, {}, block.line, block.column
        if isinstance(raw, _Seq):
            raw_map = _Map(dict.fromkeys(raw))
            raw_map.marks, raw_map.keymarks = {}, {}
            raw_map.line, raw_map.column = raw.line, raw.column
            raw = raw_map
        if not isinstance(raw, _Map):
            raise self.fail(
                "expected a mapping of parameter names to defaults (null for a required one)",
                f"{path}.params",
                block,
                "params",
            )
        for param, default in raw.items():
            if not _NAME.fullmatch(str(param)):
                raise self.fail(
                    "a parameter name must be an identifier", f"{path}.params.{param}", raw, param
                )
            if param in TENSOR_NAMES:
                raise self.fail(
                    f"{param!r} names the incoming tensor in ${{...}}; choose another name",
                    f"{path}.params.{param}",
                    raw,
                    param,
                )
            if default is None:
                required.add(param)
        return raw, required

    def _inputs(self, block: _Map, path: str) -> tuple[str, ...]:
        if "inputs" not in block:
            return ("input",)
        raw = block["inputs"]
        if (
            not isinstance(raw, _Seq)
            or not raw
            or not all(isinstance(n, str) and _NAME.fullmatch(n) for n in raw)
        ):
            raise self.fail(
                "expected a list of input names, such as [x, skip]",
                f"{path}.inputs",
                block,
                "inputs",
            )
        if len(set(raw)) != len(raw):
            raise self.fail("an input name is given twice", f"{path}.inputs", block, "inputs")
        return tuple(raw)
