"""A JSON Schema of the network spec format, so that editors validate and complete specs.

``spec_schema()`` is built from the layer classes themselves: every layer type, its
arguments in PyTorch's order, and the entry keys (``id``, ``from``, ``repeat``,
``trainable``, ``train_only``, ``functional``, ``if``, ``share``). ``convcalc schema`` prints it.
"""

from __future__ import annotations

from typing import Any

from .layers import layer_types
from .network import MERGES, PIECES, _list_fields

__all__ = ["spec_schema"]

_EXPRESSION = {
    "type": "string",
    "pattern": r"^\s*\$\{.+\}\s*$",
    "description": "An expression over parameters and the incoming tensor, e.g. ${planes * 4}",
}
_CHECKS = {
    "type": "array",
    "description": "Errors for arguments the network refuses, as a builder raises them: each "
    "error is given where its condition holds.",
    "items": {
        "type": "object",
        "required": ["if", "error"],
        "additionalProperties": False,
        "properties": {"if": _EXPRESSION, "error": {"type": "string"}},
    },
}
_CALL = {
    "type": "string",
    "pattern": r"^\s*(torch\.nn\.|nn\.)?[A-Za-z_][A-Za-z0-9_]*\(.*\)\s*$",
    "description": "PyTorch call text, e.g. Conv2d(1, 20, 5, stride=2); read, never run.",
}
_INT = {"anyOf": [{"type": "integer"}, _EXPRESSION]}
_INTS = {
    "anyOf": [{"type": "integer"}, _EXPRESSION, {"type": "array", "items": _INT, "minItems": 1}]
}


_PADDING_WORDS = {
    "Conv": ["same", "valid", "tf_same"],
    "MaxPool": ["tf_same"],
}


def _field_schema(annotation: str) -> dict[str, Any]:
    text = str(annotation)
    if text in ("int",):
        return _INT
    if "IntOrTuple" in text or "Sequence[int]" in text or "tuple[int" in text:
        return {"anyOf": [*_INTS["anyOf"], {"type": "null"}]} if "None" in text else _INTS
    if text == "bool":
        return {"anyOf": [{"type": ["boolean", "integer"]}, _EXPRESSION]}
    if text.startswith("bool"):
        return {"anyOf": [{"type": ["boolean", "integer", "null"]}, _EXPRESSION]}
    if text.startswith("float"):
        numeric: dict[str, Any] = {"anyOf": [{"type": "number"}, _EXPRESSION]}
        if "tuple" in text:
            numeric["anyOf"].append({"type": "array", "items": {"type": "number"}})
        if "None" in text:
            numeric["anyOf"].append({"type": "null"})
        return numeric
    if text.startswith("str"):
        return {"type": "string"}
    if "Sequence[int]" in text or "tuple[int" in text:
        return _INTS
    return {}


def _arguments(cls: type) -> dict[str, Any]:
    annotations: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    fields = cls._record_fields  # type: ignore[attr-defined]
    properties = {name: _field_schema(annotations.get(name, "")) for name in fields}
    words = _PADDING_WORDS.get(cls.__name__[:-2])
    if words and "padding" in properties:
        # A convolution's 'same'/'valid' (PyTorch's), and the spec's 'tf_same' (TensorFlow's).
        properties["padding"] = {"anyOf": [*properties["padding"]["anyOf"], {"enum": words}]}
    positional = _list_fields(cls.__name__, cls)
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
    types = {**layer_types(), **MERGES, **PIECES}
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
        "repeat": {
            "anyOf": [{"type": "integer", "minimum": 0}, _EXPRESSION],
            "description": "Repeat the entry in a chain; 0 leaves it out.",
        },
        "trainable": {
            "anyOf": [{"type": "boolean"}, _EXPRESSION],
            "description": "false counts the parameters as frozen (a block's: all of them).",
        },
        "train_only": {
            "type": "boolean",
            "description": "Runs only in train mode (an auxiliary head); its parameters count "
            "in both.",
        },
        "functional": {
            "type": "boolean",
            "description": "A function call in forward (F.relu, torch.cat, x + y), not a "
            "module: no row of its own in the table; its MACs count.",
        },
        "if": {
            "anyOf": [{"type": ["boolean", "null"]}, _EXPRESSION],
            "description": "A condition; when false the entry is left out and passes its input on.",
        },
        "share": {
            "type": "string",
            "description": "The id of an earlier layer whose module this entry uses again.",
        },
    }
    defs: dict[str, Any] = {}
    entry_kinds: list[dict[str, Any]] = [{"enum": sorted(types)}, _CALL, _EXPRESSION]
    for name, cls in sorted(types.items()):
        arguments = _arguments(cls)
        if name in MERGES:  # Add: {from: [a, -1]}
            arguments["anyOf"][2]["properties"]["from"] = meta["from"]
        defs[name] = {
            "type": "object",
            "properties": {name: arguments, **meta},
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
            "properties": dict(meta),
        }
    )
    entry_kinds.append(
        {
            "description": "An earlier layer's module used again, or PyTorch call text with "
            "entry keys.",
            "type": "object",
            "properties": dict(meta),
            "minProperties": 1,
            "propertyNames": {"anyOf": [{"enum": sorted(meta)}, _CALL, _EXPRESSION]},
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
            "params": {
                "type": "object",
                "description": "The spec's parameters and their values, which ${...} reads "
                "and --set overrides.",
            },
            "checks": _CHECKS,
            "include": {
                "description": "YAML files of blocks, relative to this one.",
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ],
            },
            "input": {
                "type": "array",
                "items": {"type": "integer", "minimum": 0},
                "minItems": 1,
                "description": "The input shape, batch optional.",
            },
            "outputs": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    _EXPRESSION,
                ],
                "description": "The ids whose tensors the network returns, in order (default: "
                "the last entry's).",
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
                        "checks": _CHECKS,
                        "inputs": {
                            "description": "Names of the block's inputs, taken from 'from:'.",
                            "type": "array",
                            "items": {"type": "string"},
                            "minItems": 1,
                        },
                        "type": {
                            "description": "The type the block's rows show (the module "
                            "class it stands for); its name by default.",
                            "type": "string",
                            "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$",
                        },
                        "layers": {"$ref": "#/$defs/layers"},
                    },
                },
            },
            "layers": {"$ref": "#/$defs/layers"},
        },
        "$defs": defs,
    }
