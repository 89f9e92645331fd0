"""Located values -> :class:`~convcalc.network.Network`: parameters, blocks, repeats,
conditions, ``from``, shared modules and arguments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import SpecError
from ..layers import layer_types
from ..network import INPUT, MERGES, PIECES, Network, Node, ShapeTracker
from ._blocks import _NAME
from ._common import LIMITS, _describe, _Map, _Seq, _suggest
from ._copies import _ABSENT, Leaves, _Copier, _Expansion, _Leaf, _Rebuild, _Template, _typed
from ._expr import expression_of
from ._nodes import _Out, _Scope

_UNKNOWN: Any = object()  # a parameter whose value failed, in a spec with checks
_CHECK = "expected a check such as {if: '${depth < 1}', error: depth must be positive}"
_TOP = (
    "name",
    "input",
    "params",
    "checks",
    "include",
    "blocks",
    "layers",
    "outputs",
    "description",
)


class _Loader(_Copier):
    def __init__(
        self,
        source: str,
        *,
        params: dict[str, Any] | None = None,
        input_shape: tuple[int, ...] | None = None,
        base: str | None = None,
        rebuild: Callable[[tuple[int, ...]], Network] | None = None,
    ) -> None:
        super().__init__(source, layer_types())
        self.nodes: list[Node] = []
        self.block_scopes: list[tuple[tuple[str, ...], str]] = []
        self.block_entries: list[tuple[tuple[str, ...], str]] = []
        self.block_inputs: list[tuple[tuple[str, ...], tuple[tuple[str, int], ...]]] = []
        self.counts: dict[str, int] = {}
        self.train_only = False  # inside a block used with train_only: true
        self.frozen = False  # inside a block used with trainable: false
        self.overrides = dict(params or {})
        self.input_override = input_shape
        self.base = base
        self.rebuild = rebuild
        self.tracker: ShapeTracker | None = None
        self.reads_input = False
        self.tensor_reads = 0
        self.name_logs: list[list[tuple[str, str | None, str | None, str]]] = []
        self.expansions: dict[Any, _Expansion] = {}
        self.leaves: dict[str, Leaves] = {}
        self.templates: list[_Template] = []  # the blocks being expanded, innermost last
        self.top_values: dict[str, Any] = {}

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
        input_shape = self.input_override
        if input_shape is None and "input" in data:
            input_shape = self.shape(data["input"], "input", data, "input")
        if input_shape is not None:
            self.tracker = ShapeTracker(input_shape)
        # The spec's checks come before its parameters' own errors, as a builder's checks of
        # its arguments come before the arithmetic on them (RegNet's w_m = 1 is "Invalid
        # RegNet settings", not a division by zero in a width).
        values, broken = self.read_params(data)
        self.top_values = values
        checks = self.checks_of(data, "")
        if checks is not None:
            self.checks(checks, "checks", values, INPUT, partial=broken is not None)
        if broken is not None:
            raise broken
        self.read_includes(data, self.base, (self.source,))
        if "blocks" in data:
            self.read_blocks(data["blocks"], data)
        if "layers" not in data:
            raise self.error(
                "missing 'layers:', the list of the network's layers", "", data.line, data.column
            )
        layers = data["layers"]
        if not isinstance(layers, _Seq) or not layers:
            raise self.fail("expected a non-empty list of layers", "layers", data, "layers")
        # A copy: a repeat's ${repeat_index} is the top level's own, not seen inside blocks.
        scope = _Scope(dict(values), {"input": INPUT}, ())
        self.expand(layers, "layers", scope, block_depth=0)
        return Network(
            tuple(self.nodes),
            input_shape,
            name,
            tuple(self.block_scopes),
            block_entries=tuple(self.block_entries),
            block_inputs=tuple(self.block_inputs),
            source=self.source,
            rebuild=self.rebuild if self.reads_input else None,
            outputs=self.outputs(data, scope),
        )

    def outputs(self, data: _Map, scope: _Scope) -> tuple[int, ...]:
        """``outputs: [p2, p3, ...]``: the ids whose tensors the network returns, in order
        (an id of a Chunk or Split entry gives all its tensors)."""
        if "outputs" not in data:
            return ()
        raw = data["outputs"]
        if isinstance(raw, str) and expression_of(raw) is not None:
            # A list chosen by a parameter: '${["out", "aux"] if aux_loss else ["out"]}'
            chosen = self.value(raw, "outputs", data, "outputs", scope.values, None)
            if isinstance(chosen, tuple):
                where = data.marks.get("outputs", (data.line, data.column))
                raw = _Seq(chosen)
                raw.line, raw.column = where
                raw.marks = [where] * len(raw)
        if not isinstance(raw, _Seq) or not raw:
            raise self.fail("expected a list of ids, such as [p2, p3]", "outputs", data, "outputs")
        found: list[int] = []
        for j, ref in enumerate(raw):
            if not isinstance(ref, str):
                raise self.fail(f"expected an id, got {_describe(ref)}", f"outputs[{j}]", raw, j)
            # Messages point at the item: a one-key mapping standing where it stands.
            item = _Map(**{"from": ref})
            item.line, item.column = raw.marks[j]
            item.marks, item.keymarks = {"from": raw.marks[j]}, {}
            out = self.reference(ref, f"outputs[{j}]", item, scope, [])
            found.extend((out,) if isinstance(out, int) else out)
        return tuple(found)

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

    def read_params(self, data: _Map) -> tuple[dict[str, Any], SpecError | None]:
        """The spec's own parameters, with the caller's overrides, in order; and, if the spec
        has checks, the first error a parameter's value gave (its value then unknown)."""
        raw = data.get("params")
        if raw is None:
            raw = _Map()
            raw.marks, raw.keymarks, raw.line, raw.column = {}, {}, data.line, data.column
        if not isinstance(raw, _Map):
            raise self.fail(
                "expected a mapping of parameter names to values", "params", data, "params"
            )
        for key in self.overrides:
            if key not in raw:
                have = ", ".join(raw) or "none"
                raise SpecError(
                    f"no parameter {key!r} to set{_suggest(key, raw)}; the spec's parameters: "
                    f"{have}",
                    source=self.source,
                )
        values: dict[str, Any] = {}
        broken: SpecError | None = None
        for key, value in raw.items():
            path = f"params.{key}"
            if not _NAME.fullmatch(key):
                raise self.fail("a parameter name must be an identifier", path, raw, key)
            if key in self.overrides:
                values[key] = _plain(self.overrides[key])
                continue
            if value is None:
                raise self.fail(
                    f"parameter {key!r} has no value; give one (--set {key}=VALUE)", path, raw, key
                )
            # The network's input is the incoming tensor of the top level.
            try:
                values[key] = self.value(value, path, raw, key, values, INPUT)
            except SpecError as exc:
                if "checks" not in data:
                    raise
                broken = broken or exc
                values[key] = _UNKNOWN
        return values, broken

    # -- entries

    def expand(self, entries: _Seq, path: str, scope: _Scope, *, block_depth: int) -> _Out:
        """Add the nodes of ``entries``; return the index of the last output."""
        outputs: list[_Out] = []
        for i, entry in enumerate(entries):
            epath = f"{path}[{i}]"
            line, column = entries.marks[i]
            self.here = (line, column)
            kind, value, meta = self.split_entry(entry, epath, entries, i, scope)
            sources = self.sources(meta, epath, entry, scope, outputs)
            run = kind is not None and (
                "if" not in meta or self.condition(meta, epath, entry, scope, sources)
            )
            if run and isinstance(meta.get("trainable"), str):
                meta = {**meta, "trainable": self.flag(meta, "trainable", epath, entry, scope)}
            repeat = (
                (self.repeat(meta, epath, entry, scope, sources) if "repeat" in meta else 1)
                if run
                else 0
            )
            if not repeat:
                # Left out: the entry passes its input on, so its id names that input.
                outputs.append(sources[0])
                if "id" in meta:
                    scope.names[meta["id"]] = sources[0]
                continue
            assert kind is not None  # noqa: S101 - a missing kind never runs
            if meta.get("functional"):
                self.check_functional(kind, epath, entry, inside=bool(scope.path))
            last: _Out = sources[0]
            outer_index = scope.values.get("repeat_index")
            for copy in range(repeat):
                if copy:
                    sources = (self.one(last, epath, entry),)
                if "repeat" in meta:
                    scope.values["repeat_index"] = copy  # ${repeat_index}: 0, 1, ...
                if kind in self.blocks:
                    last = self.use_block(
                        kind, value, meta, epath, entry, scope, sources, block_depth
                    )
                elif kind in PIECES:
                    last = self.add_pieces(kind, value, meta, epath, entry, scope, sources)
                else:
                    before = (len(self.nodes), self.tensor_reads)
                    last = self.add_node(kind, value, meta, epath, entry, scope, sources)
                    if self.templates and id(entry) in self.templates[-1].entries:
                        self.templates[-1].note(
                            before,
                            (len(self.nodes), self.tensor_reads),
                            _Rebuild(
                                last - self.templates[-1].first,
                                kind,
                                value,
                                epath,
                                entry,
                                scope.values.get("repeat_index", _ABSENT),
                            ),
                        )
                outputs.append(last)
                if len(self.nodes) > LIMITS["layers"]:
                    raise self.error(
                        f"the network expands to more than {LIMITS['layers']:,} layers",
                        epath,
                        line,
                        column,
                    )
            if "repeat" in meta:
                if outer_index is None:
                    scope.values.pop("repeat_index", None)
                else:
                    scope.values["repeat_index"] = outer_index
            if "id" in meta:
                scope.names[meta["id"]] = last
                if (
                    isinstance(last, int)
                    and kind not in self.blocks
                    and kind not in MERGES
                    and not meta.get("functional")  # a function is no module to share
                ):
                    scope.layers[meta["id"]] = last
        return outputs[-1]

    def condition(
        self, meta: dict[str, Any], path: str, entry: Any, scope: _Scope, sources: tuple[int, ...]
    ) -> bool:
        if "if" not in meta:
            return True
        return self.holds(meta, path, entry, scope.values, sources[0])

    def holds(
        self, meta: dict[str, Any], path: str, entry: Any, values: dict[str, Any], source: int
    ) -> bool:
        """An entry's or a check's ``if:``, true or false."""
        result = self.value(meta["if"], f"{path}.if", entry, "if", values, source)
        if not isinstance(result, (bool, int)) and result is not None:
            raise self.fail(
                f"expected true or false, got {_describe(result)}", f"{path}.if", entry, "if"
            )
        return bool(result)

    def flag(self, meta: dict[str, Any], key: str, path: str, entry: Any, scope: _Scope) -> bool:
        """A true/false entry key given as ``${...}``."""
        result = self.value(meta[key], f"{path}.{key}", entry, key, scope.values, None)
        if not isinstance(result, bool):
            raise self.fail(
                f"expected true or false, got {_describe(result)}", f"{path}.{key}", entry, key
            )
        return result

    def repeat(
        self, meta: dict[str, Any], path: str, entry: Any, scope: _Scope, sources: tuple[int, ...]
    ) -> int:
        if "repeat" not in meta:
            return 1
        count = self.value(
            meta["repeat"], f"{path}.repeat", entry, "repeat", scope.values, sources[0]
        )
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise self.fail(
                f"expected an integer of 0 or more, got {_describe(count)}",
                f"{path}.repeat",
                entry,
                "repeat",
            )
        if count > LIMITS["repeat"]:
            raise self.fail(
                f"repeat {count:,} is more than the limit of {LIMITS['repeat']:,}",
                f"{path}.repeat",
                entry,
                "repeat",
            )
        return count

    def use_block(
        self,
        kind: str,
        value: Any,
        meta: dict[str, Any],
        path: str,
        entry: Any,
        scope: _Scope,
        sources: tuple[int, ...],
        block_depth: int,
    ) -> _Out:
        block = self.blocks[kind]
        if block_depth >= LIMITS["block_depth"]:
            raise self.fail(
                f"blocks nest deeper than {LIMITS['block_depth']} levels (does {kind} use itself?)",
                path,
                entry,
                kind,
            )
        if len(sources) != len(block.inputs):
            wanted = (
                "one input"
                if len(block.inputs) == 1
                else f"{len(block.inputs)} inputs ({', '.join(block.inputs)}): give 'from: [...]'"
            )
            raise self.fail(f"block {kind} takes {wanted}", f"{path}.from", entry, "from")
        args, kwargs = self.arguments(kind, value, path, entry, scope, sources[0])
        names = list(block.params)
        if len(args) > len(names):
            raise self.fail(
                f"block {kind} takes {len(names)} parameters "
                f"({', '.join(names) or 'none'}), got {len(args)}",
                path,
                entry,
                kind,
            )
        given = dict(zip(names, args, strict=False))
        given.update(kwargs)
        missing = sorted(p for p in block.required if given.get(p) is None)
        if missing:
            raise self.fail(f"block {kind} needs {', '.join(missing)}", path, entry, kind)
        instance = self.node_name(kind, meta, scope)
        inner = (*scope.path, instance)
        self.block_scopes.append((inner, block.type or kind))
        self.block_entries.append((inner, path))
        if len(block.inputs) > 1:
            self.block_inputs.append((inner, tuple(zip(block.inputs, sources, strict=True))))
        outer = (self.source, self.train_only, self.frozen, self.here)
        self.source = block.source
        self.train_only = self.train_only or meta.get("train_only", False)
        self.frozen = self.frozen or not meta.get("trainable", True)
        # A block used again with the same arguments (and, if it reads it, the same incoming
        # size) expands to the same entries: copy them, renamed, rather than work them out.
        # Arguments that only its own layers' arguments read may differ: those layers are
        # worked out again.
        key, leaves, leaf_values = self.copy_key(block, given, block_depth, sources)
        known = self.expansions.get(key) if key is not None else None
        try:
            if known is not None and self.same_input(known, sources[0]):
                ops = self.rebuilt(known, leaves.params, leaf_values)
                if ops is not None:
                    return self.copy_expansion(known, scope.path, instance, sources[0], ops)
            start = (
                len(self.nodes),
                len(self.block_scopes),
                len(self.block_inputs),
                self.tensor_reads,
            )
            log: list[tuple[str, str | None, str | None, str]] = []
            self.name_logs.append(log)
            template = _Template(leaves.entries, start[0])
            self.templates.append(template)
            try:
                last, values = self.expand_block(block, given, names, sources, inner, block_depth)
            finally:
                self.name_logs.pop()
                self.templates.pop()
            if key is not None:
                self.remember(
                    key,
                    start,
                    log,
                    scope.path,
                    instance,
                    sources[0],
                    last,
                    _Leaf(values, _typed(leaf_values), template.rebuilds()),
                )
            return last
        finally:
            self.source, self.train_only, self.frozen, self.here = outer

    def expand_block(
        self,
        block: Any,
        given: dict[str, Any],
        names: list[str],
        sources: tuple[int, ...],
        inner: tuple[str, ...],
        block_depth: int,
    ) -> tuple[_Out, dict[str, Any]]:
        """The block's last output, and its parameters' values."""
        # Defaults are worked out in the block's own scope, after the given values.
        values = dict(self.top_values)  # a block sees the spec's parameters and its own
        for param in names:
            if param in given:
                values[param] = given[param]
            else:
                values[param] = self.value(
                    block.params[param],
                    f"{block.path}.params.{param}",
                    block.params,
                    param,
                    values,
                    sources[0],
                )
        if block.checks is not None:
            self.checks(block.checks, f"{block.path}.checks", values, sources[0])
        inputs = dict(zip(block.inputs, sources, strict=True))
        inputs.setdefault("input", sources[0])
        last = self.expand(
            block.layers,
            f"{block.path}.layers",
            _Scope(values, inputs, inner),
            block_depth=block_depth + 1,
        )
        return last, values

    def checks(
        self, checks: _Seq, path: str, values: dict[str, Any], source: int, *, partial: bool = False
    ) -> None:
        """``checks: [{if: '${...}', error: text}]``: the error where a condition holds, as a
        builder refuses its arguments (``raise ValueError(...)`` in its source). ``partial``:
        some values are unknown (their own error follows), and a check that reads one is
        passed over."""
        for j, check in enumerate(checks):
            where = f"{path}[{j}]"
            if (
                not isinstance(check, _Map)
                or set(check) != {"if", "error"}
                or not isinstance(check["error"], str)
                or not check["error"].strip()
            ):
                raise self.fail(_CHECK, where, checks, j)
            try:
                refused = self.holds(check, where, check, values, source)
            except SpecError:
                if partial:  # it read an unknown value, or failed on one
                    continue
                raise
            if refused:
                raise self.fail(check["error"], where, checks, j)


def _plain(value: Any) -> Any:
    """A parameter value from Python: lists become tuples, as the spec's own do."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value
