"""YAML (or JSON) network specs -> validated :class:`~convcalc.network.Network` objects.

The only module that imports ``yaml``. The document is composed with PyYAML's safe loader
and turned into plain values here, keeping every value's line and column, so that no code
after this module sees a raw dict and every error points into the file:

    net.yaml:7:5: layers[2]: unknown layer type 'conv2d' (did you mean 'Conv2d'?)

YAML's traps are errors, not surprises: ``yes``/``on``/``off`` (booleans in YAML 1.1),
``010`` (octal 8), ``1:30`` (sexagesimal 90), dates, duplicate keys, empty documents, several
documents. Limits keep any input from hanging or exhausting memory: the document's size, its
nesting depth, alias expansion, ``repeat`` counts and the total number of layers.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from .errors import ShapeError, SpecError
from .layers import layer_types
from .network import INPUT, MERGES, LayerSpec, Network, Node

__all__ = ["LIMITS", "load_spec", "load_spec_file", "zoo_names", "zoo_text"]

LIMITS = {
    "bytes": 2_000_000,  # document size
    "depth": 40,  # nesting of mappings and lists
    "values": 500_000,  # values visited, aliases expanded
    "repeat": 10_000,  # one entry's repeat count
    "layers": 50_000,  # layers after expanding repeats and blocks (about 7 kB each)
    "block_depth": 16,  # blocks used inside blocks
    "expression": 200,  # characters in one ${...}
}

_META = ("id", "from", "repeat", "trainable")
_TOP = ("name", "input", "blocks", "layers", "description")
_ZOO = Path(__file__).parent / "zoo"
# libyaml's parser when PyYAML was built with it: the same nodes and marks, much faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# --------------------------------------------------------------------------------------------
# located values


class _Map(dict[str, Any]):
    """A mapping from the document, remembering where each value stands."""

    line: int
    column: int
    marks: dict[str, tuple[int, int]]


class _Seq(list[Any]):
    """A list from the document, remembering where each item stands."""

    line: int
    column: int
    marks: list[tuple[int, int]]


class _Doc:
    """Turns PyYAML's composed nodes into located plain values, with the traps rejected."""

    _BOOL = re.compile(r"true|false", re.IGNORECASE)
    _DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)")

    def __init__(self, source: str) -> None:
        self.source = source
        self.visited = 0

    def error(self, message: str, path: str, node: yaml.Node | None) -> SpecError:
        mark = node.start_mark if node is not None else None
        return SpecError(
            message,
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            source=self.source,
        )

    def convert(self, node: yaml.Node, path: str, depth: int = 0) -> Any:
        self.visited += 1
        if self.visited > LIMITS["values"]:
            raise self.error(
                f"the document expands to more than {LIMITS['values']:,} values "
                "(aliases repeat what they point to); write it out smaller",
                path,
                node,
            )
        if depth > LIMITS["depth"]:
            short = path if len(path) <= 40 else path[:40] + "…"
            raise self.error(f"nesting deeper than {LIMITS['depth']} levels", short, node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            seq = _Seq()
            seq.line, seq.column = node.start_mark.line + 1, node.start_mark.column + 1
            seq.marks = []
            for i, item in enumerate(node.value):
                seq.append(self.convert(item, f"{path}[{i}]", depth + 1))
                seq.marks.append((item.start_mark.line + 1, item.start_mark.column + 1))
            return seq
        if isinstance(node, yaml.MappingNode):
            mapping = _Map()
            mapping.line, mapping.column = node.start_mark.line + 1, node.start_mark.column + 1
            mapping.marks = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error("mapping keys must be plain names", path, key_node)
                key = str(self.scalar(key_node, path))
                where = f"{path}.{key}" if path else key
                if key in mapping:
                    first = mapping.marks[key][0]
                    raise self.error(
                        f"duplicate key {key!r} (first given on line {first}); "
                        "YAML would silently keep only the last",
                        where,
                        key_node,
                    )
                mapping[key] = self.convert(value_node, where, depth + 1)
                mapping.marks[key] = (
                    value_node.start_mark.line + 1,
                    value_node.start_mark.column + 1,
                )
            return mapping
        raise self.error("unsupported YAML node", path, node)  # pragma: no cover

    def scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        tag, text = node.tag, node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            if not self._BOOL.fullmatch(text):
                raise self.error(
                    f"{text!r} is read as a boolean by YAML; write true or false "
                    "(or quote it for a string)",
                    path,
                    node,
                )
            return text.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            if not self._DECIMAL.fullmatch(text):
                raise self.error(
                    f"{text!r} is not a plain decimal integer (YAML reads "
                    "leading zeros as octal and 1:30 as 90); write it in decimal",
                    path,
                    node,
                )
            return int(text.replace("_", ""))
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(text.replace("_", ""))
            except ValueError:
                return float(yaml.safe_load(text))
        if tag == "tag:yaml.org,2002:str":
            return text
        raise self.error(
            f"{text!r} has YAML type {tag.rsplit(':', 1)[-1]}; quote it for a string", path, node
        )


def _parse(text: str, source: str) -> Any:
    if len(text.encode("utf-8", errors="replace")) > LIMITS["bytes"]:
        raise SpecError(f"the spec is larger than {LIMITS['bytes']:,} bytes", source=source)
    doc = _Doc(source)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc.context or ""):
            problem = "the file holds several YAML documents; give one"
        raise SpecError(
            f"invalid YAML: {problem}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            source=source,
        ) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", source=source) from None
    except RecursionError:
        raise SpecError(f"nesting deeper than {LIMITS['depth']} levels", source=source) from None
    if node is None:
        raise SpecError("the spec is empty; it needs at least 'layers:'", source=source)
    return doc.convert(node, "")


# --------------------------------------------------------------------------------------------
# checking helpers


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        # The entry being read, for errors about values that carry no position of their own.
        self.here: tuple[int | None, int | None] = (None, None)

    def error(
        self, message: str, path: str, line: int | None = None, column: int | None = None
    ) -> SpecError:
        return SpecError(message, path=path, line=line, column=column, source=self.source)

    def at(self, container: Any, key: Any) -> tuple[int | None, int | None]:
        marks = getattr(container, "marks", None)
        if isinstance(container, _Map) and key in container.marks:
            return container.marks[key]
        if isinstance(container, _Seq) and isinstance(key, int) and marks:
            return container.marks[key]
        if isinstance(container, (_Map, _Seq)):
            return container.line, container.column
        return self.here

    def fail(self, message: str, path: str, container: Any, key: Any = None) -> SpecError:
        line, column = self.at(container, key)
        return self.error(message, path, line, column)

    def keys(self, mapping: _Map, allowed: tuple[str, ...], path: str) -> None:
        for key in mapping:
            if key not in allowed:
                raise self.fail(
                    f"unknown key {key!r}{_suggest(key, allowed)}",
                    f"{path}.{key}" if path else key,
                    mapping,
                    key,
                )


def _suggest(name: str, options: Any) -> str:
    options = list(options)
    lowered = {o.lower(): o for o in options}
    bare = name.removeprefix("nn.").removeprefix("torch.nn.")
    if bare.lower() in lowered and lowered[bare.lower()] != name:
        return f" (did you mean {lowered[bare.lower()]!r}?)"
    close = difflib.get_close_matches(bare, options, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(value: Any) -> str:
    if value is True or value is False:
        return str(value).lower()
    if value is None:
        return "null"
    return repr(value)


# --------------------------------------------------------------------------------------------
# expressions: ${width * 4}, evaluated with a small parser, never eval


_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z_0-9]*)|(//|[-+*%()/]))")


def _evaluate(expression: str, scope: dict[str, Any], fail: Callable[[str], SpecError]) -> Any:
    """Integer arithmetic over block parameters: + - * // % ( ), and / when it divides."""
    if len(expression) > LIMITS["expression"]:
        raise fail(f"expression longer than {LIMITS['expression']} characters")
    tokens: list[tuple[str, Any]] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise fail(
                f"cannot read {text[pos:]!r} in ${{{expression}}}; use integers, "
                "parameter names, + - * // % and parentheses"
            )
        number, name, op = match.groups()
        if number is not None:
            tokens.append(("num", int(number)))
        elif name is not None:
            if name not in scope:
                raise fail(
                    f"unknown parameter {name!r} in ${{{expression}}}{_suggest(name, scope)}"
                )
            tokens.append(("num", scope[name]))
        else:
            tokens.append(("op", op))
        pos = match.end()
    position = 0

    def peek() -> tuple[str, Any] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, Any]:
        nonlocal position
        if position >= len(tokens):
            raise fail(f"${{{expression}}} ends too early")
        position += 1
        return tokens[position - 1]

    def atom() -> Any:
        kind, value = take()
        if kind == "num":
            return value
        if value == "-":
            return -_as_int(atom())
        if value == "(":
            result = expr()
            if take() != ("op", ")"):
                raise fail(f"missing ')' in ${{{expression}}}")
            return result
        raise fail(f"unexpected {value!r} in ${{{expression}}}")

    def _as_int(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(
                f"${{{expression}}} does arithmetic on {_describe(value)}, which is not an integer"
            )
        return value

    def term() -> Any:
        result = atom()
        while (token := peek()) is not None and token[1] in ("*", "//", "/", "%"):
            take()
            left, right = _as_int(result), _as_int(atom())
            if token[1] == "*":
                result = left * right
            elif right == 0:
                raise fail(f"division by zero in ${{{expression}}}")
            elif token[1] == "%":
                result = left % right
            elif token[1] == "/" and left % right:
                raise fail(
                    f"{left} / {right} is not a whole number in ${{{expression}}}; "
                    "use // to round down"
                )
            else:
                result = left // right
        return result

    def expr() -> Any:
        result = term()
        while (token := peek()) is not None and token[1] in ("+", "-"):
            take()
            left, right = _as_int(result), _as_int(term())
            result = left + right if token[1] == "+" else left - right
        return result

    value = expr()
    if position != len(tokens):
        raise fail(f"unexpected {tokens[position][1]!r} in ${{{expression}}}")
    return value


_EXPR = re.compile(r"\$\{(.*)\}", re.DOTALL)


# --------------------------------------------------------------------------------------------
# the spec


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
                f"an entry holds one layer type, besides id/from/repeat/trainable; found {what}",
                path,
                entries,
                i,
            )
        key = kinds[0]
        kind = self.kind(key, path, entry, key)
        meta: dict[str, Any] = {}
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
        if "trainable" in entry:
            if not isinstance(entry["trainable"], bool):
                raise self.fail(
                    f"expected true or false, got {_describe(entry['trainable'])}",
                    f"{path}.trainable",
                    entry,
                    "trainable",
                )
            meta["trainable"] = entry["trainable"]
        if "from" in entry:
            meta["from"] = entry["from"]
        return kind, entry[key], meta

    def kind(self, name: str, path: str, container: Any, key: Any) -> str:
        if name in self.types or name in MERGES or name in self.blocks:
            return name
        options = [*self.types, *MERGES, *self.blocks]
        raise self.fail(
            f"unknown layer type {name!r}{_suggest(name, options)}", path, container, key
        )

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
        self.nodes.append(Node(op, name, sources, scope, where, meta.get("trainable", True)))
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


def load_spec(
    text_or_path: str | Path, *, source: str | None = None, name: str | None = None
) -> Network:
    """A network from YAML or JSON text, a file path, ``-`` (standard input) or a zoo name.

    A one-line string naming an existing file, ending in ``.yaml``/``.yml``/``.json``, or
    naming a zoo entry is read as a path; anything else is the spec's text.
    """
    if isinstance(text_or_path, Path):
        return load_spec_file(str(text_or_path))
    text = text_or_path
    if _looks_like_path(text):
        return load_spec_file(text)
    return _load_text(text, source=source or "<spec>", name=name)


def _looks_like_path(text: str) -> bool:
    if "\n" in text or ": " in text or text.lstrip().startswith(("{", "[")):
        return False
    if text == "-" or text.endswith((".yaml", ".yml", ".json")) or text in zoo_names():
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def _load_text(text: str, *, source: str, name: str | None = None) -> Network:
    data = _parse(text, source)
    default = name or (Path(source).stem if not source.startswith("<") else "network")
    return _Loader(source).load(data, default)


def load_spec_file(path: str) -> Network:
    """Load a spec from a file, ``-`` for standard input, or a zoo name such as ``lenet``."""
    if path == "-":
        return _load_text(sys.stdin.read(), source="<stdin>")
    file = Path(path)
    if not file.exists() and path in zoo_names():
        return _load_text(zoo_text(path), source=f"zoo:{path}", name=path)
    try:
        size = file.stat().st_size
        if size > LIMITS["bytes"]:
            raise SpecError(f"the spec is larger than {LIMITS['bytes']:,} bytes", source=path)
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        zoo = ", ".join(zoo_names())
        raise SpecError(
            f"no such file, and no zoo entry by that name (the zoo has: {zoo})", source=path
        ) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", source=path) from None
    except UnicodeDecodeError:
        raise SpecError("is not UTF-8 text", source=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read it: {exc.strerror}", source=path) from None
    return _load_text(text, source=path)


def zoo_names() -> list[str]:
    """The built-in example networks."""
    return sorted(p.stem for p in _ZOO.glob("*.yaml"))


def zoo_text(name: str) -> str:
    """The YAML of a built-in network."""
    if name not in zoo_names():
        raise SpecError(
            f"no zoo entry {name!r}{_suggest(name, zoo_names())}; the zoo has: "
            f"{', '.join(zoo_names())}"
        )
    return (_ZOO / f"{name}.yaml").read_text(encoding="utf-8")
