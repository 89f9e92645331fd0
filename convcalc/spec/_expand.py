"""Located values -> :class:`~convcalc.network.Network`: blocks, repeats, ``from``, arguments."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ShapeError, SpecError
from ..layers import layer_types
from ..network import INPUT, MERGES, LayerSpec, Network, Node
from ._call import bind, looks_like_call, parse_call
from ._common import LIMITS, _Checker, _describe, _Map, _Seq, _suggest
from ._expr import _EXPR
from ._expr import evaluate as _evaluate

_META = ("id", "from", "repeat", "trainable", "train_only")
_TOP = ("name", "input", "blocks", "layers", "description")


class _Call:
    """The arguments of an entry written as PyTorch call text."""

    def __init__(self, args: list[Any], kwargs: dict[str, Any]) -> None:
        self.args = args
        self.kwargs = kwargs


class _Block:
    def __init__(
        self, name: str, params: dict[str, Any], required: set[str], layers: _Seq, path: str
    ) -> None:
        self.name = name
        self.params = params
        self.required = required
        self.layers = layers
        self.path = path


class _Loader(_Checker):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.types = layer_types()
        self.blocks: dict[str, _Block] = {}
        self.nodes: list[Node] = []
        self.block_scopes: list[tuple[tuple[str, ...], str]] = []
        self.counts: dict[str, int] = {}
        self.in_block = False  # ${...} has parameters to refer to only inside a block
        self.train_only = False  # inside a block used with train_only: true

    # -- top level

    def load(self, data: Any, default_name: str) -> Network:
        if not isinstance(data, _Map):
            raise self.error(
                "the spec must be a mapping with 'layers:' (and optionally "
                "'name:', 'input:', 'blocks:')",
                "",
                getattr(data, "line", 1),
                1,
            )
        self.keys(data, _TOP, "")
        name = data.get("name", default_name)
        if not isinstance(name, str):
            raise self.fail(f"expected a string, got {_describe(name)}", "name", data, "name")
        input_shape = None
        if "input" in data:
            input_shape = self.shape(data["input"], "input", data, "input")
        if "blocks" in data:
            self.read_blocks(data["blocks"], data)
        if "layers" not in data:
            raise self.error(
                "missing 'layers:', the list of the network's layers", "", data.line, data.column
            )
        layers = data["layers"]
        if not isinstance(layers, _Seq) or not layers:
            raise self.fail("expected a non-empty list of layers", "layers", data, "layers")
        self.expand(layers, "layers", {}, (), INPUT, block_depth=0)
        return Network(
            tuple(self.nodes), input_shape, name, tuple(self.block_scopes), source=self.source
        )

    def shape(self, value: Any, path: str, container: Any, key: Any) -> tuple[int, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not value:
            raise self.fail(
                f"expected a shape like [1, 3, 224, 224], got {_describe(value)}",
                path,
                container,
                key,
            )
        for i, size in enumerate(value):
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise self.fail(
                    f"expected a size of 0 or more, got {_describe(size)}", f"{path}[{i}]", value, i
                )
        return tuple(value)

    def read_blocks(self, blocks: Any, data: _Map) -> None:
        if not isinstance(blocks, _Map):
            raise self.fail("expected a mapping of block names to blocks", "blocks", data, "blocks")
        for name, block in blocks.items():
            path = f"blocks.{name}"
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise self.fail("a block name must be an identifier", path, blocks, name)
            if name in self.types or name in MERGES:
                raise self.fail(f"block name {name!r} is already a layer type", path, blocks, name)
            if not isinstance(block, _Map):
                raise self.fail(
                    "expected a mapping with 'layers:' (and 'params:')", path, blocks, name
                )
            self.keys(block, ("params", "layers", "description"), path)
            params: dict[str, Any] = {}
            required: set[str] = set()
            raw = block.get("params", _Map())
            if isinstance(raw, _Seq):
                raw_map = _Map(dict.fromkeys(raw))
                raw_map.marks, raw_map.line, raw_map.column = {}, raw.line, raw.column
                raw = raw_map
            if not isinstance(raw, _Map):
                raise self.fail(
                    "expected a mapping of parameter names to defaults (null for a required one)",
                    f"{path}.params",
                    block,
                    "params",
                )
            for param, default in raw.items():
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(param)):
                    raise self.fail(
                        "a parameter name must be an identifier",
                        f"{path}.params.{param}",
                        raw,
                        param,
                    )
                if default is None:
                    required.add(param)
                params[param] = default
            layers = block.get("layers")
            if not isinstance(layers, _Seq) or not layers:
                raise self.fail(
                    "expected a non-empty list of layers",
                    f"{path}.layers",
                    block,
                    "layers" if "layers" in block else None,
                )
            self.blocks[name] = _Block(name, params, required, layers, path)

    # -- entries

    def expand(
        self,
        entries: _Seq,
        path: str,
        scope_values: dict[str, Any],
        scope: tuple[str, ...],
        scope_input: int,
        *,
        block_depth: int,
    ) -> int:
        """Add the nodes of ``entries``; return the index of the last one."""
        outputs: list[int] = []
        names: dict[str, int] = {"input": scope_input}
        for i, entry in enumerate(entries):
            epath = f"{path}[{i}]"
            line, column = entries.marks[i]
            self.here = (line, column)
            kind, value, meta = self.split_entry(entry, epath, entries, i)
            repeat = meta.get("repeat", 1)
            sources = self.sources(meta, epath, entry, names, outputs, scope_input)
            for copy in range(repeat):
                if copy:
                    sources = (outputs[-1],)
                where = f"{self.source}:{line}: {epath}"
                if kind in self.blocks:
                    last = self.use_block(
                        kind, value, meta, epath, entry, scope_values, scope, sources, block_depth
                    )
                else:
                    last = self.add_node(
                        kind, value, meta, epath, entry, scope_values, scope, sources, where
                    )
                outputs.append(last)
                if len(self.nodes) > LIMITS["layers"]:
                    raise self.error(
                        f"the network expands to more than {LIMITS['layers']:,} layers",
                        epath,
                        line,
                        column,
                    )
            if "id" in meta:
                names[meta["id"]] = outputs[-1]
        return outputs[-1]

    def split_entry(
        self, entry: Any, path: str, entries: _Seq, i: int
    ) -> tuple[str, Any, dict[str, Any]]:
        if isinstance(entry, str):
            if looks_like_call(entry):
                kind, call = self.call(entry, path, entries, i)
                return kind, call, {}
            return self.kind(entry, path, entries, i), None, {}
        if not isinstance(entry, _Map):
            raise self.fail(
                f"expected a layer such as 'ReLU' or 'Conv2d: [16, 3]', got {_describe(entry)}",
                path,
                entries,
                i,
            )
        kinds = [k for k in entry if k not in _META]
        if len(kinds) != 1:
            what = (
                "no layer type" if not kinds else f"{len(kinds)} layer types ({', '.join(kinds)})"
            )
            raise self.fail(
                "an entry holds one layer type, besides id/from/repeat/trainable/train_only; "
                f"found {what}",
                path,
                entries,
                i,
            )
        key = kinds[0]
        meta: dict[str, Any] = {}
        value = entry[key]
        if looks_like_call(key):
            if value is not None:
                raise self.fail(
                    f"{key} already gives the arguments; put nothing after its ':' "
                    "(id, from and the other entry keys go on the lines below)",
                    f"{path}.{key}",
                    entry,
                    key,
                )
            kind, value = self.call(key, path, entry, key, at_key=True)
        else:
            kind = self.kind(key, path, entry, key, at_key=True)
        if kind in MERGES and isinstance(value, _Map) and "from" in value:
            # Add: {from: [a, -1]} reads as naturally as 'from' beside it.
            if "from" in entry:
                raise self.fail(
                    "'from' is given twice, beside the entry and in its arguments; keep one",
                    f"{path}.{key}.from",
                    value,
                    "from",
                )
            meta["from"] = value["from"]
            rest = _Map({k: v for k, v in value.items() if k != "from"})
            rest.line, rest.column = value.line, value.column
            rest.marks = {k: v for k, v in value.marks.items() if k != "from"}
            rest.keymarks = {k: v for k, v in value.keymarks.items() if k != "from"}
            value = rest or None
        if "id" in entry:
            ident = entry["id"]
            if not isinstance(ident, str) or not re.fullmatch(r"[A-Za-z_][\w.-]*", ident):
                raise self.fail(
                    f"expected a name for id, got {_describe(ident)}", f"{path}.id", entry, "id"
                )
            if ident == "input":
                raise self.fail(
                    "'input' names the input already; choose another id", f"{path}.id", entry, "id"
                )
            meta["id"] = ident
        if "repeat" in entry:
            repeat = entry["repeat"]
            if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
                raise self.fail(
                    f"expected a positive integer, got {_describe(repeat)}",
                    f"{path}.repeat",
                    entry,
                    "repeat",
                )
            if repeat > LIMITS["repeat"]:
                raise self.fail(
                    f"repeat {repeat:,} is more than the limit of {LIMITS['repeat']:,}",
                    f"{path}.repeat",
                    entry,
                    "repeat",
                )
            meta["repeat"] = repeat
        for flag in ("trainable", "train_only"):
            if flag in entry:
                if not isinstance(entry[flag], bool):
                    raise self.fail(
                        f"expected true or false, got {_describe(entry[flag])}",
                        f"{path}.{flag}",
                        entry,
                        flag,
                    )
                meta[flag] = entry[flag]
        if "from" in entry:
            meta["from"] = entry["from"]
        return kind, value, meta

    def kind(self, name: str, path: str, container: Any, key: Any, *, at_key: bool = False) -> str:
        if name in self.types or name in MERGES or name in self.blocks:
            return name
        options = [*self.types, *MERGES, *self.blocks]
        message = f"unknown layer type {name!r}{_suggest(name, options)}"
        if at_key and name in getattr(container, "keymarks", {}):
            line, column = container.keymarks[name]
            raise self.error(message, path, line, column)
        raise self.fail(message, path, container, key)

    def call(
        self, text: str, path: str, container: Any, key: Any, *, at_key: bool = False
    ) -> tuple[str, _Call]:
        """An entry written as PyTorch call text: its type and arguments, never evaluated."""

        def fail(message: str) -> SpecError:
            if at_key and key in getattr(container, "keymarks", {}):
                line, column = container.keymarks[key]
                return self.error(message, path, line, column)
            return self.fail(message, path, container, key)

        name, args, kwargs = parse_call(text, fail)
        kind = self.kind(name, path, container, key, at_key=at_key)
        if kind in self.types:
            cls = self.types[kind]
            bound = bind(kind, cls._record_positional, cls._record_fields, args, kwargs, fail)
            return kind, _Call([], bound)
        return kind, _Call(args, kwargs)

    def sources(
        self,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        names: dict[str, int],
        outputs: list[int],
        scope_input: int,
    ) -> tuple[int, ...]:
        if "from" not in meta:
            return (outputs[-1] if outputs else scope_input,)
        raw = meta["from"]
        refs = raw if isinstance(raw, list) else [raw]
        if not refs:
            raise self.fail("'from' needs at least one entry", f"{path}.from", entry, "from")
        result = []
        for j, ref in enumerate(refs):
            rpath = f"{path}.from" + (f"[{j}]" if isinstance(raw, list) else "")
            if isinstance(ref, int) and not isinstance(ref, bool):
                if ref >= 0:
                    raise self.fail(
                        f"a relative 'from' counts back from this entry: use -1 "
                        f"for the previous one, not {ref}",
                        rpath,
                        entry,
                        "from",
                    )
                if -ref > len(outputs):
                    if -ref == len(outputs) + 1:
                        result.append(scope_input)
                        continue
                    raise self.fail(
                        f"'from: {ref}' reaches before the first entry; only "
                        f"{len(outputs)} come before this one",
                        rpath,
                        entry,
                        "from",
                    )
                result.append(outputs[ref])
            elif isinstance(ref, str):
                if ref not in names:
                    known = [n for n in names if n != "input"]
                    raise self.fail(
                        f"no earlier entry has id {ref!r}{_suggest(ref, names)}; an entry can "
                        f"only take input from 'input' or earlier ids"
                        + (f" ({', '.join(known)})" if known else ""),
                        rpath,
                        entry,
                        "from",
                    )
                result.append(names[ref])
            else:
                raise self.fail(
                    f"expected an id or a negative index, got {_describe(ref)}",
                    rpath,
                    entry,
                    "from",
                )
        return tuple(result)

    def add_node(
        self,
        kind: str,
        value: Any,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        scope_values: dict[str, Any],
        scope: tuple[str, ...],
        sources: tuple[int, ...],
        where: str,
    ) -> int:
        count = self.counts[kind] = self.counts.get(kind, 0) + 1
        name = meta.get("id") or f"{kind.lower()}_{count}"
        if scope:
            name = f"{scope[-1]}.{name}"
        args, kwargs = self.arguments(kind, value, path, entry, scope_values)
        op: Any
        if kind in MERGES:
            try:
                op = MERGES[kind](*args, **kwargs)
            except TypeError as exc:
                raise self.fail(f"{kind}: {exc}", path, entry, kind) from None
            except ShapeError as exc:
                raise self.fail(str(exc), path, entry, kind) from None
            if len(sources) < 2:
                raise self.fail(
                    f"{kind} takes two or more inputs: give 'from: [a, b]'", path, entry, kind
                )
        else:
            op = LayerSpec(kind, tuple(args), tuple(kwargs.items()))
        self.nodes.append(
            Node(
                op,
                name,
                sources,
                scope,
                where,
                meta.get("trainable", True),
                source=self.source,
                line=self.here[0],
                path=path,
                train_only=self.train_only or meta.get("train_only", False),
            )
        )
        return len(self.nodes) - 1

    def arguments(
        self, kind: str, value: Any, path: str, entry: Any, scope_values: dict[str, Any]
    ) -> tuple[list[Any], dict[str, Any]]:
        """A layer's, merge's or block's arguments: none, a list, a mapping or one value,
        with ``${...}`` worked out from the enclosing block's parameters."""
        if kind in self.blocks:
            names: Any = self.blocks[kind].params
            owner = f"block {kind} has no parameter"
        else:
            cls = MERGES.get(kind) or self.types[kind]
            names = cls._record_fields
            owner = f"{kind} has no argument"

        def resolve(v: Any, vpath: str, container: Any, key: Any) -> Any:
            if isinstance(v, str) and (match := _EXPR.fullmatch(v.strip())):
                if not self.in_block:
                    raise self.fail(
                        f"{v!r}: ${{...}} refers to block parameters, which exist only inside "
                        "blocks",
                        vpath,
                        container,
                        key,
                    )
                return _evaluate(
                    match.group(1), scope_values, lambda m: self.fail(m, vpath, container, key)
                )
            if isinstance(v, list):
                return tuple(resolve(x, f"{vpath}[{j}]", v, j) for j, x in enumerate(v))
            if isinstance(v, dict):
                raise self.fail(
                    "expected a number, a string or a list, not a mapping", vpath, container, key
                )
            return v

        vpath = f"{path}.{kind}"
        if value is None:
            return [], {}
        if isinstance(value, _Call):
            return (
                [resolve(v, vpath, entry, kind) for v in value.args],
                {k: resolve(v, f"{vpath}.{k}", entry, kind) for k, v in value.kwargs.items()},
            )
        if isinstance(value, _Map):
            kwargs = {}
            for key, v in value.items():
                if key not in names:
                    raise self.fail(
                        f"{owner} {key!r}{_suggest(key, names)}", f"{vpath}.{key}", value, key
                    )
                kwargs[key] = resolve(v, f"{vpath}.{key}", value, key)
            return [], kwargs
        if isinstance(value, _Seq):
            return [resolve(v, f"{vpath}[{j}]", value, j) for j, v in enumerate(value)], {}
        return [resolve(value, vpath, entry, kind)], {}

    def use_block(
        self,
        kind: str,
        value: Any,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        scope_values: dict[str, Any],
        scope: tuple[str, ...],
        sources: tuple[int, ...],
        block_depth: int,
    ) -> int:
        block = self.blocks[kind]
        if block_depth >= LIMITS["block_depth"]:
            raise self.fail(
                f"blocks nest deeper than {LIMITS['block_depth']} levels (does {kind} use itself?)",
                path,
                entry,
                kind,
            )
        if len(sources) != 1:
            raise self.fail(f"block {kind} takes one input", f"{path}.from", entry, "from")
        values = dict(block.params)
        outer_in_block = self.in_block
        args, kwargs = self.arguments(kind, value, path, entry, scope_values)
        names = list(block.params)
        if len(args) > len(names):
            raise self.fail(
                f"block {kind} takes {len(names)} parameters "
                f"({', '.join(names) or 'none'}), got {len(args)}",
                path,
                entry,
                kind,
            )
        values.update(zip(names, args, strict=False))
        values.update(kwargs)
        missing = sorted(p for p in block.required if values.get(p) is None)
        if missing:
            raise self.fail(f"block {kind} needs {', '.join(missing)}", path, entry, kind)
        count = self.counts[kind] = self.counts.get(kind, 0) + 1
        instance = meta.get("id") or f"{kind.lower()}_{count}"
        if scope:
            instance = f"{scope[-1]}.{instance}"
        inner = (*scope, instance)
        self.block_scopes.append((inner, kind))
        self.in_block = True
        outer_train_only = self.train_only
        self.train_only = outer_train_only or meta.get("train_only", False)
        try:
            return self.expand(
                block.layers,
                f"{block.path}.layers",
                values,
                inner,
                sources[0],
                block_depth=block_depth + 1,
            )
        finally:
            self.in_block = outer_in_block
            self.train_only = outer_train_only
