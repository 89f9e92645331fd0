"""The classes of an export: one ``nn.Module`` class per block type of the spec.

The instances of a block type (read into bodies by ``_export_blocks``) may differ, where a
condition left an entry out or a repeat ran a different number of times; they still make one
class, written as PyTorch code is written:

- a chain (each step a module reading the previous step) is an ``nn.Sequential`` subclass
  whose instances take their layers by name, however many;
- otherwise the constructor takes every module any instance has, one left out being ``None``
  (``identity=None``), and a merge or piece some instances leave out is switched by a flag
  (``use_add_1=True``). An entry left out passes its input on, as in the spec, so one forward
  serves every instance when their wiring agrees (``h8 = self.identity(x) if self.identity
  is not None else x``);
- when the wiring differs as well (a ``from`` chosen by an expression), the forward has one
  branch per kind of instance, told apart by the parts present.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from ._export_blocks import Body, Flat, Key, Ref, Step, class_name, identifier


def indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def _merge_order(sequences: Sequence[Sequence[Key]]) -> list[Key]:
    """One order of all keys that keeps the order of each sequence (a topological sort that
    prefers the key seen first)."""
    rank: dict[Key, int] = {}
    after: dict[Key, set[Key]] = {}
    before: dict[Key, int] = {}
    for sequence in sequences:
        for key in sequence:
            rank.setdefault(key, len(rank))
            after.setdefault(key, set())
            before.setdefault(key, 0)
        for a, b in itertools.pairwise(sequence):
            if b not in after[a]:
                after[a].add(b)
                before[b] += 1
    ready = sorted((k for k, n in before.items() if n == 0), key=rank.__getitem__)
    order: list[Key] = []
    while ready:
        key = ready.pop(0)
        order.append(key)
        for b in after[key]:
            before[b] -= 1
            if before[b] == 0:
                ready.append(b)
        ready.sort(key=rank.__getitem__)
    if len(order) != len(rank):
        raise Flat  # the instances order their entries differently
    return order


def _is_chain(body: Body) -> bool:
    previous: Ref = 0
    for step in body.steps:
        if not step.module or step.training or step.sources != (previous,):
            return False
        previous = step.key
    return len(body.inputs) == 1


def _input_names(count: int, given: Sequence[str]) -> list[str]:
    if len(given) == count:
        taken = {"self", "torch", "nn"}
        return [identifier(name, taken) for name in given]
    return ["x"] if count == 1 else [f"x{i}" for i in range(count)]


def _signature(name: str, parameters: list[str], returns: str) -> str:
    line = f"    def {name}(self{''.join(', ' + p for p in parameters)}) -> {returns}:"
    if len(line) <= 100:
        return line
    inner = "".join(f"        {p},\n" for p in parameters)
    return f"    def {name}(\n        self,\n{inner}    ) -> {returns}:"


class Writer:
    """Writes the classes of a network's bodies and the expressions that build them."""

    def __init__(self) -> None:
        self.classes: dict[str, list[str]] = {}  # class name -> its source lines
        self.class_of: dict[str, str] = {}  # block type -> class name
        self.frozen: list[str] = []
        self.sequential = False  # a class derives from nn.Sequential (needs OrderedDict)

    def write_classes(self, root: Body) -> None:
        bodies: dict[str, list[Body]] = {}

        def collect(body: Body) -> None:
            for step in body.steps:
                if step.body is not None:
                    collect(step.body)
                    bodies.setdefault(step.body.kind, []).append(step.body)

        collect(root)
        uses = {
            kind: {s.body.kind for b in instances for s in b.steps if s.body is not None}
            for kind, instances in bodies.items()
        }
        order: list[str] = []

        def visit(kind: str) -> None:  # a class after the classes it uses
            if kind not in order:
                for used in sorted(uses[kind], key=list(bodies).index):
                    visit(used)
                order.append(kind)

        for kind in bodies:
            visit(kind)
        for kind in order:
            instances = bodies[kind]
            name, n = class_name(kind), 2
            while name in self.classes:
                name, n = f"{class_name(kind)}{n}", n + 1
            self.class_of[kind] = name
            self.classes[name] = self.block_class(name, kind, instances)

    def block_class(self, name: str, kind: str, bodies: list[Body]) -> list[str]:
        if all(_is_chain(body) for body in bodies):
            self.sequential = True
            for body in bodies:
                body.names = names_of(body.steps, {"self"})
            return [
                f"class {name}(nn.Sequential):",
                f'    """The spec\'s block {kind}: its layers in order."""',
                "",
                "    def __init__(self, **layers: nn.Module) -> None:",
                "        super().__init__(OrderedDict(layers))",
            ]
        if len({len(body.inputs) for body in bodies}) > 1:
            raise Flat  # instances reading different numbers of tensors
        union = _merge_order([[s.key for s in body.steps] for body in bodies])
        # Each entry as the fullest instance has it, so that it reads the entries before it
        # that others leave out.
        template: dict[Key, Step] = {}
        for body in sorted(bodies, key=lambda b: -len(b.steps)):
            for step in body.steps:
                template.setdefault(step.key, step)
        steps = [template[key] for key in union]
        inputs = _input_names(len(bodies[0].inputs), bodies[0].input_names)
        names = names_of(steps, {"self", "torch", "nn", *inputs})
        optional = {key for key in union if any(key not in _keys(b) for b in bodies)}
        variants = list({body.wiring(): body for body in bodies}.values())
        if len(variants) == 1 or _consistent(union, template, bodies):
            flags = [k for k in union if k in optional and not template[k].module]
            forward, _ = forward_lines(steps, names, inputs, optional)
        else:
            flags, forward = _branches(variants, union, template, names, inputs, optional)
        for body in bodies:
            body.names = names
            body.flags = [f"use_{names[k]}" for k in flags if k in _keys(body)]
        members = [(names[s.key], s.key in optional) for s in steps if s.module]
        # Required parts first, then the optional ones and the flags; the attributes are
        # still set in the order the forward pass runs them.
        parameters = [f"{m}: nn.Module" for m, absent in members if not absent]
        parameters += [f"{m}: nn.Module | None = None" for m, absent in members if absent]
        parameters += [f"use_{names[k]}: bool = False" for k in flags]
        return [
            f"class {name}(nn.Module):",
            f'    """The spec\'s block {kind}."""',
            "",
            _signature("__init__", parameters, "None"),
            "        super().__init__()",
            *(f"        self.{m} = {m}" for m, _ in members),
            *(f"        self.use_{names[k]} = use_{names[k]}" for k in flags),
            "",
            _signature("forward", [f"{x}: torch.Tensor" for x in inputs], "torch.Tensor"),
            *forward,
        ]

    def arguments(self, body: Body, path: str) -> list[tuple[str, str]]:
        """The (name, constructor) pairs of a body's modules, nested blocks written out."""
        pairs = []
        for step in body.steps:
            if not step.module:
                continue
            name = body.names[step.key]
            if step.body is not None:
                source = self.instance(step.body, f"{path}{name}.")
            else:
                assert step.layer is not None  # noqa: S101 - every module step has one
                source = step.layer
                if step.frozen:
                    self.frozen.append(f"{path}{name}")
            pairs.append((name, source))
        return pairs

    def instance(self, body: Body, path: str) -> str:
        arguments = [f"\n{n}={indent(c)}," for n, c in self.arguments(body, path)]
        arguments += [f"\n{flag}=True," for flag in body.flags]
        return f"{self.class_of[body.kind]}({indent(''.join(arguments))}\n)"


def _keys(body: Body) -> set[Key]:
    return {step.key for step in body.steps}


def names_of(steps: Sequence[Step], taken: set[str]) -> dict[Key, str]:
    """Attribute names: a name the spec gave (``id:``) as it is, a generated one
    (``conv2d_7``) numbered again within the block."""
    counts: dict[str, int] = {}
    names: dict[Key, str] = {}
    for step in steps:
        if step.called:  # named only for a flag, and numbering no module
            names[step.key] = identifier(f"{step.kind}_call", taken)
        elif step.given is not None:
            names[step.key] = identifier(step.given, taken)
        else:
            counts[step.kind] = counts.get(step.kind, 0) + 1
            names[step.key] = identifier(f"{step.kind}_{counts[step.kind]}", taken)
    return names


def _consistent(union: list[Key], template: dict[Key, Step], bodies: list[Body]) -> bool:
    """Whether one forward serves every instance: each entry an instance has reads what the
    entries before it give when every entry it lacks passes its input on."""
    for body in bodies:
        present = {step.key: step for step in body.steps}

        def resolve(ref: Ref, present: dict[Key, Step] = present) -> Ref:
            while not isinstance(ref, int) and ref not in present:
                ref = template[ref].sources[0]
            return ref

        for key, step in present.items():
            model = template[key]
            if (step.op, step.shares, step.training) != (model.op, model.shares, model.training):
                return False
            if tuple(resolve(r) for r in model.sources) != step.sources:
                return False
        if resolve(union[-1]) != body.steps[-1].key:
            return False
    return True


def _expression(step: Step, sources: list[str], names: dict[Key, str]) -> str:
    if step.op == "module":
        text = f"self.{names[step.key]}({', '.join(sources)})"
    elif step.shares is not None:
        text = f"self.{names[step.shares]}({sources[0]})"
    else:
        text = step.op.format(*sources)
    return f"{text} if self.training else None" if step.training else text


def forward_lines(
    steps: Sequence[Step],
    names: dict[Key, str],
    inputs: list[str],
    optional: set[Key],
    returned: Sequence[Ref] | None = None,
) -> tuple[list[str], list[list[int]]]:
    """The forward lines of steps in order (an optional one passing its input on when left
    out) and each line's output shape; ``returned``: the tensors returned, if not the last."""
    variables: dict[Key, str] = {}
    lines, shapes = [], []
    for i, step in enumerate(steps):
        sources = [inputs[r] if isinstance(r, int) else variables[r] for r in step.sources]
        text = _expression(step, sources, names)
        if step.key in optional:
            name = names[step.key]
            condition = f"self.{name} is not None" if step.module else f"self.use_{name}"
            text = f"({text})" if step.training else text
            text = f"{text} if {condition} else {sources[0]}"
        variables[step.key] = f"h{i}"
        lines.append(f"        h{i} = {text}")
        shapes.append(step.shape)
    if returned is not None:
        values = [inputs[r] if isinstance(r, int) else variables[r] for r in returned]
        lines.append(f"        return ({', '.join(values)},)")
    else:
        lines.append(f"        return {variables[steps[-1].key]}" if steps else "        return x")
    return lines, shapes


def _branches(
    variants: list[Body],
    union: list[Key],
    template: dict[Key, Step],
    names: dict[Key, str],
    inputs: list[str],
    optional: set[Key],
) -> tuple[list[Key], list[str]]:
    """The flags and forward lines of a class whose instances are wired differently: one
    branch per kind of instance, told apart by the modules present (and flags, if those are
    not enough)."""
    flags: list[Key] = []
    told = [k for k in union if k in optional and template[k].module]
    if len({tuple(k in _keys(v) for k in told) for v in variants}) < len(variants):
        flags = [k for k in union if k in optional and not template[k].module]
        told += flags
        if len({tuple(k in _keys(v) for k in told) for v in variants}) < len(variants):
            raise Flat  # instances with the same parts wired differently
    lines: list[str] = []
    for n, variant in enumerate(variants):
        forward, _ = forward_lines(variant.steps, names, inputs, set())
        if n == len(variants) - 1:
            lines += forward
            break
        conditions = []
        for key in told:
            if len({key in _keys(v) for v in variants[n:]}) == 1:
                continue  # the same in every branch left
            present = key in _keys(variant)
            if template[key].module:
                conditions.append(f"self.{names[key]} is {'not ' if present else ''}None")
            else:
                conditions.append(f"{'' if present else 'not '}self.use_{names[key]}")
        lines.append(f"        if {' and '.join(conditions)}:")
        lines += [f"    {line}" for line in forward]
    return flags, lines
