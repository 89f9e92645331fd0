"""A JSON Schema of the network spec format, so that editors validate and complete specs.

``spec_schema()`` is built from the layer classes themselves: every layer type, its
arguments in PyTorch's order, and the entry keys (``id``, ``from``, ``repeat``,
``trainable``). ``convcalc schema`` prints it.
"""

from __future__ import annotations

from typing import Any

from .layers import layer_types
from .network import MERGES, _inferred_field

__all__ = ["spec_schema"]

_EXPRESSION = {
    "type": "string",
    "pattern": r"^\$\{.+\}$",
    "description": "Integer arithmetic over block parameters, e.g. ${planes * 4}",
}
_INT = {"anyOf": [{"type": "integer"}, _EXPRESSION]}
_INTS = {
    "anyOf": [{"type": "integer"}, _EXPRESSION, {"type": "array", "items": _INT, "minItems": 1}]
}


def _field_schema(annotation: str) -> dict[str, Any]:
    text = str(annotation)
    if text in ("int",):
        return _INT
    if "IntOrTuple" in text or "Sequence[int]" in text or "tuple[int" in text:
        return {"anyOf": [*_INTS["anyOf"], {"type": "null"}]} if "None" in text else _INTS
    if text == "bool":
        return {"type": "boolean"}
    if text.startswith("bool"):
        return {"type": ["boolean", "null"]}
    if text.startswith("float"):
        numeric: dict[str, Any] = {"anyOf": [{"type": "number"}, _EXPRESSION]}
        if "tuple" in text:
            numeric["anyOf"].append({"type": "array", "items": {"type": "number"}})
        if "None" in text:
            numeric["anyOf"].append({"type": "null"})
        return numeric
    if text.startswith("str"):
        return {"type": "string"}
    return {}


def _arguments(cls: type) -> dict[str, Any]:
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    fields = cls._record_fields  # type: ignore[attr-defined]
    properties = {name: _field_schema(annotations.get(name, "")) for name in fields}
    positional = [
        name
        for name in cls._record_positional  # type: ignore[attr-defined]
        if name != _inferred_field(cls.__name__)
    ]
    return {
        "description": "Arguments as in PyTorch: a list (positional: "
        + (", ".join(positional) or "none")
        + "), a mapping, or one value.",
        "anyOf": [
            {"type": "null"},
            {"type": "array"},
            {"type": "object", "properties": properties, "additionalProperties": False},
            {"type": ["integer", "number", "string", "boolean"]},
        ],
    }


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a network spec."""
    types = {**layer_types(), **MERGES}
    meta = {
        "id": {"type": "string", "description": "A name other entries can take input from."},
        "from": {
            "description": "Input: an id, 'input', a negative index (-1 = previous), or a list "
            "of these for Add, Mul and Concat.",
            "anyOf": [
                {"type": "string"},
                {"type": "integer", "maximum": -1},
                {"type": "array", "items": {"type": ["string", "integer"]}, "minItems": 1},
            ],
        },
        "repeat": {"type": "integer", "minimum": 1, "description": "Repeat the entry in a chain."},
        "trainable": {"type": "boolean", "description": "false counts the parameters as frozen."},
    }
    defs: dict[str, Any] = {}
    entry_kinds: list[dict[str, Any]] = [{"enum": sorted(types)}]
    for name, cls in sorted(types.items()):
        defs[name] = {
            "type": "object",
            "properties": {name: _arguments(cls), **meta},
            "required": [name],
            "additionalProperties": False,
        }
        entry_kinds.append({"$ref": f"#/$defs/{name}"})
    entry_kinds.append(
        {
            "description": "A block defined under 'blocks:', with its parameters.",
            "type": "object",
            "minProperties": 1,
            # A layer type's own entry is checked above; a block's name is anything else.
            "propertyNames": {
                "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$",
                "not": {"enum": sorted(types)},
            },
            "properties": {key: meta[key] for key in ("id", "from", "repeat", "trainable")},
        }
    )
    defs["entry"] = {"anyOf": entry_kinds}
    defs["layers"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/entry"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://convcalc.invalid/spec.schema.json",
        "title": "convcalc network spec",
        "description": "A network as a list of PyTorch layers; the first size argument of "
        "each layer is inferred from the incoming tensor.",
        "type": "object",
        "required": ["layers"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "input": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0},
                "minItems": 1,
                "description": "The input shape, batch optional.",
            },
            "blocks": {
                "type": "object",
                "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                "additionalProperties": {
                    "type": "object",
                    "required": ["layers"],
                    "additionalProperties": False,
                    "properties": {
                        "description": {"type": "string"},
                        "params": {
                            "description": "Parameter names with defaults (null: required).",
                            "anyOf": [
                                {"type": "object"},
                                {"type": "array", "items": {"type": "string"}},
                            ],
                        },
                        "layers": {"$ref": "#/$defs/layers"},
                    },
                },
            },
            "layers": {"$ref": "#/$defs/layers"},
        },
        "$defs": defs,
    }
