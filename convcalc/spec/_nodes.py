"""The node writer behind the spec reader: an entry's layer type, keys and arguments (or its
PyTorch call text), values with ``${...}`` worked out, ``from`` references, names, shared
modules and Chunk/Split pieces, appended to the network being built."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ShapeError, SpecError
from ..functional import functional_refusal
from ..network import MERGES, PIECES, LayerSpec, Node, ShapeTracker, _list_fields
from ._blocks import _BlockReader
from ._call import bind, looks_like_call, parse_call
from ._common import _describe, _Map, _Seq, _suggest
from ._expr import NOT_A_PARAMETER, evaluate, expression_of, parameter_value
from ._tf import expand_tf_same, uses_tf_same

_ID = re.compile(r"[A-Za-z_][\w.-]*")
# The keys of an entry besides its layer type.
_META = ("id", "from", "repeat", "trainable", "train_only", "functional", "if", "share")
_PIECE_REF = re.compile(r"(.+?)(?:\.(\d+)|\[(\d+)\])")

# A reference: one node, or the tensors of a Chunk/Split entry.
_Out = int | tuple[int, ...]


class _Call:
    """The arguments of an entry written as PyTorch call text."""

    def __init__(self, args: list[Any], kwargs: dict[str, Any]) -> None:
        self.args = args
        self.kwargs = kwargs


class _Scope:
    """What the entries of one list see: parameters, ids, and the list's inputs."""

    def __init__(
        self,
        values: dict[str, Any],
        inputs: dict[str, int],
        path: tuple[str, ...],
    ) -> None:
        self.values = values
        self.names: dict[str, _Out] = dict(inputs)
        self.layers: dict[str, int] = {}  # ids of single layers, which 'share' can reuse
        self.input = next(iter(inputs.values()))
        self.path = path


class _NodeWriter(_BlockReader):
    """Writes nodes; :class:`~convcalc.spec._expand._Loader` walks the entries."""

    nodes: list[Node]
    counts: dict[str, int]
    train_only: bool
    frozen: bool
    tracker: ShapeTracker | None
    reads_input: bool
    tensor_reads: int
    name_logs: list[list[tuple[str, str | None, str | None, str]]]

    # -- values

    def tensor(self, index: int, fail: Callable[[str], SpecError]) -> Callable[[], Any]:
        def shape() -> tuple[int, ...]:
            self.reads_input = True
            self.tensor_reads += 1
            if self.tracker is None:
                raise fail(
                    "${...} reads the incoming tensor, so the spec needs an input shape: add "
                    "'input:' (or give one with -i)"
                )
            return self.tracker.shape(self.nodes, index)

        return shape

    def value(
        self,
        v: Any,
        vpath: str,
        container: Any,
        key: Any,
        values: dict[str, Any],
        source: int | None,
    ) -> Any:
        """A value with ``${...}`` worked out; lists become tuples."""
        if isinstance(v, str) and (expression := expression_of(v)) is not None:
            found = parameter_value(expression, values)
            if found is not NOT_A_PARAMETER:
                return found

            def fail(message: str) -> SpecError:
                return self.fail(message, vpath, container, key)

            tensor = self.tensor(source, fail) if source is not None else None
            return evaluate(expression, values, fail, tensor)
        if isinstance(v, list):
            return tuple(
                self.value(x, f"{vpath}[{j}]", v, j, values, source) for j, x in enumerate(v)
            )
        if isinstance(v, dict):
            raise self.fail(
                "expected a number, a string or a list, not a mapping", vpath, container, key
            )
        return v

    def one(self, out: _Out, path: str, entry: Any) -> int:
        if isinstance(out, int):
            return out
        raise self.fail(
            f"the entry before gives {len(out)} tensors (Chunk or Split); take one with "
            "'from: ID.0' (give that entry an id)",
            path,
            entry,
            None,
        )

    def sources(
        self,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        scope: _Scope,
        outputs: list[_Out],
    ) -> tuple[int, ...]:
        if "from" not in meta:
            return (self.one(outputs[-1], path, entry) if outputs else scope.input,)
        raw = meta["from"]
        refs = raw if isinstance(raw, list) else [raw]
        if not refs:
            raise self.fail("'from' needs at least one entry", f"{path}.from", entry, "from")
        result: list[int] = []
        for j, ref in enumerate(refs):
            rpath = f"{path}.from" + (f"[{j}]" if isinstance(raw, list) else "")
            found = self.reference(ref, rpath, entry, scope, outputs)
            result.extend((found,) if isinstance(found, int) else found)
        return tuple(result)

    def reference(
        self, ref: Any, rpath: str, entry: Any, scope: _Scope, outputs: list[_Out]
    ) -> _Out:
        if isinstance(ref, str) and expression_of(ref) is not None:
            # A reference chosen by a parameter: '${"halves.1" if stride == 1 else "input"}'
            ref = self.value(ref, rpath, entry, "from", scope.values, None)
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
                    return scope.input
                raise self.fail(
                    f"'from: {ref}' reaches before the first entry; only "
                    f"{len(outputs)} come before this one",
                    rpath,
                    entry,
                    "from",
                )
            return outputs[ref]
        if not isinstance(ref, str):
            raise self.fail(
                f"expected an id or a negative index, got {_describe(ref)}", rpath, entry, "from"
            )
        if ref in scope.names:
            return scope.names[ref]
        piece = _PIECE_REF.fullmatch(ref)
        if piece and isinstance(scope.names.get(piece.group(1)), tuple):
            tensors = scope.names[piece.group(1)]
            assert isinstance(tensors, tuple)  # noqa: S101 - checked just above
            index = int(piece.group(2) or piece.group(3))
            if index >= len(tensors):
                raise self.fail(
                    f"{piece.group(1)!r} gives {len(tensors)} tensors, so there is no "
                    f"tensor {index}",
                    rpath,
                    entry,
                    "from",
                )
            return tensors[index]
        known = [n for n in scope.names if n != "input"]
        raise self.fail(
            f"no earlier entry has id {ref!r}{_suggest(ref, scope.names)}; an entry can "
            f"only take input from 'input' or earlier ids"
            + (f" ({', '.join(known)})" if known else ""),
            rpath,
            entry,
            "from",
        )

    # -- nodes

    def node_name(self, kind: str, meta: dict[str, Any], scope: _Scope) -> str:
        return self.name_in(kind, meta.get("id"), scope.path[-1] if scope.path else None)

    def name_in(self, kind: str, ident: str | None, parent: str | None) -> str:
        """The next name of a ``kind`` in the scope named ``parent``: its id, or the kind
        numbered across the whole network (``conv2d_7``)."""
        count = self.counts[kind] = self.counts.get(kind, 0) + 1
        name = ident or f"{kind.lower()}_{count}"
        full = f"{parent}.{name}" if parent is not None else name
        for log in self.name_logs:  # the blocks being expanded, to name a repeat of theirs
            log.append((kind, ident, parent, full))
        return full

    def append(
        self,
        op: Any,
        name: str,
        sources: tuple[int, ...],
        scope: _Scope,
        path: str,
        meta: dict[str, Any],
        shares: int | None = None,
    ) -> int:
        self.nodes.append(
            Node(
                op,
                name,
                sources,
                scope.path,
                f"{self.source}:{self.here[0]}: {path}",
                meta.get("trainable", True) and not self.frozen,
                source=self.source,
                line=self.here[0],
                path=path,
                train_only=self.train_only or meta.get("train_only", False),
                shares=shares,
                functional=meta.get("functional", False),
            )
        )
        return len(self.nodes) - 1

    def add_node(
        self,
        kind: str,
        value: Any,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        scope: _Scope,
        sources: tuple[int, ...],
    ) -> int:
        if kind == "share":
            return self.share(meta, path, entry, scope, sources)
        name = self.node_name(kind, meta, scope)
        args, kwargs = self.arguments(kind, value, path, entry, scope, sources[0])
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
            fields = _list_fields(kind, self.types[kind])
            if "padding" in fields and uses_tf_same(
                kind, fields, args, kwargs, lambda m: self.fail(f"{kind}: {m}", path, entry, kind)
            ):
                sources, args, kwargs = self.tf_same(
                    kind, fields, args, kwargs, path, entry, scope, meta, sources
                )
            op = LayerSpec(kind, tuple(args), tuple(kwargs.items()))
        return self.append(op, name, sources, scope, path, meta)

    def check_functional(self, kind: str, path: str, entry: Any, *, inside: bool) -> None:
        """``functional: true`` fits a layer that holds no state and has a function, or, in a
        block, one whose parameters the block's module keeps (``F.layer_norm(x, shape,
        self.weight, self.bias)`` in a module's own forward, as a trace exports it)."""
        refused: str | None
        if kind == "share":
            refused = "a shared module is a module: leave out 'functional: true'"
        elif kind in self.blocks:
            refused = f"block {kind} is a module of layers: mark its layers 'functional: true'"
        elif kind in MERGES or kind in PIECES:
            refused = None  # torch.cat, x + y, chunk: calls already; the mark hides the row
        else:
            refused = None if inside else functional_refusal(self.types[kind])
        if refused:
            raise self.fail(refused, f"{path}.functional", entry, "functional")

    def tf_same(
        self,
        kind: str,
        fields: Sequence[str],
        args: list[Any],
        kwargs: dict[str, Any],
        path: str,
        entry: Any,
        scope: _Scope,
        meta: dict[str, Any],
        sources: tuple[int, ...],
    ) -> tuple[tuple[int, ...], list[Any], dict[str, Any]]:
        """``padding: tf_same``: TensorFlow's SAME for the incoming size, as PyTorch layers."""

        def fail(message: str) -> SpecError:
            return self.fail(message, f"{path}.{kind}.padding", entry, kind)

        if self.tracker is None:
            raise fail(
                "padding 'tf_same' depends on the incoming tensor's size, so the spec needs an "
                "input shape: add 'input:'"
            )
        pad, args, kwargs = expand_tf_same(
            kind, fields, args, kwargs, self.tensor(sources[0], fail), fail
        )
        if pad is not None:
            pad_name = self.node_name(type(pad).__name__, {}, scope)
            pad_meta = {k: v for k, v in meta.items() if k != "id"}
            sources = (self.append(pad, pad_name, sources, scope, path, pad_meta),)
        return sources, args, kwargs

    def share(
        self, meta: dict[str, Any], path: str, entry: Any, scope: _Scope, sources: tuple[int, ...]
    ) -> int:
        """The module of an earlier layer used again: PyTorch counts its parameters once."""
        ref = meta["share"]
        if not isinstance(ref, str) or ref not in scope.layers:
            known = ", ".join(scope.layers) or "none here"
            raise self.fail(
                f"'share' takes the id of an earlier single layer in this list, got "
                f"{_describe(ref)}{_suggest(str(ref), scope.layers)} (layers with ids: {known})",
                f"{path}.share",
                entry,
                "share",
            )
        index = scope.layers[ref]
        original = self.nodes[index]
        kind = (
            original.op.type if isinstance(original.op, LayerSpec) else type(original.op).__name__
        )
        name = self.node_name(kind, meta, scope)
        return self.append(original.op, name, sources, scope, path, meta, shares=index)

    def add_pieces(
        self,
        kind: str,
        value: Any,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        scope: _Scope,
        sources: tuple[int, ...],
    ) -> tuple[int, ...]:
        """A Chunk or Split: one node per tensor it gives, addressed as ``ID.0``, ``ID.1``..."""
        args, kwargs = self.arguments(kind, value, path, entry, scope, sources[0])
        cls = PIECES[kind]
        fields = [f for f in cls._record_positional if f != "index"]
        given = dict(zip(fields, args, strict=False))
        given.update(kwargs)
        try:
            probe = cls(**given)
        except (TypeError, ShapeError) as exc:
            raise self.fail(f"{kind}: {exc}", path, entry, kind) from None
        split = getattr(probe, "split_size_or_sections", None)
        if isinstance(split, tuple):
            count = len(split)
        elif isinstance(split, int):
            shape = self.tensor(sources[0], lambda m: self.fail(m, path, entry, kind))()
            dim = getattr(probe, "dim", 0)
            size = shape[dim] if -len(shape) <= dim < len(shape) else 0
            count = max(1, -(-size // split)) if split > 0 else 1
        else:
            count = getattr(probe, "chunks", 1)
        base = self.node_name(kind, meta, scope)
        return tuple(
            self.append(cls(**given, index=k), f"{base}.{k}", sources, scope, path, meta)
            for k in range(count)
        )

    def arguments(
        self, kind: str, value: Any, path: str, entry: Any, scope: _Scope, source: int | None
    ) -> tuple[list[Any], dict[str, Any]]:
        """A layer's, merge's or block's arguments: none, a list, a mapping or one value,
        with ``${...}`` worked out in the entry's scope (``source``: the incoming tensor's
        node, None where it may not be read)."""
        if kind in self.blocks:
            names: Any = self.blocks[kind].params
            owner = f"block {kind} has no parameter"
        else:
            cls = MERGES.get(kind) or PIECES.get(kind) or self.types[kind]
            names = cls._record_fields  # the fields' names, in order
            if kind in PIECES:
                names = [f for f in names if f != "index"]
            owner = f"{kind} has no argument"

        values = scope.values
        resolve = self.value
        vpath = f"{path}.{kind}"
        if value is None:
            return [], {}
        if isinstance(value, _Call):
            return (
                [resolve(v, vpath, entry, kind, values, source) for v in value.args],
                {
                    k: resolve(v, f"{vpath}.{k}", entry, kind, values, source)
                    for k, v in value.kwargs.items()
                },
            )
        if isinstance(value, _Map):
            kwargs = {}
            for key, v in value.items():
                if key not in names:
                    raise self.fail_key(
                        f"{owner} {key!r}{_suggest(key, names)}", f"{vpath}.{key}", value, key
                    )
                kwargs[key] = resolve(v, f"{vpath}.{key}", value, key, values, source)
            return [], kwargs
        if isinstance(value, _Seq):
            return [
                resolve(v, f"{vpath}[{j}]", value, j, values, source) for j, v in enumerate(value)
            ], {}
        return [resolve(value, vpath, entry, kind, values, source)], {}

    # -- entries

    def split_entry(
        self, entry: Any, path: str, entries: _Seq, i: int, scope: _Scope
    ) -> tuple[str | None, Any, dict[str, Any]]:
        if isinstance(entry, str):
            if looks_like_call(entry) and expression_of(entry) is None:
                called, call = self.call(entry, path, entries, i)
                return called, call, {}
            return self.kind(entry, path, entries, i, scope), None, {}
        if not isinstance(entry, _Map):
            raise self.fail(
                f"expected a layer such as 'ReLU' or 'Conv2d: [16, 3]', got {_describe(entry)}",
                path,
                entries,
                i,
            )
        kinds = [k for k in entry if k not in _META]
        if len(kinds) != 1 and not (not kinds and "share" in entry):
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
        meta = self.meta(entry, path)
        if not kinds:
            return "share", None, meta
        key = kinds[0]
        value = entry[key]
        kind: str | None
        if looks_like_call(key) and expression_of(key) is None:
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
            kind = self.kind(key, path, entry, key, scope, at_key=True)
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
        return kind, value, meta

    def meta(self, entry: _Map, path: str) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        if "id" in entry:
            ident = entry["id"]
            if not isinstance(ident, str) or not _ID.fullmatch(ident):
                raise self.fail(
                    f"expected a name for id, got {_describe(ident)}", f"{path}.id", entry, "id"
                )
            if ident == "input":
                raise self.fail(
                    "'input' names the input already; choose another id", f"{path}.id", entry, "id"
                )
            meta["id"] = ident
        for flag in ("trainable", "train_only", "functional"):
            if flag in entry:
                if flag == "trainable" and isinstance(entry[flag], str):
                    meta[flag] = entry[flag]  # ${...}, worked out where the entry is used
                elif not isinstance(entry[flag], bool):
                    raise self.fail(
                        f"expected true or false, got {_describe(entry[flag])}",
                        f"{path}.{flag}",
                        entry,
                        flag,
                    )
                meta[flag] = entry[flag]
        for key in ("from", "repeat", "if", "share"):
            if key in entry:
                meta[key] = entry[key]
        return meta

    def kind(
        self,
        name: str,
        path: str,
        container: Any,
        key: Any,
        scope: _Scope | None = None,
        *,
        at_key: bool = False,
    ) -> str | None:
        if scope is not None and expression_of(name) is not None:
            # A layer type given by a parameter, as '${act}': null leaves the entry out.
            chosen = self.value(name, path, container, key, scope.values, None)
            if chosen is None:
                return None
            if not isinstance(chosen, str):
                raise self.fail(
                    f"{name} gives {_describe(chosen)}, not a layer type", path, container, key
                )
            name = chosen
        if name in self.types or name in MERGES or name in PIECES or name in self.blocks:
            return name
        options = [*self.types, *MERGES, *PIECES, *self.blocks]
        message = f"unknown layer type {name!r}{_suggest(name, options)}"
        if at_key and key in getattr(container, "keymarks", {}):
            line, column = container.keymarks[key]
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
        assert kind is not None  # noqa: S101 - only ${...} names can leave an entry out
        if kind in self.types:
            cls = self.types[kind]
            bound = bind(kind, cls._record_positional, cls._record_fields, args, kwargs, fail)
            return kind, _Call([], bound)
        return kind, _Call(args, kwargs)
